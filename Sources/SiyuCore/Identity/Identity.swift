import OrderedCollections

/// One way of recognising a person: an SDK id, a WeChat id, a hashed phone number or e-mail.
public struct IdentityKey: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var kind: String
    public var value: String

    public init(_ kind: String, _ value: String) {
        self.kind = kind
        self.value = value
    }

    public static let userId = "user_id"
    public static let anonymousId = "anonymous_id"
    public static let openid = "openid"
    public static let unionid = "unionid"
    public static let phone = "phone"
    public static let email = "email"

    /// Kinds whose value is personal data and is stored only as a salted hash.
    public static let hashedKinds: Set<String> = [phone, email]

    public var description: String { "\(kind):\(value)" }

    public static func < (lhs: IdentityKey, rhs: IdentityKey) -> Bool {
        (lhs.kind, lhs.value) < (rhs.kind, rhs.value)
    }
}

/// Finds the identities an event carries and removes personal data from what is stored.
///
/// Phone numbers and e-mail addresses become identities as a salted hash (computed by the
/// `hash` closure the store supplies) and are masked wherever they appear in traits, so that
/// they are never stored in clear.
public struct IdentityExtractor: Sendable {
    /// Salted hash of a normalised phone number or e-mail address.
    public let hash: @Sendable (_ kind: String, _ normalized: String) -> String

    public init(hash: @escaping @Sendable (_ kind: String, _ normalized: String) -> String) {
        self.hash = hash
    }

    /// Trait keys that name a WeChat identity, and the kind they name. (Phone numbers and e-mail
    /// addresses are recognised by ``PersonalData``.)
    static let traitKinds: [String: String] = [
        "openid": IdentityKey.openid, "openId": IdentityKey.openid, "wechatOpenId": IdentityKey.openid, "wechat_openid": IdentityKey.openid,
        "unionid": IdentityKey.unionid, "unionId": IdentityKey.unionid, "wechatUnionId": IdentityKey.unionid, "wechat_unionid": IdentityKey.unionid,
    ]

    /// `externalIds[].type` spellings of WeChat ids and the kind they mean.
    static let externalKinds: [String: String] = [
        "openid": IdentityKey.openid, "wechat_openid": IdentityKey.openid, "wechatopenid": IdentityKey.openid,
        "unionid": IdentityKey.unionid, "wechat_unionid": IdentityKey.unionid, "wechatunionid": IdentityKey.unionid,
    ]

    /// The identities of a message, strongest first: user id, external ids, anonymous id.
    /// (An alias call's `previousId` is resolved by ``IdentityResolver``, which knows whether it was
    /// seen as a user id or an anonymous id.)
    ///
    /// Also rewrites the message so that phone numbers and e-mail addresses appear only masked,
    /// wherever they are in its properties, traits and context (``PersonalData``).
    public func extract(_ message: inout Message) -> [IdentityKey] {
        var keys: [IdentityKey] = []
        func add(_ key: IdentityKey) {
            if !keys.contains(key) { keys.append(key) }
        }
        if let userId = message.userId { add(IdentityKey(IdentityKey.userId, userId)) }

        if case .array(let externalIds) = message.context["externalIds"] ?? .null {
            var cleaned: [JSONValue] = []
            for entry in externalIds {
                guard case .object(var object) = entry, let type = object["type"]?.stringValue, let raw = object["id"]?.scalarText else {
                    cleaned.append(PersonalData.mask(entry, key: "externalIds") ?? entry)
                    continue
                }
                let lowered = type.lowercased()
                let personal = PersonalData.identityKind(ofKey: type)
                let kind = personal?.identityKind ?? Self.externalKinds[lowered] ?? lowered
                if let key = identity(kind: kind, raw: raw) { add(key) }
                if let personal {
                    object["id"] = .string(Self.mask(kind: personal.identityKind, raw))
                } else if let found = PersonalData.kind(ofValue: raw) {
                    object["id"] = .string(Self.mask(kind: found.identityKind, raw))
                }
                cleaned.append(.object(object))
            }
            message.context["externalIds"] = .array(cleaned)
        }
        if message.type == .identify {
            for (key, value) in message.traits {
                if let personal = PersonalData.identityKind(ofKey: key) {
                    // One address or number, or a list of them.
                    for raw in (value.arrayValue ?? [value]).compactMap(\.scalarText) {
                        if let identity = identity(kind: personal.identityKind, raw: raw) { add(identity) }
                    }
                } else if let kind = Self.traitKinds[key], let raw = value.scalarText, let identity = identity(kind: kind, raw: raw) {
                    add(identity)
                }
            }
        }
        message.traits = PersonalData.masked(message.traits)
        message.properties = PersonalData.masked(message.properties)
        message.context = PersonalData.masked(message.context, except: "externalIds")
        if let anonymousId = message.anonymousId { add(IdentityKey(IdentityKey.anonymousId, anonymousId)) }
        return keys
    }

    /// The identity for a raw value of a kind, normalised and hashed when personal; `nil` when empty
    /// or not a valid phone number / e-mail address.
    public func identity(kind: String, raw: String) -> IdentityKey? {
        switch kind {
        case IdentityKey.email:
            guard let normalized = Self.normalizeEmail(raw) else { return nil }
            return IdentityKey(kind, hash(kind, normalized))
        case IdentityKey.phone:
            guard let normalized = Self.normalizePhone(raw) else { return nil }
            return IdentityKey(kind, hash(kind, normalized))
        default:
            let trimmed = String(raw.trimmingSpaces)
            guard !trimmed.isEmpty, trimmed.utf8.count <= TrackingRequest.maximumIdLength,
                !TrackingRequest.placeholderIds.contains(trimmed.lowercased())
            else { return nil }
            return IdentityKey(kind, trimmed)
        }
    }

    /// Traits with phone numbers and e-mail addresses masked (`138****5678`, `a***@example.com`).
    public func maskPersonalData(_ traits: JSONObject) -> JSONObject {
        PersonalData.masked(traits)
    }

    /// Lower-cased e-mail address, or `nil` when it is not one.
    public static func normalizeEmail(_ raw: String) -> String? {
        let trimmed = raw.trimmingSpaces.lowercased()
        guard let at = trimmed.firstIndex(of: "@"), at != trimmed.startIndex, trimmed.index(after: at) != trimmed.endIndex,
            trimmed[trimmed.index(after: at)...].contains("."), !trimmed.contains(" ")
        else { return nil }
        return trimmed
    }

    /// Digits of a phone number without a `+86`/`0086` country prefix for mainland numbers;
    /// `nil` unless the text is a phone number: digits (full-width ones too, as Chinese keyboards
    /// type them) with only spaces, `+`, `-`, `.`, `(` and `)` between, 6 to 20 digits.
    public static func normalizePhone(_ raw: String) -> String? {
        var digits = ""
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0x20, 0x2B, 0x2D, 0x2E, 0x28, 0x29, 0x3000, 0xA0, 0xFF0B, 0xFF0D: continue
            default: return nil
            }
        }
        if digits.hasPrefix("0086") { digits.removeFirst(4) } else if digits.hasPrefix("86"), digits.count == 13 { digits.removeFirst(2) }
        guard digits.count >= 6, digits.count <= 20 else { return nil }
        return digits
    }

    /// A display form that keeps enough to recognise a contact and not enough to use it.
    public static func mask(kind: String, _ raw: String) -> String {
        if kind == IdentityKey.email {
            guard let email = normalizeEmail(raw), let at = email.firstIndex(of: "@") else { return "***" }
            return String(email[email.startIndex]) + "***" + email[at...]
        }
        guard let digits = normalizePhone(raw) else { return "***" }
        return String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }
}
