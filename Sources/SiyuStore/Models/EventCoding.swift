import OrderedCollections
import SiyuCore

/// The column values of one event row, shared by the SQLite and PostgreSQL stores.
struct EventRow: Sendable {
    var messageId: String
    var type: Int
    var event: String?
    var personId: Int64
    var userId: String?
    var anonymousId: String?
    var timestamp: Int64
    var receivedAt: Int64
    var originalTimestamp: Int64?
    var sentAt: Int64?
    var channel: String
    var revenueMinor: Int64?
    var currency: String?
    var flags: Int
    var properties: String
    var traits: String?
    var context: String
    var extra: String?

    /// The row of a prepared event attributed to `personId`, with the flags resolution settled.
    init(_ event: PreparedEvent, personId: Int64, flags: EventFlags) {
        let message = event.message
        messageId = message.messageId
        type = message.type.code
        self.event = message.event
        self.personId = personId
        userId = message.userId
        anonymousId = message.anonymousId
        timestamp = message.timestamp
        receivedAt = message.receivedAt
        originalTimestamp = message.originalTimestamp
        sentAt = message.sentAt
        channel = event.channel
        revenueMinor = event.revenueMinor
        currency = event.currency
        self.flags = flags.rawValue
        let encoded = event.encoded ?? EncodedEventJSON(message)
        properties = encoded.properties
        traits = encoded.traits
        context = encoded.context
        extra = encoded.extra
    }

    init(
        messageId: String,
        type: Int,
        event: String?,
        personId: Int64,
        userId: String?,
        anonymousId: String?,
        timestamp: Int64,
        receivedAt: Int64,
        originalTimestamp: Int64?,
        sentAt: Int64?,
        channel: String,
        revenueMinor: Int64?,
        currency: String?,
        flags: Int,
        properties: String,
        traits: String?,
        context: String,
        extra: String?
    ) {
        self.messageId = messageId
        self.type = type
        self.event = event
        self.personId = personId
        self.userId = userId
        self.anonymousId = anonymousId
        self.timestamp = timestamp
        self.receivedAt = receivedAt
        self.originalTimestamp = originalTimestamp
        self.sentAt = sentAt
        self.channel = channel
        self.revenueMinor = revenueMinor
        self.currency = currency
        self.flags = flags
        self.properties = properties
        self.traits = traits
        self.context = context
        self.extra = extra
    }

    /// The stored event this row holds.
    func storedEvent(seq: Int64, canonicalPersonId: Int64) -> StoredEvent {
        let extraObject = extra.flatMap { try? JSONParser.parse($0).objectValue } ?? [:]
        let message = Message(
            type: MessageType(code: type) ?? .track,
            messageId: messageId,
            userId: userId,
            anonymousId: anonymousId,
            event: event,
            properties: StoredJSON.object(properties),
            traits: traits.map(StoredJSON.object) ?? [:],
            context: StoredJSON.object(context),
            integrations: extraObject["integrations"]?.objectValue ?? [:],
            groupId: extraObject["groupId"]?.stringValue,
            previousId: extraObject["previousId"]?.stringValue,
            timestamp: timestamp,
            originalTimestamp: originalTimestamp,
            sentAt: sentAt,
            receivedAt: receivedAt,
            flags: EventFlags(rawValue: flags)
        )
        return StoredEvent(
            seq: seq,
            message: message,
            originPersonId: personId,
            personId: canonicalPersonId,
            channel: channel,
            revenueMinor: revenueMinor,
            currency: currency
        )
    }
}

/// JSON text columns read back into values.
enum StoredJSON {
    /// The object in a column, or empty when the text is not an object (never for rows Siyu wrote).
    static func object(_ text: String) -> JSONObject {
        (try? JSONParser.parse(text))?.objectValue ?? [:]
    }

    static func traitTimes(_ text: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for (key, value) in object(text) { if let time = value.int64Value { result[key] = time } }
        return result
    }

    static func traitTimesText(_ times: [String: Int64]) -> String {
        var object = JSONObject()
        for key in times.keys.sorted() { object[key] = .int(times[key]!) }
        return JSONWriter.string(object)
    }
}

extension StoredEvent {
    /// The event as ingestion prepared it, for rebuilding a profile.
    func prepared(workspaceCurrency: String) -> PreparedEvent {
        PreparedEvent(
            message: message,
            identities: [],
            channel: channel,
            isOrder: message.flags.contains(.order),
            revenueMinor: revenueMinor,
            currency: currency,
            revenueInWorkspaceCurrency: currency == workspaceCurrency ? revenueMinor : nil
        )
    }
}

/// Opaque page cursors: two integers joined by `_`.
enum Cursor {
    static func make(_ a: Int64, _ b: Int64) -> String { "\(a)_\(b)" }

    static func parse(_ text: String?) throws -> (Int64, Int64)? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: "_")
        guard parts.count == 2, let a = Int64(parts[0]), let b = Int64(parts[1]) else { throw StoreError.invalid("cursor `\(text)` is not valid") }
        return (a, b)
    }
}
