/// Recognises phone numbers and e-mail addresses in what clients send, so that they are stored
/// only masked (and, where they identify a person, as a salted hash).
///
/// **By key**: the key's letters and digits, lower-cased, separators (`_`, `-`, `.`, spaces) and
/// trailing digits dropped — `phone`, `Phone_Number`, `mobile-phone`, `手机号`, `email`, `E-mail`,
/// `emailAddress`, and any key ending in one of those words (`billing_phone`, `receiverMobile`,
/// `contact_email`), at any depth and inside lists. **By value**: a whole text (or number) that is a
/// mainland mobile number (11 digits starting 13–19, `+86`/`0086` allowed) or an e-mail address,
/// under any key except identifiers (keys ending in `id`, such as `order_id` or `skuId`).
public enum PersonalData {
    public enum Kind: Sendable, Equatable {
        case phone, email

        /// The identity kind (``IdentityKey/phone`` or ``IdentityKey/email``).
        public var identityKind: String { self == .phone ? IdentityKey.phone : IdentityKey.email }
    }

    /// Key names that *are* a phone number or an e-mail address (identify traits with these names
    /// become identities).
    static let exactPhoneKeys: Set<String> = [
        "phone", "phonenumber", "phoneno", "phonenum", "mobile", "mobilephone", "mobilenumber", "mobileno", "mobilenum", "cellphone",
        "cellphonenumber", "cell", "cellnumber", "tel", "telephone", "telno", "telnumber", "telephonenumber", "手机", "手机号", "手机号码",
        "电话", "电话号码", "联系电话",
    ]
    static let exactEmailKeys: Set<String> = [
        "email", "emailaddress", "mail", "mailaddress", "emails", "邮箱", "电子邮件", "电子邮箱", "邮件地址", "邮箱地址",
    ]
    /// Endings of keys that hold one (`billing_phone`, `receiverMobile`, `contactEmail`).
    static let phoneSuffixes = ["phone", "phonenumber", "mobile", "mobilenumber", "telephone", "手机", "手机号", "电话"]
    static let emailSuffixes = ["email", "emailaddress", "邮箱"]

    /// The key reduced to what the rules compare: lower-cased letters and digits (CJK kept), no separators, no trailing digits.
    static func normalizedKey(_ key: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in key.unicodeScalars {
            switch scalar.value {
            case 0x41...0x5A: result.append(Unicode.Scalar(scalar.value + 0x20)!)
            case 0x61...0x7A, 0x30...0x39: result.append(scalar)
            case 0x20, 0x2D, 0x2E, 0x5F: continue
            default: if scalar.value >= 0x80 { result.append(scalar) }
            }
        }
        while let last = result.last, last.value >= 0x30, last.value <= 0x39 { result.removeLast() }
        return String(result)
    }

    /// The kind a key names exactly: `phone`, `phone_number`, `Mobile`, `email`, `E-mail`, `手机号`.
    public static func identityKind(ofKey key: String) -> Kind? {
        guard key.utf8.count <= 64 else { return nil }
        let normalized = normalizedKey(key)
        if exactPhoneKeys.contains(normalized) { return .phone }
        if exactEmailKeys.contains(normalized) { return .email }
        return nil
    }

    /// The kind a key names, exactly or by its ending (`billing_phone`, `contactEmail`).
    public static func kind(ofKey key: String) -> Kind? {
        guard key.utf8.count <= 64 else { return nil }
        let normalized = normalizedKey(key)
        if exactPhoneKeys.contains(normalized) || phoneSuffixes.contains(where: normalized.hasSuffix) { return .phone }
        if exactEmailKeys.contains(normalized) || emailSuffixes.contains(where: normalized.hasSuffix) { return .email }
        return nil
    }

    /// Whether a key names an identifier (`order_id`, `skuId`): values under it are not read as contacts.
    static func isIdentifierKey(_ key: String) -> Bool {
        let normalized = normalizedKey(key)
        return normalized.hasSuffix("id") || normalized.hasSuffix("ids")
    }

    /// The kind a whole text is: a mainland mobile number or an e-mail address.
    public static func kind(ofValue text: String) -> Kind? {
        let bytes = text.utf8.count
        guard bytes >= 5, bytes <= 254 else { return nil }
        if text.utf8.contains(UInt8(ascii: "@")) { return isEmailAddress(text) ? .email : nil }
        guard bytes <= 24, let digits = IdentityExtractor.normalizePhone(text) else { return nil }
        return isMainlandMobile(digits) ? .phone : nil
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
            let masked = mask(value, key: key, kind: kind(ofKey: key))
            if masked != value { result[key] = masked }
        }
        return result
    }

    /// One value under `key`; `named` is set when this key or an enclosing one named the contact kind.
    static func mask(_ value: JSONValue, key: String, kind named: Kind?) -> JSONValue {
        switch value {
        case .null, .bool: return value
        case .string(let text):
            if let named { return .string(IdentityExtractor.mask(kind: named.identityKind, text)) }
            if !isIdentifierKey(key), let found = kind(ofValue: text) { return .string(IdentityExtractor.mask(kind: found.identityKind, text)) }
            return value
        case .int, .double:
            guard let text = value.scalarText else { return value }
            if let named { return .string(IdentityExtractor.mask(kind: named.identityKind, text)) }
            if !isIdentifierKey(key), kind(ofValue: text) == .phone { return .string(IdentityExtractor.mask(kind: IdentityKey.phone, text)) }
            return value
        case .array(let items):
            return .array(items.map { mask($0, key: key, kind: named) })
        case .object(let inner):
            guard let named else { return .object(masked(inner)) }
            var result = inner
            for (innerKey, innerValue) in inner { result[innerKey] = mask(innerValue, key: innerKey, kind: named) }
            return .object(result)
        }
    }
}
