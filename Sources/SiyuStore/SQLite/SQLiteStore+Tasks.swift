import GRDB
import SiyuCore

extension SQLiteStore: StaffTaskRepository {
    public func insertStaffTask(workspaceId: Int64, _ draft: StaffTaskDraft, now: Int64) async throws -> StaffTask {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO staff_tasks (workspace_id, outbox_key, person_id, journey_id, title, assignee, due_at, status, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)
                    """,
                arguments: [workspaceId, draft.key, draft.personId, draft.journeyId, draft.title, draft.assignee, draft.dueAt, now]
            )
            guard
                let task = try Row.fetchOne(
                    db,
                    sql: "SELECT * FROM staff_tasks WHERE workspace_id = ? AND outbox_key = ?",
                    arguments: [workspaceId, draft.key]
                ).map(Self.staffTask)
            else { throw StoreError.notFound("the task of `\(draft.key)` was not stored") }
            return task
        }
    }

    public func staffTasks(workspaceId: Int64, status: StaffTaskStatus?, limit: Int) async throws -> [StaffTask] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM staff_tasks WHERE workspace_id = ? AND (? IS NULL OR status = ?)
                    ORDER BY status = 'open' DESC,
                        CASE WHEN status = 'open' THEN COALESCE(due_at, 9223372036854775807) ELSE -COALESCE(confirmed_at, 0) END, id
                    LIMIT ?
                    """,
                arguments: [workspaceId, status?.rawValue, status?.rawValue, limit]
            ).map(Self.staffTask)
        }
    }

    public func staffTask(id: Int64, workspaceId: Int64) async throws -> StaffTask? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff_tasks WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId]).map(Self.staffTask)
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
        try await write { db in
            guard
                let task = try Row.fetchOne(db, sql: "SELECT * FROM staff_tasks WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
                    .map(Self.staffTask)
            else { return nil }
            guard task.status == .open else { throw StoreError.conflict("task \(id) is already \(task.status.rawValue)") }
            try db.execute(
                sql: "UPDATE staff_tasks SET status = ?, confirmed_by = ?, confirmed_at = ?, note = ? WHERE id = ?",
                arguments: [status.rawValue, by, now, note, id]
            )
            return try Row.fetchOne(db, sql: "SELECT * FROM staff_tasks WHERE id = ?", arguments: [id]).map(Self.staffTask)
        }
    }

    static func staffTask(_ row: Row) -> StaffTask {
        StaffTask(
            id: row["id"],
            workspaceId: row["workspace_id"],
            key: row["outbox_key"],
            personId: row["person_id"],
            journeyId: row["journey_id"],
            title: row["title"],
            assignee: row["assignee"],
            dueAt: row["due_at"],
            status: StaffTaskStatus(rawValue: row["status"]) ?? .open,
            confirmedBy: row["confirmed_by"],
            confirmedAt: row["confirmed_at"],
            note: row["note"],
            createdAt: row["created_at"]
        )
    }
}
