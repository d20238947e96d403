import OrderedCollections

/// The six kinds of call in the Segment spec.
public enum MessageType: String, Sendable, CaseIterable, Codable {
    case track, identify, page, screen, group, alias

    /// Small integer stored with each event.
    public var code: Int {
        switch self {
        case .track: return 0
        case .identify: return 1
        case .page: return 2
        case .screen: return 3
        case .group: return 4
        case .alias: return 5
        }
    }

    public init?(code: Int) {
        guard let found = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = found
    }
}

/// Facts about how an event's data was adjusted on the way in.
public struct EventFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// `timestamp` was corrected for the client's clock skew using `sentAt`.
    public static let skewCorrected = EventFlags(rawValue: 1)
    /// The timestamp was more than 23 hours in the future and was set to `receivedAt`.
    public static let clampedFuture = EventFlags(rawValue: 2)
    /// The client sent no `messageId`; Siyu assigned one.
    public static let generatedMessageId = EventFlags(rawValue: 4)
    /// The event came from a CSV import rather than an SDK.
    public static let imported = EventFlags(rawValue: 8)
    /// The event would have merged two identified people; the merge was refused.
    public static let mergeRefused = EventFlags(rawValue: 16)
    /// The event is an order (its amount counts as revenue).
    public static let order = EventFlags(rawValue: 32)
}

/// One validated Segment call, ready to be resolved to a person and stored.
public struct Message: Sendable, Equatable {
    public var type: MessageType
    public var messageId: String
    public var userId: String?
    public var anonymousId: String?
    /// `event` of a track call; `name` of a page or screen call.
    public var event: String?
    public var properties: JSONObject
    /// Traits of an identify (with `context.traits` folded in) or group call.
    public var traits: JSONObject
    public var context: JSONObject
    public var integrations: JSONObject
    public var groupId: String?
    public var previousId: String?
    /// When it happened, UTC epoch milliseconds, after clock-skew correction.
    public var timestamp: Int64
    /// The client's own time for the event, before correction.
    public var originalTimestamp: Int64?
    public var sentAt: Int64?
    public var receivedAt: Int64
    public var flags: EventFlags

    public init(
        type: MessageType,
        messageId: String,
        userId: String? = nil,
        anonymousId: String? = nil,
        event: String? = nil,
        properties: JSONObject = [:],
        traits: JSONObject = [:],
        context: JSONObject = [:],
        integrations: JSONObject = [:],
        groupId: String? = nil,
        previousId: String? = nil,
        timestamp: Int64,
        originalTimestamp: Int64? = nil,
        sentAt: Int64? = nil,
        receivedAt: Int64,
        flags: EventFlags = []
    ) {
        self.type = type
        self.messageId = messageId
        self.userId = userId
        self.anonymousId = anonymousId
        self.event = event
        self.properties = properties
        self.traits = traits
        self.context = context
        self.integrations = integrations
        self.groupId = groupId
        self.previousId = previousId
        self.timestamp = timestamp
        self.originalTimestamp = originalTimestamp
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.flags = flags
    }
}

/// A caller's mistake in one request or one event, reported as `{"error": {code, message, field}}`.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var field: String?

    public init(_ code: String, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { field.map { "\(code) (\($0)): \(message)" } ?? "\(code): \(message)" }
}
