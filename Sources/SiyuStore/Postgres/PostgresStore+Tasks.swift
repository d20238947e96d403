import PostgresNIO
import SiyuCore

extension PostgresStore: StaffTaskRepository {
    static let staffTaskColumns =
        "id, workspace_id, outbox_key, person_id, journey_id, title, assignee, due_at, status, confirmed_by, confirmed_at, note, created_at"

    public func insertStaffTask(workspaceId: Int64, _ draft: StaffTaskDraft, now: Int64) async throws -> StaffTask {
        try await transaction { connection in
            try await connection.run(
                """
                INSERT INTO staff_tasks (workspace_id, outbox_key, person_id, journey_id, title, assignee, due_at, status, created_at)
                VALUES (\(workspaceId), \(draft.key), \(draft.personId), \(draft.journeyId), \(draft.title), \(draft.assignee), \(draft.dueAt),
                    'open', \(now))
                ON CONFLICT (workspace_id, outbox_key) DO NOTHING
                """,
                logger: logger
            )
            guard
                let task = try await connection.rows(
                    """
                    SELECT \(unescaped: Self.staffTaskColumns) FROM staff_tasks WHERE workspace_id = \(workspaceId) AND outbox_key = \(draft.key)
                    """,
                    logger: logger
                ).first.map(Self.staffTask)
            else { throw StoreError.notFound("the task of `\(draft.key)` was not stored") }
            return task
        }
    }

    public func staffTasks(workspaceId: Int64, status: StaffTaskStatus?, limit: Int) async throws -> [StaffTask] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.staffTaskColumns) FROM staff_tasks
                WHERE workspace_id = \(workspaceId) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
                ORDER BY status = 'open' DESC,
                    CASE WHEN status = 'open' THEN COALESCE(due_at, 9223372036854775807) ELSE -COALESCE(confirmed_at, 0) END, id
                LIMIT \(Int64(limit))
                """,
                logger: logger
            ).map(Self.staffTask)
        }
    }

    public func staffTask(id: Int64, workspaceId: Int64) async throws -> StaffTask? {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.staffTaskColumns) FROM staff_tasks WHERE id = \(id) AND workspace_id = \(workspaceId)",
                logger: logger
            ).first.map(Self.staffTask)
        }
    }

    public func updateStaffTask(
        id: Int64,
        workspaceId: Int64,
        status: StaffTaskStatus,
        by: String,
        note: String?,
        now: Int64
    ) async throws
        -> StaffTask?
    {
        try await transaction { connection in
            guard
                let task = try await connection.rows(
                    """
                    SELECT \(unescaped: Self.staffTaskColumns) FROM staff_tasks WHERE id = \(id) AND workspace_id = \(workspaceId) FOR UPDATE
                    """,
                    logger: logger
                ).first.map(Self.staffTask)
            else { return nil }
            guard task.status == .open else { throw StoreError.conflict("task \(id) is already \(task.status.rawValue)") }
            return try await connection.rows(
                """
                UPDATE staff_tasks SET status = \(status.rawValue), confirmed_by = \(by), confirmed_at = \(now), note = \(note)
                WHERE id = \(id) RETURNING \(unescaped: Self.staffTaskColumns)
                """,
                logger: logger
            ).first.map(Self.staffTask)
        }
    }

    static func staffTask(_ row: PostgresRow) throws -> StaffTask {
        let (id, workspaceId, key, personId, journeyId, title, assignee, dueAt, status, confirmedBy, confirmedAt, note, createdAt) =
            try row.decode((Int64, Int64, String, Int64?, Int64?, String, String?, Int64?, String, String?, Int64?, String?, Int64).self)
        return StaffTask(
            id: id,
            workspaceId: workspaceId,
            key: key,
            personId: personId,
            journeyId: journeyId,
            title: title,
            assignee: assignee,
            dueAt: dueAt,
            status: StaffTaskStatus(rawValue: status) ?? .open,
            confirmedBy: confirmedBy,
            confirmedAt: confirmedAt,
            note: note,
            createdAt: createdAt
        )
    }
}
