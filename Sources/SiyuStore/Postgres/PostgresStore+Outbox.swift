import PostgresNIO
import SiyuCore

extension PostgresStore: OutboxRepository {
    static let outboxColumns =
        "id, workspace_id, key, channel, payload, status, attempts, due_at, last_error, response, journey_id, person_id, created_at, delivered_at"

    /// Inserts outbox rows, each key once per workspace (a key already there is left as it is).
    func insertOutbox(_ connection: PostgresConnection, workspaceId: Int64, _ drafts: [OutboxDraft], now: Int64) async throws {
        for draft in drafts {
            try await connection.run(
                """
                INSERT INTO outbox (workspace_id, key, channel, payload, status, due_at, journey_id, person_id, created_at)
                VALUES (\(workspaceId), \(draft.key), \(draft.channel), \(draft.payload), 'pending', \(max(draft.notBefore, now)), \(draft.journeyId),
                    \(draft.personId), \(now))
                ON CONFLICT (workspace_id, key) DO NOTHING
                """,
                logger: logger
            )
        }
    }

    public func claimOutbox(now: Int64, limit: Int, leaseMillis: Int64) async throws -> [OutboxMessage] {
        try await transaction { connection in
            // SKIP LOCKED: several workers (or servers) claim different rows.
            try await connection.rows(
                """
                UPDATE outbox SET status = 'sending', attempts = attempts + 1, due_at = \(now + leaseMillis)
                WHERE id IN (
                    SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND due_at <= \(now)
                    ORDER BY due_at LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
                )
                RETURNING \(unescaped: Self.outboxColumns)
                """,
                logger: logger
            ).map(Self.outbox).sorted { $0.id < $1.id }
        }
    }

    public func finishOutbox(_ finishes: [OutboxFinish], now: Int64) async throws {
        guard !finishes.isEmpty else { return }
        try await transaction { connection in
            for finish in finishes {
                let change = OutboxChange(finish.result, now: now)
                let (id, attempt) = (finish.id, finish.attempt)
                let updated = try await connection.rows(
                    """
                    UPDATE outbox SET status = \(change.status.rawValue), due_at = \(change.dueAt),
                        last_error = COALESCE(\(change.error.map(OutboxText.bounded)), last_error),
                        response = COALESCE(\(change.response.map(OutboxText.bounded)), response), delivered_at = \(change.deliveredAt),
                        attempts = attempts - \(Int32(change.refund))
                    WHERE id = \(id) AND status = 'sending' AND attempts = \(Int32(attempt))
                    RETURNING id
                    """,
                    logger: logger
                )
                if !updated.isEmpty, let count = change.count {
                    try await connection.run(
                        """
                        INSERT INTO journey_node_counts (journey_id, version, node, outcome, count)
                        VALUES (\(count.journeyId), \(count.version), \(count.node), \(count.outcome), 1)
                        ON CONFLICT (journey_id, version, node, outcome) DO UPDATE SET count = journey_node_counts.count + 1
                        """,
                        logger: logger
                    )
                }
            }
        }
    }

    public func outboxMessages(workspaceId: Int64, status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.outboxColumns) FROM outbox
                WHERE workspace_id = \(workspaceId) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                ORDER BY id DESC LIMIT \(Int64(limit))
                """,
                logger: logger
            ).map(Self.outbox)
        }
    }

    public func retryOutbox(id: Int64, workspaceId: Int64, now: Int64) async throws -> OutboxMessage? {
        try await transaction { connection in
            try await connection.rows(
                """
                UPDATE outbox SET status = 'pending', due_at = \(now) WHERE id = \(id) AND workspace_id = \(workspaceId) AND status = 'failed'
                RETURNING \(unescaped: Self.outboxColumns)
                """,
                logger: logger
            ).first.map(Self.outbox)
        }
    }

    public func outboxCounts(workspaceId: Int64, since: Int64) async throws -> [String: [OutboxStatus: Int]] {
        try await read { connection in
            var counts: [String: [OutboxStatus: Int]] = [:]
            for row in try await connection.rows(
                """
                SELECT channel, status, COUNT(*) FROM outbox WHERE workspace_id = \(workspaceId) AND created_at >= \(since)
                GROUP BY channel, status
                """,
                logger: logger
            ) {
                let (channel, status, count) = try row.decode((String, String, Int64).self)
                guard let status = OutboxStatus(rawValue: status) else { continue }
                counts[channel, default: [:]][status] = Int(count)
            }
            return counts
        }
    }

    static func outbox(_ row: PostgresRow) throws -> OutboxMessage {
        let (id, workspaceId, key, channel, payload, status, attempts, dueAt, lastError, response, journeyId, personId, createdAt, deliveredAt) =
            try row.decode((Int64, Int64, String, String, String, String, Int32, Int64, String?, String?, Int64?, Int64?, Int64, Int64?).self)
        return OutboxMessage(
            id: id,
            workspaceId: workspaceId,
            key: key,
            channel: channel,
            payload: payload,
            status: OutboxStatus(rawValue: status) ?? .failed,
            attempts: Int(attempts),
            dueAt: dueAt,
            lastError: lastError,
            response: response,
            journeyId: journeyId,
            personId: personId,
            createdAt: createdAt,
            deliveredAt: deliveredAt
        )
    }
}
