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

    static let exactPhoneKeys: [[UInt8]] = [
        "phone", "phonenumber", "phoneno", "phonenum", "mobile", "mobilephone", "mobilenumber", "mobileno", "mobilenum", "cellphone",
        "cellphonenumber", "cell", "cellnumber", "tel", "telephone", "telno", "telnumber", "telephonenumber", "手机", "手机号", "手机号码",
        "电话", "电话号码", "联系电话",
    ].map { Array($0.utf8) }
    static let exactEmailKeys: [[UInt8]] = ["email", "emailaddress", "mail", "mailaddress", "emails", "邮箱", "电子邮件", "电子邮箱", "邮件地址", "邮箱地址"]
        .map { Array($0.utf8) }
    /// Endings of keys that hold one (`billing_phone`, `receiverMobile`, `contactEmail`).
    static let phoneEndings: [[UInt8]] = ["phone", "phonenumber", "mobile", "mobilenumber", "telephone", "手机", "手机号", "电话"].map { Array($0.utf8) }
    static let emailEndings: [[UInt8]] = ["email", "emailaddress", "邮箱"].map { Array($0.utf8) }

    /// The kind a key names exactly: `phone`, `phone_number`, `Mobile`, `email`, `E-mail`, `手机号`.
    public static func identityKind(ofKey key: String) -> Kind? {
        if case .exact(let kind) = classify(key) { return kind }
        return nil
    }

    /// The kind a key names, exactly or by its ending (`billing_phone`, `contactEmail`).
    public static func kind(ofKey key: String) -> Kind? { classify(key).kind }

    /// Classifies a key on its normalised bytes: ASCII letters lower-cased, digits and non-ASCII
    /// kept, separators and other punctuation dropped, trailing digits dropped.
    static func classify(_ key: String) -> KeyClass {
        var key = key
        return key.withUTF8 { utf8 -> KeyClass in
            guard !utf8.isEmpty, utf8.count <= 64 else { return .other }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer -> KeyClass in
                var n = 0
                for byte in utf8 {
                    switch byte {
                    case 0x41...0x5A:
                        buffer[n] = byte | 0x20
                        n += 1
                    case 0x61...0x7A, 0x30...0x39, 0x80...0xFF:
                        buffer[n] = byte
                        n += 1
                    default: continue
                    }
                }
                while n > 0, (0x30...0x39).contains(buffer[n - 1]) { n -= 1 }
                let normalized = UnsafeBufferPointer(rebasing: buffer[0..<n])
                if exactPhoneKeys.contains(where: { normalized.elementsEqual($0) }) { return .exact(.phone) }
                if exactEmailKeys.contains(where: { normalized.elementsEqual($0) }) { return .exact(.email) }
                if phoneEndings.contains(where: { ends(normalized, with: $0) }) { return .ending(.phone) }
                if emailEndings.contains(where: { ends(normalized, with: $0) }) { return .ending(.email) }
                if n >= 2, normalized[n - 2] == UInt8(ascii: "i"), normalized[n - 1] == UInt8(ascii: "d") { return .identifier }
                if n >= 3, normalized[n - 3] == UInt8(ascii: "i"), normalized[n - 2] == UInt8(ascii: "d"), normalized[n - 1] == UInt8(ascii: "s") {
                    return .identifier
                }
                return .other
            }
        }
    }

    private static func ends(_ bytes: UnsafeBufferPointer<UInt8>, with suffix: [UInt8]) -> Bool {
        guard bytes.count >= suffix.count else { return false }
        return bytes[(bytes.count - suffix.count)...].elementsEqual(suffix)
    }

    /// The kind a whole text is: a mainland mobile number or an e-mail address.
    public static func kind(ofValue text: String) -> Kind? {
        // A quick look at the bytes first: most values are neither (no `@`, too few digits).
        var text = text
        let (hasAt, digits, length) = text.withUTF8 { utf8 -> (Bool, Int, Int) in
            var at = false
            var digits = 0
            for byte in utf8 {
                if byte == UInt8(ascii: "@") { at = true } else if byte >= 0x30, byte <= 0x39 { digits += 1 }
            }
            return (at, digits, utf8.count)
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
    /// `l***@example.com`), by key and by value, at any depth.
    public static func masked(_ object: JSONObject) -> JSONObject {
        var result = object
        for (key, value) in object {
            if let masked = mask(value, key: key) { result[key] = masked }
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
        case .int, .double:
            guard let text = value.scalarText else { return nil }
            if let named { return .string(IdentityExtractor.mask(kind: named.identityKind, text)) }
            if keyClass != .identifier, kind(ofValue: text) == .phone { return .string(IdentityExtractor.mask(kind: IdentityKey.phone, text)) }
            return nil
        case .array(let items):
            var result = items
            var changed = false
            for (index, item) in items.enumerated() {
                if let masked = mask(item, keyClass: keyClass, named: named) {
                    result[index] = masked
                    changed = true
                }
            }
            return changed ? .array(result) : nil
        case .object(let inner):
            var result = inner
            var changed = false
            for (innerKey, innerValue) in inner {
                if let masked = mask(innerValue, keyClass: classify(innerKey), named: named) {
                    result[innerKey] = masked
                    changed = true
                }
            }
            return changed ? .object(result) : nil
        }
    }
}
