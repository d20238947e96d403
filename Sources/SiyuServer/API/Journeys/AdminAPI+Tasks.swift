import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Staff tasks: what journeys asked the brand's staff to do, listed and confirmed as done or dismissed.
extension AdminAPI {
    func listTasks(_ input: Operations.ListTasks.Input) async throws -> Operations.ListTasks.Output {
        let workspace = try self.workspace
        let limit = input.query.limit ?? 100
        guard (1...StaffTaskValidation.maximumListLimit).contains(limit) else {
            throw APIError.badRequest("limit must be 1 to \(StaffTaskValidation.maximumListLimit)", field: "limit")
        }
        let status = input.query.status.flatMap { StaffTaskStatus(rawValue: $0.rawValue) }
        let tasks = try await self.tasks.staffTasks(workspaceId: workspace.id, status: status, limit: limit)
        return .ok(.init(body: .json(.init(tasks: tasks.map(Self.answer)))))
    }

    func confirmTask(_ input: Operations.ConfirmTask.Input) async throws -> Operations.ConfirmTask.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try self.workspace
        // The contract states the bounds (in code points, as JSON Schema counts); its generated types do not check lengths.
        if let note = body.note, note.unicodeScalars.count > StaffTaskValidation.maximumNoteLength {
            throw APIError.badRequest("a note is at most \(StaffTaskValidation.maximumNoteLength) characters", field: "note")
        }
        let by = body.by ?? "admin API"
        guard (1...StaffTaskValidation.maximumNameLength).contains(by.unicodeScalars.count) else {
            throw APIError.badRequest("by is 1 to \(StaffTaskValidation.maximumNameLength) characters", field: "by")
        }
        let status: StaffTaskStatus = body.status == .done ? .done : .dismissed
        guard
            let task = try await tasks.confirmStaffTask(
                id: input.path.id,
                workspaceId: workspace.id,
                status: status,
                by: by,
                note: body.note,
                now: clock()
            )
        else { throw APIError.notFound("no task \(input.path.id) in this workspace") }
        return .ok(.init(body: .json(Self.answer(task))))
    }

    static func answer(_ task: StaffTask) -> Components.Schemas.StaffTask {
        .init(
            id: task.id,
            key: task.key,
            personId: task.personId,
            journeyId: task.journeyId,
            title: task.title,
            assignee: task.assignee,
            dueAt: task.dueAt.map(Timestamp.iso8601),
            status: .init(rawValue: task.status.rawValue) ?? .open,
            confirmedBy: task.confirmedBy,
            confirmedAt: task.confirmedAt.map(Timestamp.iso8601),
            note: task.note,
            createdAt: Timestamp.iso8601(task.createdAt)
        )
    }
}
