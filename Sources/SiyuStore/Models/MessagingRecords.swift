import SiyuCore

/// A message as operators write it: per-language variants of a subject and a body with Mustache
/// variables, for one channel, under a subscription group (or transactional, which bypasses them).
public struct MessageTemplate: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var name: String
    /// Fixed once created: journeys count caps and choose senders by it.
    public var channel: MessageChannel
    /// The subscription group a person must be in (nil: none asked).
    public var groupId: Int64?
    /// Receipts and the like: sent even to people who unsubscribed, and in quiet hours.
    public var transactional: Bool
    /// By language tag (`zh-CN`, `en`).
    public var variants: [String: MessageVariant]
    /// The variant for people whose language has none.
    public var defaultLanguage: String
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: Int64,
        workspaceId: Int64,
        name: String,
        channel: MessageChannel,
        groupId: Int64?,
        transactional: Bool,
        variants: [String: MessageVariant],
        defaultLanguage: String,
        createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.name = name
        self.channel = channel
        self.groupId = groupId
        self.transactional = transactional
        self.variants = variants
        self.defaultLanguage = defaultLanguage
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The languages a template may have a variant in.
    public static let languages = ["zh-CN", "en"]
    /// The longest name, and the most bytes of any variant's subject, text and HTML together.
    public static let maximumNameLength = 200
    public static let maximumVariantBytes = 64 * 1024
}

/// One language's text of a message template (Mustache).
public struct MessageVariant: Sendable, Equatable, Codable {
    /// E-mail only.
    public var subject: String?
    public var text: String
    /// E-mail only: the HTML body (variables HTML-escaped).
    public var html: String?

    public init(subject: String? = nil, text: String, html: String? = nil) {
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// What a template is saved with (create and replace).
public struct MessageTemplateFields: Sendable, Equatable {
    public var name: String
    public var channel: MessageChannel
    public var groupId: Int64?
    public var transactional: Bool
    public var variants: [String: MessageVariant]
    public var defaultLanguage: String

    public init(
        name: String,
        channel: MessageChannel,
        groupId: Int64?,
        transactional: Bool,
        variants: [String: MessageVariant],
        defaultLanguage: String
    ) {
        self.name = name
        self.channel = channel
        self.groupId = groupId
        self.transactional = transactional
        self.variants = variants
        self.defaultLanguage = defaultLanguage
    }
}

/// A list people subscribe to on one channel: opt-in (only those who said yes get it) or opt-out
/// (everyone until they say no).
public struct SubscriptionGroup: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var name: String
    public var channel: MessageChannel
    public var optIn: Bool
    public var createdAt: Int64

    public init(id: Int64, workspaceId: Int64, name: String, channel: MessageChannel, optIn: Bool, createdAt: Int64) {
        self.id = id
        self.workspaceId = workspaceId
        self.name = name
        self.channel = channel
        self.optIn = optIn
        self.createdAt = createdAt
    }

    /// Whether a person with this recorded choice (nil: never chose) gets the group's messages.
    public func admits(_ choice: Bool?) -> Bool {
        choice ?? !optIn
    }
}

/// A person's recorded choice for a group.
public struct SubscriptionChoice: Sendable, Equatable {
    public var groupId: Int64
    public var personId: Int64
    public var subscribed: Bool
    /// Where it came from: `link` (the unsubscribe page), `event`, `csv`, `api`.
    public var source: String
    public var updatedAt: Int64

    public init(groupId: Int64, personId: Int64, subscribed: Bool, source: String, updatedAt: Int64) {
        self.groupId = groupId
        self.personId = personId
        self.subscribed = subscribed
        self.source = source
        self.updatedAt = updatedAt
    }
}

/// A contact address of a person, sealed (encrypted and authenticated) before the store sees it.
public struct SealedContact: Sendable, Equatable {
    public var personId: Int64
    /// `email` or `phone`.
    public var kind: String
    public var sealed: String
    public var updatedAt: Int64

    public init(personId: Int64, kind: String, sealed: String, updatedAt: Int64) {
        self.personId = personId
        self.kind = kind
        self.sealed = sealed
        self.updatedAt = updatedAt
    }
}

/// The rules both stores follow for templates and groups, stated once.
public enum MessagingValidation {
    public static func checkName(_ name: String, what: String) throws {
        try NameRule.check(name, what: what, maximum: MessageTemplate.maximumNameLength)
    }

    public static func check(_ fields: MessageTemplateFields) throws {
        try checkName(fields.name, what: "template")
        guard fields.channel != .staffTask else { throw StoreError.invalid("staff tasks have no template; use a task action") }
        guard !fields.variants.isEmpty, fields.variants.keys.allSatisfy(MessageTemplate.languages.contains) else {
            throw StoreError.invalid("a template has variants for \(MessageTemplate.languages.joined(separator: " and ")) (at least one)")
        }
        guard fields.variants[fields.defaultLanguage] != nil else {
            throw StoreError.invalid("the default language `\(fields.defaultLanguage)` has no variant")
        }
        for (language, variant) in fields.variants {
            let bytes = (variant.subject ?? "").utf8.count + variant.text.utf8.count + (variant.html ?? "").utf8.count
            guard bytes <= MessageTemplate.maximumVariantBytes else {
                throw StoreError.invalid("the \(language) variant is \(bytes) bytes; at most \(MessageTemplate.maximumVariantBytes / 1024) KiB")
            }
            guard !variant.text.allSatisfy(\.isWhitespace) else { throw StoreError.invalid("the \(language) variant's text is empty") }
            if fields.channel == .email {
                guard let subject = variant.subject, !subject.allSatisfy(\.isWhitespace), !subject.contains(where: \.isNewline) else {
                    throw StoreError.invalid("an e-mail's \(language) variant needs a one-line subject")
                }
            } else if variant.subject != nil || variant.html != nil {
                throw StoreError.invalid("only e-mail templates have a subject and HTML")
            }
        }
    }
}
