/// Recognises phone numbers and e-mail addresses in what clients send, so that they are stored
/// only masked (and, where they identify a person, as a salted hash).
///
/// **By key**: the key's letters and digits, lower-cased, separators (`_`, `-`, `.`, spaces) and
/// trailing digits dropped — `phone`, `Phone_Number`, `mobile-phone`, `手机号`, `email`, `E-mail`,
/// `emailAddress`, and any key ending in one of those words (`billing_phone`, `receiverMobile`,
/// `contact_email`), at any depth and inside lists. **By value**: a whole text (or number) that is a
/// mainland mobile number (11 digits starting 13–19, `+86`/`0086` allowed) or an e-mail address,
/// under any key except identifiers (keys ending in `id`, such as `order_id` or `skuId`).
///
/// This runs on every event's properties, traits and context, so keys are classified on their
/// bytes without allocating.
public enum PersonalData {
    public enum Kind: Sendable, Equatable {
        case phone, email

        /// The identity kind (``IdentityKey/phone`` or ``IdentityKey/email``).
        public var identityKind: String { self == .phone ? IdentityKey.phone : IdentityKey.email }
    }

    /// What a key says about the values under it.
    enum KeyClass: Equatable {
        /// Names a phone number or an e-mail address exactly (identify traits with it become identities).
        case exact(Kind)
        /// Ends in such a name (`billing_phone`): masked, not an identity.
        case ending(Kind)
        /// Names an identifier (`order_id`): values are not read as contacts.
        case identifier
        case other

        var kind: Kind? {
            switch self {
            case .exact(let kind), .ending(let kind): return kind
            default: return nil
            }
        }
    }

    static let exactPhoneKeys = [
        "phone", "phonenumber", "phoneno", "phonenum", "mobile", "mobilephone", "mobilenumber", "mobileno", "mobilenum", "cellphone",
        "cellphonenumber", "cell", "cellnumber", "tel", "telephone", "telno", "telnumber", "telephonenumber", "手机", "手机号", "手机号码",
        "电话", "电话号码", "联系电话",
    ]
    static let exactEmailKeys = ["email", "emailaddress", "mail", "mailaddress", "emails", "邮箱", "电子邮件", "电子邮箱", "邮件地址", "邮箱地址"]
    /// Endings of keys that hold one (`billing_phone`, `receiverMobile`, `contactEmail`).
    static let phoneEndings = ["phone", "phonenumber", "mobile", "mobilenumber", "telephone", "手机", "手机号", "电话"]
    static let emailEndings = ["email", "emailaddress", "邮箱"]
    /// The four lists in the order they are tried.
    static let keyWords = KeyWords([
        (exactPhoneKeys, .exact(.phone), false), (exactEmailKeys, .exact(.email), false), (phoneEndings, .ending(.phone), true),
        (emailEndings, .ending(.email), true),
    ])

    /// The kind a key names exactly: `phone`, `phone_number`, `Mobile`, `email`, `E-mail`, `手机号`.
    public static func identityKind(ofKey key: String) -> Kind? {
        if case .exact(let kind) = classify(key) { return kind }
        return nil
    }

    /// The kind a key names, exactly or by its ending (`billing_phone`, `contactEmail`).
    public static func kind(ofKey key: String) -> Kind? { classify(key).kind }

    /// Classifies a key on its normalised bytes: ASCII letters lower-cased, digits and non-ASCII
    /// kept, separators and other punctuation dropped, trailing digits dropped.
    ///
    /// Every key of every event comes through here, so it works on raw pointers: the generic
    /// collection algorithms it would otherwise use cost microseconds a key in debug builds.
    static func classify(_ key: String) -> KeyClass {
        var key = key
        return key.withUTF8 { utf8 -> KeyClass in
            let length = utf8.count
            guard let bytes = utf8.baseAddress, length > 0, length <= 64 else { return .other }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer -> KeyClass in
                guard let normalized = buffer.baseAddress else { return .other }
                var n = 0
                var i = 0
                while i < length {
                    let byte = bytes[i]
                    i += 1
                    if byte >= 0x41, byte <= 0x5A {
                        normalized[n] = byte | 0x20
                    } else if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 {
                        normalized[n] = byte
                    } else {
                        continue
                    }
                    n += 1
                }
                while n > 0, normalized[n - 1] >= 0x30, normalized[n - 1] <= 0x39 { n -= 1 }
                if let found = keyWords.match(normalized, count: n) { return found }
                if n >= 2, normalized[n - 2] == UInt8(ascii: "i"), normalized[n - 1] == UInt8(ascii: "d") { return .identifier }
                if n >= 3, normalized[n - 3] == UInt8(ascii: "i"), normalized[n - 2] == UInt8(ascii: "d"), normalized[n - 1] == UInt8(ascii: "s") {
                    return .identifier
                }
                return .other
            }
        }
    }

    /// Lists of normalised key words packed into one byte buffer, each word with the class it
    /// gives and whether a key may merely end in it, grouped by last byte: a key is compared only
    /// with the few words that end as it does.
    struct KeyWords: Sendable {
        /// A word: where it is in `bytes`, whether a key may end in it, and its list.
        private struct Word: Sendable {
            var start: Int
            var length: Int
            var ending: Bool
            var list: Int
        }

        private let bytes: [UInt8]
        /// Sorted by last byte.
        private let words: [Word]
        /// The words ending in byte `b` are `words[firstWord[b]..<firstWord[b + 1]]`.
        private let firstWord: [Int]
        private let classes: [KeyClass]

        init(_ lists: [(words: [String], keyClass: KeyClass, ending: Bool)]) {
            var bytes: [UInt8] = []
            var words: [Word] = []
            for (list, entry) in lists.enumerated() {
                for word in entry.words where !word.isEmpty {
                    words.append(Word(start: bytes.count, length: word.utf8.count, ending: entry.ending, list: list))
                    bytes.append(contentsOf: word.utf8)
                }
            }
            words.sort { bytes[$0.start + $0.length - 1] < bytes[$1.start + $1.length - 1] }
            var firstWord = [Int](repeating: 0, count: 257)
            for word in words { firstWord[Int(bytes[word.start + word.length - 1]) + 1] += 1 }
            for byte in 0..<256 { firstWord[byte + 1] += firstWord[byte] }
            self.bytes = bytes
            self.words = words
            self.firstWord = firstWord
            classes = lists.map(\.keyClass)
        }

        /// The class of the first list (in the order given) with a word that `key[0..<count]` is,
        /// or ends in when the list is of endings.
        func match(_ key: UnsafeMutablePointer<UInt8>, count: Int) -> KeyClass? {
            guard count > 0 else { return nil }
            let last = Int(key[count - 1])
            var w = firstWord[last]
            let end = firstWord[last + 1]
            guard w < end else { return nil }
            var best = Int.max
            bytes.withUnsafeBufferPointer { packed in
                words.withUnsafeBufferPointer { list in
                    guard let packed = packed.baseAddress, let words = list.baseAddress else { return }
                    while w < end {
                        let word = words[w]
                        w += 1
                        guard word.list < best, word.length == count || (word.ending && word.length < count) else { continue }
                        let offset = count - word.length
                        var i = word.length - 2
                        while i >= 0, key[offset + i] == packed[word.start + i] { i -= 1 }
                        if i < 0 { best = word.list }
                    }
                }
            }
            return best == Int.max ? nil : classes[best]
        }
    }

    /// The kind a whole text is: a mainland mobile number or an e-mail address.
    public static func kind(ofValue text: String) -> Kind? {
        // A quick look at the bytes first: most values are neither (no `@`, too few digits).
        var text = text
        var hasAt = false
        var digits = 0
        var length = 0
        text.withUTF8 { utf8 in
            length = utf8.count
            guard let bytes = utf8.baseAddress else { return }
            var i = 0
            while i < length {
                let byte = bytes[i]
                if byte == 0x40 {  // @
                    hasAt = true
                } else if byte >= 0x30, byte <= 0x39 {
                    digits += 1
                }
                i += 1
            }
        }
        guard length >= 5, length <= 254 else { return nil }
        if hasAt { return isEmailAddress(text) ? .email : nil }
        // Full-width digits are three bytes each: 11 of them are 33 bytes.
        guard length <= 40, digits >= 11 || length >= 33, let normalized = IdentityExtractor.normalizePhone(text) else { return nil }
        return isMainlandMobile(normalized) ? .phone : nil
    }

    /// 11 digits, `1` then 3–9: a mainland China mobile number.
    static func isMainlandMobile(_ digits: String) -> Bool {
        let utf8 = Array(digits.utf8)
        return utf8.count == 11 && utf8[0] == UInt8(ascii: "1") && (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(utf8[1])
    }

    /// `local@domain.tld` with a letters-only top-level domain of 2+ letters.
    static func isEmailAddress(_ text: String) -> Bool {
        guard let normalized = IdentityExtractor.normalizeEmail(text) else { return false }
        let parts = normalized.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, let tld = parts[1].split(separator: ".").last else { return false }
        return tld.count >= 2 && tld.allSatisfy { $0.isLetter }
    }

    /// The object with every phone number and e-mail address masked (`138****8000`,
    /// `l***@example.com`), by key and by value, at any depth; the member `except` is left as it is.
    public static func masked(_ object: JSONObject, except: String? = nil) -> JSONObject {
        maskedMembers(object, named: nil, except: except) ?? object
    }

    /// The members of `object` masked, or `nil` when none needed it; `named` is set when an
    /// enclosing key named the contact kind.
    static func maskedMembers(_ object: JSONObject, named: Kind?, except: String? = nil) -> JSONObject? {
        // Keys and values walked as plain arrays: iterating the dictionary's pairs is several times
        // slower in debug builds, and every event's properties, traits and context come through here.
        let keys = object.keys.elements
        let values = object.values.elements
        var result: JSONObject?
        var index = 0
        while index < keys.count {
            defer { index += 1 }
            switch values[index] {
            case .null, .bool: continue  // nothing to mask: the key need not be classified
            default: break
            }
            guard keys[index] != except, let masked = mask(values[index], keyClass: classify(keys[index]), named: named) else { continue }
            if result == nil { result = object }
            result?.values[index] = masked
        }
        return result
    }

    /// The value under `key` masked, or `nil` when nothing in it needed masking.
    public static func mask(_ value: JSONValue, key: String) -> JSONValue? {
        switch value {
        case .null, .bool: return nil
        default: return mask(value, keyClass: classify(key), named: nil)
        }
    }

    /// One value; `named` is set when an enclosing key named the contact kind.
    static func mask(_ value: JSONValue, keyClass: KeyClass, named: Kind?) -> JSONValue? {
        let named = named ?? keyClass.kind
        switch value {
        case .null, .bool: return nil
        case .string(let text):
            if let named { return .string(IdentityExtractor.mask(kind: named.identityKind, text)) }
            if keyClass != .identifier, let found = kind(ofValue: text) { return .string(IdentityExtractor.mask(kind: found.identityKind, text)) }
            return nil
        case .int(let number) where named == nil && number > -10_000_000_000 && number < 10_000_000_000:
            // Ten digits or fewer: not a mobile number (which has 11), so no need to spell it out.
            return nil
        case .int, .double:
            guard let text = value.scalarText else { return nil }
            if let named { return .string(IdentityExtractor.mask(kind: named.identityKind, text)) }
            if keyClass != .identifier, kind(ofValue: text) == .phone { return .string(IdentityExtractor.mask(kind: IdentityKey.phone, text)) }
            return nil
        case .array(let items):
            var result = items
            var changed = false
            var index = 0
            while index < items.count {
                if let masked = mask(items[index], keyClass: keyClass, named: named) {
                    result[index] = masked
                    changed = true
                }
                index += 1
            }
            return changed ? .array(result) : nil
        case .object(let inner):
            return maskedMembers(inner, named: named).map(JSONValue.object)
        }
    }
}
