import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// `/console/journeys`: every journey with its status, version, people inside and goal against the
/// holdout, with pause, resume and stop; a journey's page draws its flow with each node's counts and
/// shows the goal table. Stopping asks first (a page of its own, so it works without JavaScript).
struct JourneysPage: ConsolePage {
    let store: any JourneyRepository & JourneyRunRepository & JourneyActivityRepository & EventRepository
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "journeys", path: "/console/journeys", labelKey: "journeys.nav", order: 70)] }

    /// The status changes the buttons post.
    static let moves: [String: JourneyStatus] = ["pause": .paused, "resume": .active, "stop": .stopped]

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("journeys") { request, context in try await self.list(request, context, views, notice: nil, status: .ok) }
        group.get("journeys/new") { request, context in try await self.editor(request, context, views) }
        group.post("journeys/new") { request, context in try await self.submitEditor(request, context, views) }
        group.get("journeys/:id/edit") { request, context in try await self.editor(request, context, views) }
        group.post("journeys/:id/edit") { request, context in try await self.submitEditor(request, context, views) }
        group.get("journeys/:id") { request, context in try await self.show(request, context, views, notice: nil, status: .ok) }
        group.get("journeys/:id/stop") { request, context in try await self.confirmStop(request, context, views) }
        // One route per move: a parameter beside the constant `stop` of the GET route would not be reached for `stop`.
        for move in Self.moves.keys.sorted() {
            group.post("journeys/:id/\(move)") { request, context in try await self.move(move, request, context, views) }
        }
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
        let journeys = try await store.journeys(workspaceId: workspaceId)
        let states = try await store.journeyInstanceStates(workspaceId: workspaceId)
        let today = fmt.calendar.start(ofDay: fmt.calendar.day(clock()))
        let outbox = try await store.journeyOutboxCounts(workspaceId: workspaceId, since: today)
        let presenter = JourneysPresenter(fmt: fmt)
        let canRun = identity.role.can(.runJourneys)
        var rows: [Row] = []
        for journey in journeys {
            let goal = try await store.journeyGoalCounts(journeyId: journey.id, workspaceId: workspaceId)
            rows.append(presenter.row(journey, states: states[journey.id] ?? [:], outbox: outbox[journey.id] ?? [:], goal: goal, canRun: canRun))
        }
        let model = Model(journeys: rows, hasJourneys: !rows.isEmpty, canRun: canRun)
        return try views.page(
            ConsoleView(template: "journeys", titleKey: "journeys.title", navId: "journeys", model: model, notice: notice),
            request: request,
            context: context,
            status: status
        )
    }

    func show(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        notice: ConsoleNotice?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let fmt = try PeoplePage.format(views, context, identity)
        let strings = fmt.strings
        let record = try await journey(context, identity)
        let workspaceId = identity.workspace.id
        // The version drawn: `?version=N` of the published ones, the latest by default, the draft before the first.
        let asked = request.uri.queryParameters.get("version").flatMap(Int.init)
        let version = asked.flatMap { (1...max(record.version, 1)).contains($0) && record.version > 0 ? $0 : nil } ?? record.version
        let text = version == 0 ? record.draft : try await store.journeyDefinition(journeyId: record.id, version: version) ?? record.draft
        let presenter = JourneysPresenter(fmt: fmt)
        let definition = try? AdminAPI.definition(text)
        var flow: String?
        var nodes: [NodeRow] = []
        var problems: [Problem] = []
        var target: SiyuCore.JourneyGoal?
        if let definition {
            let read = JourneyReader(context: try QueryContext(workspace: identity.workspace, now: clock())).read(
                definition,
                id: record.id,
                version: max(version, 1)
            )
            if let journey = read.journey {
                target = journey.goal
                let counts = JourneysPresenter.counts(
                    try await store.journeyNodeCounts(journeyId: record.id, workspaceId: workspaceId),
                    version: version
                )
                let drawn = presenter.flow(
                    journey,
                    definition: definition,
                    counts: counts,
                    title: strings.text("journeys.flowTitle", ["name": record.name])
                )
                flow = drawn.svg
                nodes = drawn.rows
            }
            problems = read.problems.map { Problem(field: $0.field, message: $0.message) }
        } else {
            problems = [Problem(field: "definition", message: strings.text("journeys.unreadable"))]
        }
        let goal = try await store.journeyGoalCounts(journeyId: record.id, workspaceId: workspaceId)
        let canRun = identity.role.can(.runJourneys)
        let model = Journey(
            id: record.id,
            name: record.name,
            status: presenter.status(record.status),
            statusKey: record.status.rawValue,
            drawn: version == 0 ? strings.text("journeys.draft") : "v\(version)",
            versions: record.version > 1
                ? (1...record.version).reversed().map {
                    VersionLink(label: "v\($0)", href: "/console/journeys/\(record.id)?version=\($0)", current: $0 == version)
                }
                : [],
            hasVersions: record.version > 1,
            flow: flow,
            problems: problems,
            hasProblems: !problems.isEmpty,
            nodes: nodes,
            goal: presenter.goalTable(goal, target: target),
            canRun: canRun,
            canPause: canRun && record.status == .active,
            canResume: canRun && record.status == .paused,
            canStop: canRun && record.status != .stopped
        )
        return try views.page(
            ConsoleView(template: "journey", titleKey: "journeys.journeyTitle", navId: "journeys", model: model, notice: notice),
            request: request,
            context: context,
            status: status
        )
    }

    /// `GET /console/journeys/:id/stop`: what stopping means, and the button that does it.
    func confirmStop(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        let fmt = try PeoplePage.format(views, context, identity)
        let record = try await journey(context, identity)
        let states = try await store.journeyInstanceStates(workspaceId: identity.workspace.id)[record.id] ?? [:]
        let inside = (states[.active] ?? 0) + (states[.waiting] ?? 0)
        let model = Stop(id: record.id, name: record.name, inside: fmt.format.integer(inside))
        return try views.page(
            ConsoleView(template: "journey-stop", titleKey: "journeys.stopTitle", navId: "journeys", model: model),
            request: request,
            context: context
        )
    }

    /// `POST /console/journeys/:id/{pause|resume|stop}`: stop only with `confirm=yes` (else the question);
    /// the list (or the journey's page, `back=journey`) comes back with what happened.
    func move(_ move: String, _ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        guard let target = Self.moves[move] else { throw ConsolePageError.notFound }
        let record = try await journey(context, identity)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(ActionForm.self)
        if target == .stopped && form.confirm != "yes" { return try await confirmStop(request, context, views) }
        let strings = views.strings(context)
        let notice: ConsoleNotice
        var status = HTTPResponse.Status.ok
        do {
            let moved = try await store.setJourneyStatus(id: record.id, workspaceId: identity.workspace.id, status: target)
            notice = ConsoleNotice(text: strings.text("journeys.moved." + move, ["name": moved.name]), isError: false)
        } catch let error as StoreError {
            if case .notFound = error { throw ConsolePageError.notFound }
            notice = ConsoleNotice(text: strings.text("journeys.moveRefused", ["name": record.name]), isError: true)
            status = .conflict
        }
        if form.back == "journey" { return try await show(request, context, views, notice: notice, status: status) }
        return try await list(request, context, views, notice: notice, status: status)
    }

    func journey(_ context: AppRequestContext, _ identity: ConsoleIdentity) async throws -> JourneyRecord {
        guard let id = context.parameters.get("id", as: Int64.self),
            let journey = try await store.journey(id: id, workspaceId: identity.workspace.id)
        else { throw ConsolePageError.notFound }
        return journey
    }
}
