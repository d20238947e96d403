import GRDB
import SiyuCore

extension SQLiteStore: OutboxRepository {
    /// Inserts outbox rows, each key once per workspace (a key already there is left as it is).
    static func insertOutbox(_ db: Database, workspaceId: Int64, _ drafts: [OutboxDraft], now: Int64) throws {
        guard !drafts.isEmpty else { return }
        let insert = try db.makeStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (workspace_id, key, channel, payload, status, due_at, journey_id, person_id, created_at)
                VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)
                """
        )
        for draft in drafts {
            try insert.execute(arguments: [
                workspaceId, draft.key, draft.channel, draft.payload, max(draft.notBefore, now), draft.journeyId, draft.personId, now,
            ])
        }
    }

    public func claimOutbox(now: Int64, limit: Int, leaseMillis: Int64) async throws -> [OutboxMessage] {
        // Most passes find nothing due: look first without taking the writer's lock, which ingestion needs.
        let anyDue = try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= ? LIMIT 1", arguments: [now])
                ?? false
        }
        guard anyDue else { return [] }
        return try await write { db in
            let ids = try Int64.fetchAll(
                db,
                sql: "SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= ? ORDER BY due_at LIMIT ?",
                arguments: [now, limit]
            )
            guard !ids.isEmpty else { return [] }
            let list = databaseQuestionMarks(count: ids.count)
            try db.execute(
                sql: "UPDATE outbox SET status = 'sending', attempts = attempts + 1, due_at = ? WHERE id IN (\(list))",
                arguments: StatementArguments([now + leaseMillis]) + StatementArguments(ids)
            )
            return try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE id IN (\(list)) ORDER BY id", arguments: StatementArguments(ids)).map(
                Self.outbox
            )
        }
    }

    public func finishOutbox(_ finishes: [OutboxFinish], now: Int64) async throws {
        guard !finishes.isEmpty else { return }
        try await write { db in
            let update = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET status = ?, due_at = ?, last_error = COALESCE(?, last_error), response = COALESCE(?, response),
                        delivered_at = ?, attempts = attempts - ?
                    WHERE id = ? AND status = 'sending' AND attempts = ?
                    """
            )
            for finish in finishes {
                let change = OutboxChange(finish.result, now: now)
                try update.execute(arguments: [
                    change.status.rawValue, change.dueAt, change.error.map(OutboxText.bounded), change.response.map(OutboxText.bounded),
                    change.deliveredAt, change.refund, finish.id, finish.attempt,
                ])
                if db.changesCount == 1, let count = change.count {
                    try db.execute(
                        sql: """
                            INSERT INTO journey_node_counts (journey_id, version, node, outcome, count) VALUES (?, ?, ?, ?, 1)
                            ON CONFLICT (journey_id, version, node, outcome) DO UPDATE SET count = count + 1
                            """,
                        arguments: [count.journeyId, count.version, count.node, count.outcome]
                    )
                }
            }
        }
    }

    public func outboxMessages(workspaceId: Int64, status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM outbox WHERE workspace_id = ? AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?",
                arguments: [workspaceId, status?.rawValue, status?.rawValue, limit]
            ).map(Self.outbox)
        }
    }

    public func retryOutbox(id: Int64, workspaceId: Int64, now: Int64) async throws -> OutboxMessage? {
        try await write { db in
            try db.execute(
                sql: "UPDATE outbox SET status = 'pending', due_at = ? WHERE id = ? AND workspace_id = ? AND status = 'failed'",
                arguments: [now, id, workspaceId]
            )
            guard db.changesCount == 1 else { return nil }
            return try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE id = ?", arguments: [id]).map(Self.outbox)
        }
    }

    public func outboxCounts(workspaceId: Int64, since: Int64) async throws -> [String: [OutboxStatus: Int]] {
        try await read { db in
            var counts: [String: [OutboxStatus: Int]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT channel, status, COUNT(*) AS n FROM outbox WHERE workspace_id = ? AND created_at >= ? GROUP BY channel, status",
                arguments: [workspaceId, since]
            ) {
                guard let status = OutboxStatus(rawValue: row["status"]) else { continue }
                counts[row["channel"], default: [:]][status] = row["n"]
            }
            return counts
        }
    }

    static func outbox(_ row: Row) -> OutboxMessage {
        OutboxMessage(
            id: row["id"],
            workspaceId: row["workspace_id"],
            key: row["key"],
            channel: row["channel"],
            payload: row["payload"],
            status: OutboxStatus(rawValue: row["status"]) ?? .failed,
            attempts: row["attempts"],
            dueAt: row["due_at"],
            lastError: row["last_error"],
            response: row["response"],
            journeyId: row["journey_id"],
            personId: row["person_id"],
            createdAt: row["created_at"],
            deliveredAt: row["delivered_at"]
        )
    }
}
