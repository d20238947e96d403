import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/tasks`: the staff tasks journeys handed out — open ones first (overdue ones marked),
/// each with done and dismiss buttons and an optional note, then the latest confirmed ones.
struct TasksPage: ConsolePage {
    let store: any StaffTaskRepository & PeopleRepository & JourneyRepository
    let clock: @Sendable () -> Int64

    /// Open tasks shown, and confirmed ones below them.
    static let openLimit = 200
    static let closedLimit = 50

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "tasks", path: "/console/tasks", labelKey: "tasks.nav", order: 74)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("tasks") { request, context in try await self.list(request, context, views, notice: nil, status: .ok) }
        group.post("tasks/:id/confirm") { request, context in try await self.confirm(request, context, views) }
    }

    func list(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        notice: ConsoleNotice?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let fmt = try PeoplePage.format(views, context, identity)
        let workspaceId = identity.workspace.id
        let open = try await store.staffTasks(workspaceId: workspaceId, status: .open, limit: Self.openLimit)
        let closed =
            try await store.staffTasks(workspaceId: workspaceId, status: .done, limit: Self.closedLimit)
            + store.staffTasks(workspaceId: workspaceId, status: .dismissed, limit: Self.closedLimit)
        let latest = closed.sorted { ($0.confirmedAt ?? 0, $0.id) > ($1.confirmedAt ?? 0, $1.id) }.prefix(Self.closedLimit)
        var people: [Int64: String] = [:]
        for id in Set((open + latest).compactMap(\.personId)) {
            guard let profile = try await store.person(id: id, workspaceId: workspaceId) else { continue }
            people[id] = profile.traits["name"]?.scalarText ?? profile.userId ?? "#\(id)"
        }
        let journeys = try await store.journeyNames(workspaceId: workspaceId)
        let presenter = TasksPresenter(fmt: fmt)
        let now = clock()
        let openRows = open.map { presenter.row($0, people: people, journeys: journeys, now: now) }
        let closedRows = latest.map { presenter.row($0, people: people, journeys: journeys, now: now) }
        let model = Model(
            open: openRows,
            hasOpen: !openRows.isEmpty,
            closed: closedRows,
            hasClosed: !closedRows.isEmpty,
            canConfirm: identity.role.can(.runJourneys),
            noteLimit: StaffTaskValidation.maximumNoteLength
        )
        return try views.page(
            ConsoleView(template: "tasks", titleKey: "tasks.title", navId: "tasks", model: model, notice: notice),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/tasks/:id/confirm` with `status` done or dismissed and an optional note, recorded
    /// with the user's e-mail.
    func confirm(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw ConsolePageError.notFound }
        var request = request
        let form = try await ConsoleForm.read(&request).decode(ConfirmForm.self)
        let strings = views.strings(context)
        guard let status = form.status.flatMap(StaffTaskStatus.init(rawValue:)), status != .open else {
            throw ConsolePageError.badRequest(strings.text("tasks.badStatus"))
        }
        let note = form.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note, note.count > StaffTaskValidation.maximumNoteLength {
            let text = strings.text("tasks.noteTooLong", ["limit": String(StaffTaskValidation.maximumNoteLength)])
            return try await list(request, context, views, notice: ConsoleNotice(text: text, isError: true), status: .badRequest)
        }
        do {
            guard
                let task = try await store.confirmStaffTask(
                    id: id,
                    workspaceId: identity.workspace.id,
                    status: status,
                    by: identity.user.email,
                    note: note,
                    now: clock()
                )
            else { throw ConsolePageError.notFound }
            let text = strings.text("tasks.confirmed." + status.rawValue, ["title": task.title])
            return try await list(request, context, views, notice: ConsoleNotice(text: text, isError: false), status: .ok)
        } catch StoreError.conflict {
            let notice = ConsoleNotice(text: strings.text("tasks.alreadyConfirmed"), isError: true)
            return try await list(request, context, views, notice: notice, status: .conflict)
        } catch StoreError.invalid {
            let notice = ConsoleNotice(text: strings.text("tasks.invalid"), isError: true)
            return try await list(request, context, views, notice: notice, status: .badRequest)
        }
    }
}
