import SiyuCore

/// Tasks journeys give the brand's staff: recorded once per outbox row, listed, confirmed.
public protocol StaffTaskRepository: Sendable {
    /// Stores a task made by ``StaffTaskValidation/bounded(_:)``, once per key in the workspace:
    /// answers the task, the one already there when the key was recorded before.
    func insertStaffTask(workspaceId: Int64, _ draft: StaffTaskDraft, now: Int64) async throws -> StaffTask
    /// A workspace's tasks, optionally of one status: open ones first, earliest due first (no due
    /// time last), then the confirmed ones, latest confirmed first; at most `limit`.
    func staffTasks(workspaceId: Int64, status: StaffTaskStatus?, limit: Int) async throws -> [StaffTask]
    func staffTask(id: Int64, workspaceId: Int64) async throws -> StaffTask?
    /// Marks an open task done or dismissed, checked by ``confirmStaffTask(id:workspaceId:status:by:note:now:)``:
    /// nil when the workspace has no task `id`; ``StoreError/conflict(_:)`` when it is no longer open.
    func updateStaffTask(
        id: Int64,
        workspaceId: Int64,
        status: StaffTaskStatus,
        by: String,
        note: String?,
        now: Int64
    ) async throws
        -> StaffTask?
}

extension StaffTaskRepository {
    /// Records the task an outbox row asks for (its title and assignee bounded); the same key again
    /// answers the task already recorded.
    public func recordStaffTask(workspaceId: Int64, _ draft: StaffTaskDraft, now: Int64) async throws -> StaffTask {
        try await insertStaffTask(workspaceId: workspaceId, StaffTaskValidation.bounded(draft), now: now)
    }

    /// Confirms an open task as done or dismissed, by someone named, with an optional note
    /// (``StaffTaskValidation``); an empty note is none.
    public func confirmStaffTask(
        id: Int64,
        workspaceId: Int64,
        status: StaffTaskStatus,
        by: String,
        note: String?,
        now: Int64
    ) async throws -> StaffTask? {
        let note = note.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
        try StaffTaskValidation.checkConfirm(status: status, by: by, note: note)
        return try await updateStaffTask(id: id, workspaceId: workspaceId, status: status, by: by, note: note, now: now)
    }
}
