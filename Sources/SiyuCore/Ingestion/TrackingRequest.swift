import OrderedCollections

/// Reads the body of a Segment HTTP Tracking API request into validated ``Message``s.
///
/// The rules follow the Segment spec: each call names a person by `userId` and/or
/// `anonymousId`, a batch carries its own `type` per item and shares a top-level `context`,
/// `integrations` and `sentAt`, and the client's clock is corrected once per request.
public struct TrackingRequest: Sendable {
    /// Which endpoint received the body.
    public enum Endpoint: Sendable, Equatable {
        case single(MessageType)
        case batch
        /// `/v1/import`: a batch of history. Its timestamps are taken as sent (no clock-skew
        /// correction: archived payloads carry the `sentAt` of long ago), still clamped if in the future.
        case history

        /// Whether the body is `{"batch": [...]}`.
        public var isBatch: Bool {
            if case .single = self { return false }
            return true
        }
    }

    /// The outcome of one item.
    public enum Item: Sendable, Equatable {
        case accepted(Message)
        case rejected(IngestError)
    }

    /// Most items one batch may carry.
    public static let maximumBatchItems = 2_500
    /// Largest event, in bytes of JSON text.
    public static let maximumEventBytes = 32 * 1024
    /// Largest request, in bytes after decompression.
    public static let maximumRequestBytes = 500 * 1024
    /// Timestamps further than this in the future are clamped to `receivedAt`.
    public static let futureToleranceMillis: Int64 = 23 * 3_600_000
    /// Ids that SDK bugs produce and that would glue unrelated people together.
    public static let placeholderIds: Set<String> = ["null", "undefined", "0", "anonymous", "nil", "none", "[object object]", "nan"]
    /// Longest id accepted.
    public static let maximumIdLength = 255

    /// The write key carried in the body, if any.
    public var writeKey: String?
    /// Items in request order.
    public var items: [Item]

    /// Decodes a request body.
    ///
    /// - Parameters:
    ///   - body: the raw (decompressed) JSON bytes.
    ///   - endpoint: the path that received them.
    ///   - receivedAt: server time of arrival, epoch milliseconds.
    ///   - makeMessageId: assigns an id to an item that has none.
    /// - Throws: ``IngestError`` for problems that spoil the whole request (malformed JSON, a
    ///   batch that is not an array or is too long); problems of one item are reported in `items`.
    public static func decode(
        body: some Collection<UInt8>,
        endpoint: Endpoint,
        receivedAt: Int64,
        makeMessageId: () -> String
    ) throws(IngestError) -> TrackingRequest {
        let root: JSONValue
        let sizes: [Int]
        do {
            (root, sizes) = try JSONParser.parse(body, measuringElementsOf: "batch")
        } catch {
            throw IngestError("invalid_json", "request body is not valid JSON: \(error.description)")
        }
        try checkEventSizes(endpoint: endpoint, bodyBytes: body.count, elementSizes: sizes)
        return try decode(root: root, endpoint: endpoint, receivedAt: receivedAt, makeMessageId: makeMessageId)
    }

    /// Refuses the request when one of its events is larger than ``maximumEventBytes``, measured
    /// as the JSON text the client sent.
    static func checkEventSizes(endpoint: Endpoint, bodyBytes: Int, elementSizes: [Int]) throws(IngestError) {
        guard bodyBytes > maximumEventBytes else { return }
        switch endpoint {
        case .single:
            throw IngestError(
                "event_too_large",
                "an event may be at most \(maximumEventBytes / 1024) KB; this one is \(bodyBytes) bytes"
            )
        case .batch, .history:
            if let index = elementSizes.firstIndex(where: { $0 > maximumEventBytes }) {
                throw IngestError(
                    "event_too_large",
                    "an event may be at most \(maximumEventBytes / 1024) KB; batch item \(index) is \(elementSizes[index]) bytes",
                    field: "batch[\(index)]"
                )
            }
        }
    }

    /// Decodes an already parsed request body; see ``decode(body:endpoint:receivedAt:makeMessageId:)``.
    public static func decode(
        root: JSONValue,
        endpoint: Endpoint,
        receivedAt: Int64,
        makeMessageId: () -> String
    ) throws(IngestError) -> TrackingRequest {
        guard case .object(let top) = root else {
            throw IngestError("invalid_body", "request body must be a JSON object, not \(root.typeName)")
        }
        var writeKey: String?
        if let key = top["writeKey"], !key.isNull {
            guard let text = key.stringValue else { throw IngestError("wrong_type", "writeKey must be a string", field: "writeKey") }
            writeKey = text
        }
        let rawItems: [(JSONObject?, String)]
        var shared = SharedFields()
        switch endpoint {
        case .single:
            rawItems = [(top, "")]
        case .batch, .history:
            guard let batchValue = top["batch"] else { throw IngestError("missing_field", "a batch request needs a `batch` array", field: "batch") }
            guard case .array(let elements) = batchValue else {
                throw IngestError("wrong_type", "batch must be an array, not \(batchValue.typeName)", field: "batch")
            }
            guard elements.count <= maximumBatchItems else {
                throw IngestError(
                    "batch_too_large",
                    "a batch holds at most \(maximumBatchItems) items; this one has \(elements.count)",
                    field: "batch"
                )
            }
            shared.context = try objectField(top, "context", path: "")
            shared.integrations = try objectField(top, "integrations", path: "")
            if let sent = top["sentAt"], !sent.isNull { shared.sentAt = try timestampValue(sent, field: "sentAt") }
            rawItems = elements.enumerated().map { index, element in (element.objectValue, "batch[\(index)].") }
        }

        // Parse each item, then correct the clock once for the whole request.
        var parsed: [Result<Message, IngestError>] = []
        parsed.reserveCapacity(rawItems.count)
        for (object, path) in rawItems {
            guard let object else {
                parsed.append(.failure(IngestError("wrong_type", "each batch item must be a JSON object", field: String(path.dropLast()))))
                continue
            }
            do {
                let message = try readMessage(
                    object,
                    path: path,
                    endpoint: endpoint,
                    shared: shared,
                    receivedAt: receivedAt,
                    makeMessageId: makeMessageId
                )
                parsed.append(.success(message))
            } catch {
                parsed.append(.failure(error))
            }
        }

        let sentAt = shared.sentAt ?? parsed.lazy.compactMap { (try? $0.get())?.sentAt }.first
        let offset = endpoint == .history ? nil : sentAt.map { receivedAt - $0 }
        let items = parsed.enumerated().map { index, result -> Item in
            switch result {
            case .failure(let error): return .rejected(error)
            case .success(var message):
                message.sentAt = message.sentAt ?? sentAt
                correctClock(&message, offset: offset)
                // A device clock set to year 0 (or a sentAt far in the future) would put the event
                // before 1970: refused, not stored with an impossible time.
                guard message.timestamp >= 0 else {
                    return .rejected(
                        IngestError(
                            "invalid_timestamp",
                            "the event's time after clock-skew correction is \(Timestamp.iso8601(message.timestamp)), before 1970; check the device clock",
                            field: rawItems[index].1 + "timestamp"
                        )
                    )
                }
                return .accepted(message)
            }
        }
        return TrackingRequest(writeKey: writeKey, items: items)
    }

    private struct SharedFields {
        var context: JSONObject = [:]
        var integrations: JSONObject = [:]
        var sentAt: Int64?
    }

    /// `timestamp = receivedAt − (sentAt − originalTimestamp)`, then the future clamp.
    static func correctClock(_ message: inout Message, offset: Int64?) {
        if let clientTime = message.originalTimestamp {
            if let offset {
                message.timestamp = clientTime + offset
                if offset != 0 { message.flags.insert(.skewCorrected) }
            } else {
                message.timestamp = clientTime
            }
        } else {
            message.timestamp = message.receivedAt
        }
        if message.timestamp > message.receivedAt + futureToleranceMillis {
            message.timestamp = message.receivedAt
            message.flags.insert(.clampedFuture)
        }
    }

    private static func readMessage(
        _ object: JSONObject,
        path: String,
        endpoint: Endpoint,
        shared: SharedFields,
        receivedAt: Int64,
        makeMessageId: () -> String
    ) throws(IngestError) -> Message {
        let type: MessageType
        switch endpoint {
        case .single(let fixed): type = fixed
        case .batch, .history:
            guard let typeValue = object["type"], !typeValue.isNull else {
                throw IngestError("missing_field", "each batch item needs a `type`", field: path + "type")
            }
            guard let typeText = typeValue.stringValue else {
                throw IngestError("wrong_type", "type must be a string", field: path + "type")
            }
            guard let known = MessageType(rawValue: typeText) ?? MessageType(rawValue: typeText.lowercased()) else {
                throw IngestError(
                    "unknown_type",
                    "unknown type `\(typeText)`; expected one of track, identify, page, screen, group, alias",
                    field: path + "type"
                )
            }
            type = known
        }

        let userId = try idField(object, "userId", path: path)
        let anonymousId = try idField(object, "anonymousId", path: path)
        guard userId != nil || anonymousId != nil else {
            throw IngestError("missing_id", "either userId or anonymousId is required", field: path + "userId")
        }

        var context = shared.context
        for (key, value) in try objectField(object, "context", path: path) { context[key] = value }
        var integrations = shared.integrations
        for (key, value) in try objectField(object, "integrations", path: path) { integrations[key] = value }
        var properties = try objectField(object, "properties", path: path)
        var traits = try objectField(object, "traits", path: path)

        var event: String?
        var groupId: String?
        var previousId: String?
        switch type {
        case .track:
            guard let name = try stringField(object, "event", path: path), !name.trimmingSpaces.isEmpty else {
                throw IngestError("missing_field", "a track call needs an `event` name", field: path + "event")
            }
            guard name.utf8.count <= 200 else { throw IngestError("invalid_field", "event name longer than 200 bytes", field: path + "event") }
            event = name
        case .page, .screen:
            event = try stringField(object, "name", path: path)
            // Segment's page `category` is a top-level field; it is kept with the properties.
            if let category = try stringField(object, "category", path: path), properties["category"] == nil {
                properties["category"] = .string(category)
            }
        case .identify:
            // The RudderStack SDK sends identify traits only in context.traits.
            if case .object(let contextTraits) = context["traits"] ?? .null {
                var merged = contextTraits
                for (key, value) in traits { merged[key] = value }
                traits = merged
            }
        case .group:
            groupId = try idField(object, "groupId", path: path, rejectPlaceholders: false)
            guard groupId != nil else { throw IngestError("missing_field", "a group call needs a `groupId`", field: path + "groupId") }
        case .alias:
            previousId = try idField(object, "previousId", path: path)
            guard previousId != nil else { throw IngestError("missing_field", "an alias call needs a `previousId`", field: path + "previousId") }
            guard userId != nil else { throw IngestError("missing_field", "an alias call needs a `userId`", field: path + "userId") }
        }

        var flags: EventFlags = []
        var messageId: String
        if let given = try idField(object, "messageId", path: path, rejectPlaceholders: false) {
            messageId = given
        } else {
            messageId = makeMessageId()
            flags.insert(.generatedMessageId)
        }
        if messageId.isEmpty { messageId = makeMessageId() }

        var originalTimestamp = try optionalTimestamp(object, "originalTimestamp", path: path)
        let timestamp = try optionalTimestamp(object, "timestamp", path: path)
        if originalTimestamp == nil { originalTimestamp = timestamp }
        let sentAt = try optionalTimestamp(object, "sentAt", path: path)

        return Message(
            type: type,
            messageId: messageId,
            userId: userId,
            anonymousId: anonymousId,
            event: event,
            properties: properties,
            traits: traits,
            context: context,
            integrations: integrations,
            groupId: groupId,
            previousId: previousId,
            timestamp: receivedAt,
            originalTimestamp: originalTimestamp,
            sentAt: shared.sentAt ?? sentAt,
            receivedAt: receivedAt,
            flags: flags
        )
    }

    /// An id field: a string or an integer (some SDKs send numeric user ids), `null` or absent.
    private static func idField(_ object: JSONObject, _ key: String, path: String, rejectPlaceholders: Bool = true) throws(IngestError) -> String? {
        guard let value = object[key] else { return nil }
        let text: String
        switch value {
        case .null: return nil
        case .string(let s): text = s
        case .int(let i): text = String(i)
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: text = String(Int64(d))
        default: throw IngestError("wrong_type", "\(key) must be a string, not \(value.typeName)", field: path + key)
        }
        // Placeholders are short words; real ids (UUIDs, numbers, openids) skip the lower-casing.
        if rejectPlaceholders {
            let trimmed = text.trimmingSpaces
            if trimmed.isEmpty || (trimmed.utf8.count <= 20 && placeholderIds.contains(trimmed.lowercased())) {
                throw IngestError("invalid_id", "\(key) `\(text)` is a placeholder, not an id", field: path + key)
            }
        }
        guard text.utf8.count <= maximumIdLength else {
            throw IngestError("invalid_id", "\(key) is longer than \(maximumIdLength) bytes", field: path + key)
        }
        guard !text.utf8.contains(0) else { throw IngestError("invalid_id", "\(key) contains a NUL character", field: path + key) }
        return text
    }

    private static func stringField(_ object: JSONObject, _ key: String, path: String) throws(IngestError) -> String? {
        guard let value = object[key] else { return nil }
        switch value {
        case .null: return nil
        case .string(let s):
            guard !s.utf8.contains(0) else { throw IngestError("invalid_field", "\(key) contains a NUL character", field: path + key) }
            return s
        default: throw IngestError("wrong_type", "\(key) must be a string, not \(value.typeName)", field: path + key)
        }
    }

    private static func objectField(_ object: JSONObject, _ key: String, path: String) throws(IngestError) -> JSONObject {
        guard let value = object[key] else { return [:] }
        switch value {
        case .null: return [:]
        case .object(let o): return o
        default: throw IngestError("wrong_type", "\(key) must be an object, not \(value.typeName)", field: path + key)
        }
    }

    private static func optionalTimestamp(_ object: JSONObject, _ key: String, path: String) throws(IngestError) -> Int64? {
        guard let value = object[key], !value.isNull else { return nil }
        return try timestampValue(value, field: path + key)
    }

    private static func timestampValue(_ value: JSONValue, field: String) throws(IngestError) -> Int64 {
        guard let text = value.stringValue else {
            throw IngestError("wrong_type", "\(field) must be an ISO 8601 string, not \(value.typeName)", field: field)
        }
        guard let millis = Timestamp.parseISO8601(text) else {
            throw IngestError("invalid_timestamp", "\(field) `\(text)` is not an ISO 8601 date-time", field: field)
        }
        return millis
    }
}

extension String {
    /// The string without leading and trailing spaces (ASCII, no-break and ideographic), tabs and newlines.
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{3000}" || $0 == "\u{A0}" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = lastIndex(where: { !isSpace($0) })!
        return self[first...last]
    }
}
