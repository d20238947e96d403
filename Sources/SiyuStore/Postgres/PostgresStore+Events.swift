import PostgresNIO
import SiyuCore

extension PostgresStore: EventRepository {
    public func events(workspaceId: Int64, afterSeq: Int64, since: Int64?, limit: Int) async throws -> [StoredEvent] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.eventColumns) FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.workspace_id = \(workspaceId) AND e.id > \(afterSeq) AND e.timestamp >= \(since ?? Int64.min)
                ORDER BY e.id LIMIT \(Self.limit(limit))
                """,
                logger: logger
            ).map(Self.storedEvent)
        }
    }

    public func recentEvents(workspaceId: Int64, until: Int64, limit: Int) async throws -> [StoredEvent] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.eventColumns) FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.workspace_id = \(workspaceId) AND e.timestamp <= \(until)
                ORDER BY e.timestamp DESC, e.id DESC LIMIT \(Self.limit(limit))
                """,
                logger: logger
            ).map(Self.storedEvent)
        }
    }

    public func eventCount(workspaceId: Int64) async throws -> Int {
        try await read { connection in
            Int(try await connection.value(Int64.self, "SELECT COUNT(*) FROM events WHERE workspace_id = \(workspaceId)", logger: logger) ?? 0)
        }
    }

    public func scanEvents(workspaceId: Int64, from: Int64, to: Int64, names: [String]?) async throws -> EventFrame {
        try await read { connection in
            let currency = try await connection.value(String.self, "SELECT currency FROM workspaces WHERE id = \(workspaceId)", logger: logger) ?? ""
            var builder = EventFrameBuilder(workspaceCurrency: currency)
            // `names` NULL means every event; ties of person and time keep the order of arrival.
            let rows = try await connection.query(
                """
                SELECT p.canonical_id, e.timestamp, e.event, e.channel, e.type, e.revenue_minor, e.currency
                FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.workspace_id = \(workspaceId) AND e.timestamp >= \(from) AND e.timestamp < \(to)
                    AND (\(names == nil) OR e.event = ANY(\(names ?? [])::text[]))
                ORDER BY e.timestamp, e.id
                """,
                logger: logger
            )
            for try await (person, timestamp, name, channel, type, revenueMinor, currency) in rows.decode(
                (Int64, Int64, String?, String, Int64, Int64?, String?).self
            ) {
                builder.append(
                    person: person,
                    timestamp: timestamp,
                    name: name,
                    channel: channel,
                    type: Int(type),
                    revenueMinor: revenueMinor,
                    currency: currency
                )
            }
            return builder.sorted()
        }
    }

    public func ping() async throws {
        try await read { connection in try await connection.run("SELECT 1", logger: logger) }
    }
}
