import OrderedCollections
import SiyuCore

extension StoredEvent {
    /// The event as the admin API and `siyu export` write it.
    public var json: JSONValue {
        var object = JSONObject()
        object["seq"] = .int(seq)
        object["messageId"] = .string(message.messageId)
        object["type"] = .string(message.type.rawValue)
        object["event"] = message.event.map(JSONValue.string) ?? .null
        object["personId"] = .int(personId)
        if originPersonId != personId { object["originPersonId"] = .int(originPersonId) }
        object["userId"] = message.userId.map(JSONValue.string) ?? .null
        object["anonymousId"] = message.anonymousId.map(JSONValue.string) ?? .null
        object["channel"] = .string(channel)
        object["timestamp"] = .string(Timestamp.iso8601(message.timestamp))
        object["receivedAt"] = .string(Timestamp.iso8601(message.receivedAt))
        object["originalTimestamp"] = message.originalTimestamp.map { .string(Timestamp.iso8601($0)) } ?? .null
        object["sentAt"] = message.sentAt.map { .string(Timestamp.iso8601($0)) } ?? .null
        if let revenueMinor, let currency {
            object["revenue"] = Money(minorUnits: revenueMinor, currency: currency).json
        }
        object["properties"] = .object(message.properties)
        if !message.traits.isEmpty { object["traits"] = .object(message.traits) }
        object["context"] = .object(message.context)
        if !message.integrations.isEmpty { object["integrations"] = .object(message.integrations) }
        if let groupId = message.groupId { object["groupId"] = .string(groupId) }
        if let previousId = message.previousId { object["previousId"] = .string(previousId) }
        let flags = message.flags.names
        if !flags.isEmpty { object["flags"] = .array(flags.map(JSONValue.string)) }
        return .object(object)
    }
}

extension EventFlags {
    /// Names of the flags set, for JSON.
    public var names: [String] {
        var names: [String] = []
        if contains(.skewCorrected) { names.append("skewCorrected") }
        if contains(.clampedFuture) { names.append("clampedFuture") }
        if contains(.generatedMessageId) { names.append("generatedMessageId") }
        if contains(.imported) { names.append("imported") }
        if contains(.mergeRefused) { names.append("mergeRefused") }
        if contains(.order) { names.append("order") }
        return names
    }
}

extension Money {
    /// `{"amount": "129.90", "minorUnits": 12990, "currency": "CNY"}`.
    public var json: JSONValue {
        ["amount": .string(decimalText), "minorUnits": .int(minorUnits), "currency": .string(currency)]
    }
}

extension PersonProfile {
    /// The profile as the admin API and `siyu export people` write it.
    public func json(currency: String) -> JSONValue {
        var object = JSONObject()
        object["id"] = .int(id)
        object["userId"] = userId.map(JSONValue.string) ?? .null
        object["createdAt"] = .string(Timestamp.iso8601(createdAt))
        object["firstSeen"] = firstSeen.map { .string(Timestamp.iso8601($0)) } ?? .null
        object["lastSeen"] = lastSeen.map { .string(Timestamp.iso8601($0)) } ?? .null
        object["firstChannel"] = firstChannel.map(JSONValue.string) ?? .null
        object["lastChannel"] = lastChannel.map(JSONValue.string) ?? .null
        object["eventCount"] = .int(eventCount)
        object["orderCount"] = .int(orderCount)
        object["revenue"] = Money(minorUnits: revenueMinor, currency: currency).json
        object["traits"] = .object(traits)
        return .object(object)
    }
}

extension IdentityRecord {
    public var json: JSONValue {
        var object: JSONObject = ["kind": .string(kind), "value": .string(value), "personId": .int(personId)]
        if IdentityKey.hashedKinds.contains(kind) { object["hashed"] = .bool(true) }
        object["createdAt"] = .string(Timestamp.iso8601(createdAt))
        return .object(object)
    }
}

extension MergeLogEntry {
    public var json: JSONValue {
        [
            "id": .int(id), "survivor": .int(record.survivor), "loser": .int(record.loser), "at": .string(Timestamp.iso8601(record.at)),
            "messageId": .string(record.messageId), "reason": .string(record.reason),
            "identity": ["kind": .string(record.identity.kind), "value": .string(record.identity.value)],
            "undoneAt": undoneAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
        ]
    }
}

extension ConflictLogEntry {
    public var json: JSONValue {
        [
            "id": .int(id), "keptPerson": .int(conflict.keptPerson), "otherPerson": .int(conflict.otherPerson),
            "identity": ["kind": .string(conflict.identity.kind), "value": .string(conflict.identity.value)],
            "messageId": .string(conflict.messageId), "at": .string(Timestamp.iso8601(conflict.at)),
            "occurrences": .int(occurrences), "lastAt": .string(Timestamp.iso8601(lastAt)),
        ]
    }
}

extension Channel {
    public var json: JSONValue {
        var object: JSONObject = ["key": .string(key), "name": .string(name), "kind": .string(kind.rawValue)]
        object["trackingCodes"] = .array(
            trackingCodes.map { code in
                var entry = JSONObject()
                if let c = code.code { entry["code"] = .string(c) }
                if let s = code.utmSource { entry["utmSource"] = .string(s) }
                if let m = code.utmMedium { entry["utmMedium"] = .string(m) }
                if let n = code.utmCampaign { entry["utmCampaign"] = .string(n) }
                return .object(entry)
            }
        )
        object["monthlyCostMinor"] = monthlyCostMinor.map(JSONValue.int) ?? .null
        return .object(object)
    }
}
