import GRDB
import SiyuCore

extension SQLiteStore: JourneyActivityRepository {
    public func journeyInstanceStates(workspaceId: Int64) async throws -> [Int64: [JourneyInstanceState: Int]] {
        try await read { db in
            var counts: [Int64: [JourneyInstanceState: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT journey_id, state, COUNT(*) AS n FROM journey_instances WHERE workspace_id = ? GROUP BY journey_id, state",
                arguments: [workspaceId]
            ) {
                guard let state = JourneyInstanceState(rawValue: row["state"]) else { continue }
                counts[row["journey_id"], default: [:]][state] = row["n"]
            }
            return counts
        }
    }

    public func journeyOutboxCounts(workspaceId: Int64, since: Int64) async throws -> [Int64: [OutboxStatus: Int]] {
        try await read { db in
            var counts: [Int64: [OutboxStatus: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT journey_id, status, COUNT(*) AS n FROM outbox
                    WHERE workspace_id = ? AND created_at >= ? AND journey_id IS NOT NULL GROUP BY journey_id, status
                    """,
                arguments: [workspaceId, since]
            ) {
                guard let status = OutboxStatus(rawValue: row["status"]) else { continue }
                counts[row["journey_id"], default: [:]][status] = row["n"]
            }
            return counts
        }
    }
}
