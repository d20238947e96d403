import GRDB
import SiyuCore

extension SQLiteStore: EventRepository {
    public func events(workspaceId: Int64, afterSeq: Int64, since: Int64?, limit: Int) async throws -> [StoredEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.*, p.canonical_id FROM events e JOIN persons p ON p.id = e.person_id
                    WHERE e.workspace_id = ? AND e.id > ? AND e.timestamp >= ? ORDER BY e.id LIMIT ?
                    """,
                arguments: [workspaceId, afterSeq, since ?? Int64.min, limit]
            ).map(Self.storedEvent)
        }
    }

    public func recentEvents(workspaceId: Int64, until: Int64, limit: Int) async throws -> [StoredEvent] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.*, p.canonical_id FROM events e JOIN persons p ON p.id = e.person_id
                    WHERE e.workspace_id = ? AND e.timestamp <= ? ORDER BY e.timestamp DESC, e.id DESC LIMIT ?
                    """,
                arguments: [workspaceId, until, limit]
            ).map(Self.storedEvent)
        }
    }

    public func eventCount(workspaceId: Int64) async throws -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events WHERE workspace_id = ?", arguments: [workspaceId]) ?? 0 }
    }

    public func scanEvents(workspaceId: Int64, from: Int64, to: Int64, names: [String]?) async throws -> EventFrame {
        try await read { db in
            var sql = """
                SELECT p.canonical_id, e.timestamp, e.event, e.channel, e.type, e.revenue_minor, e.currency
                FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.workspace_id = ? AND e.timestamp >= ? AND e.timestamp < ?
                """
            var arguments: StatementArguments = [workspaceId, from, to]
            if let names {
                sql += " AND e.event IN (\(names.map { _ in "?" }.joined(separator: ",")))"
                for name in names { _ = arguments.append(contentsOf: [name]) }
            }
            let currency = try String.fetchOne(db, sql: "SELECT currency FROM workspaces WHERE id = ?", arguments: [workspaceId]) ?? ""
            var builder = EventFrameBuilder(workspaceCurrency: currency)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                builder.append(
                    person: row[0],
                    timestamp: row[1],
                    name: row[2],
                    channel: row[3],
                    type: row[4],
                    revenueMinor: row[5],
                    currency: row[6]
                )
            }
            return builder.sorted()
        }
    }

    public func ping() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    static func storedEvent(_ row: Row) -> StoredEvent {
        EventRow(
            messageId: row["message_id"],
            type: row["type"],
            event: row["event"],
            personId: row["person_id"],
            userId: row["user_id"],
            anonymousId: row["anonymous_id"],
            timestamp: row["timestamp"],
            receivedAt: row["received_at"],
            originalTimestamp: row["original_timestamp"],
            sentAt: row["sent_at"],
            channel: row["channel"],
            revenueMinor: row["revenue_minor"],
            currency: row["currency"],
            flags: row["flags"],
            properties: row["properties"],
            traits: row["traits"],
            context: row["context"],
            extra: row["extra"]
        ).storedEvent(seq: row["id"], canonicalPersonId: row["canonical_id"])
    }
}

/// Collects scanned events into an ``EventFrame`` and sorts it by (person, time).
struct EventFrameBuilder {
    let workspaceCurrency: String
    var frame = EventFrame()
    var nameIndex: [String: Int32] = [:]
    var channelIndex: [String: Int32] = [:]

    init(workspaceCurrency: String) { self.workspaceCurrency = workspaceCurrency }

    mutating func append(person: Int64, timestamp: Int64, name: String?, channel: String, type: Int, revenueMinor: Int64?, currency: String?) {
        frame.personIds.append(person)
        frame.timestamps.append(timestamp)
        if let name {
            if let index = nameIndex[name] {
                frame.nameIndexes.append(index)
            } else {
                let index = Int32(frame.names.count)
                frame.names.append(name)
                nameIndex[name] = index
                frame.nameIndexes.append(index)
            }
        } else {
            frame.nameIndexes.append(-1)
        }
        if let index = channelIndex[channel] {
            frame.channelIndexes.append(index)
        } else {
            let index = Int32(frame.channels.count)
            frame.channels.append(channel)
            channelIndex[channel] = index
            frame.channelIndexes.append(index)
        }
        frame.types.append(UInt8(truncatingIfNeeded: type))
        frame.revenueMinor.append(currency == workspaceCurrency ? Money.clampedEventAmount(revenueMinor ?? 0) : 0)
    }

    /// The frame sorted by person, then time (stable for equal keys).
    func sorted() -> EventFrame {
        let order = (0..<frame.count).sorted { a, b in
            (frame.personIds[a], frame.timestamps[a], a) < (frame.personIds[b], frame.timestamps[b], b)
        }
        var result = EventFrame()
        result.names = frame.names
        result.channels = frame.channels
        result.personIds = order.map { frame.personIds[$0] }
        result.timestamps = order.map { frame.timestamps[$0] }
        result.nameIndexes = order.map { frame.nameIndexes[$0] }
        result.channelIndexes = order.map { frame.channelIndexes[$0] }
        result.types = order.map { frame.types[$0] }
        result.revenueMinor = order.map { frame.revenueMinor[$0] }
        return result
    }
}
