import PostgresNIO
import SiyuCore

extension PostgresStore: JourneyActivityRepository {
    public func journeyInstanceStates(workspaceId: Int64) async throws -> [Int64: [JourneyInstanceState: Int]] {
        try await read { connection in
            var counts: [Int64: [JourneyInstanceState: Int]] = [:]
            for row in try await connection.rows(
                "SELECT journey_id, state, COUNT(*) FROM journey_instances WHERE workspace_id = \(workspaceId) GROUP BY journey_id, state",
                logger: logger
            ) {
                let (journey, state, count) = try row.decode((Int64, String, Int64).self)
                guard let state = JourneyInstanceState(rawValue: state) else { continue }
                counts[journey, default: [:]][state] = Int(count)
            }
            return counts
        }
    }

    public func journeyOutboxCounts(workspaceId: Int64, since: Int64) async throws -> [Int64: [OutboxStatus: Int]] {
        try await read { connection in
            var counts: [Int64: [OutboxStatus: Int]] = [:]
            for row in try await connection.rows(
                """
                SELECT journey_id, status, COUNT(*) FROM outbox
                WHERE workspace_id = \(workspaceId) AND created_at >= \(since) AND journey_id IS NOT NULL GROUP BY journey_id, status
                """,
                logger: logger
            ) {
                let (journey, status, count) = try row.decode((Int64, String, Int64).self)
                guard let status = OutboxStatus(rawValue: status) else { continue }
                counts[journey, default: [:]][status] = Int(count)
            }
            return counts
        }
    }
}
