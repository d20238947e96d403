import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/outbox`: the latest side effects journeys asked for (messages, webhooks, tags, staff
/// tasks) with their status, attempts and the last error or answer; a failed row goes back in line
/// with its retry button (the admin API's `POST /api/v1/outbox/{id}/retry`).
struct OutboxPage: ConsolePage {
    let store: any OutboxRepository & JourneyRepository
    let clock: @Sendable () -> Int64

    /// Rows shown: the newest ones.
    static let limit = 200

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "outbox", path: "/console/outbox", labelKey: "outbox.nav", order: 72)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("outbox") { request, context in try await self.list(request, context, views, notice: nil, status: .ok) }
        group.post("outbox/:id/retry") { request, context in try await self.retry(request, context, views) }
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
        // An unknown status shows every row, as no filter would.
        let filter = request.uri.queryParameters.get("status").flatMap(OutboxStatus.init(rawValue:))
        let messages = try await store.outboxMessages(workspaceId: workspaceId, status: filter, limit: Self.limit)
        let journeys = try await store.journeyNames(workspaceId: workspaceId)
        let presenter = OutboxPresenter(fmt: fmt)
        let canRun = identity.role.can(.runJourneys)
        let rows = messages.map { presenter.row($0, journeys: journeys, canRun: canRun) }
        let model = Model(rows: rows, hasRows: !rows.isEmpty, filters: presenter.filters(current: filter), canRun: canRun)
        return try views.page(
            ConsoleView(template: "outbox", titleKey: "outbox.title", navId: "outbox", model: model, notice: notice),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/outbox/:id/retry`: a failed row pending again.
    func retry(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        guard let id = context.parameters.get("id", as: Int64.self) else { throw ConsolePageError.notFound }
        let strings = views.strings(context)
        guard try await store.retryOutbox(id: id, workspaceId: identity.workspace.id, now: clock()) != nil else {
            let notice = ConsoleNotice(text: strings.text("outbox.notFailed", ["id": String(id)]), isError: true)
            return try await list(request, context, views, notice: notice, status: .conflict)
        }
        let notice = ConsoleNotice(text: strings.text("outbox.retried", ["id": String(id)]), isError: false)
        return try await list(request, context, views, notice: notice, status: .ok)
    }
}
