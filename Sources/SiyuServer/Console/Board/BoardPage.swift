import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// The real-time board at `/console` and its live event stream at `/console/board/live` (JSON the
/// page's script polls every 10 s; the page works without it).
struct BoardPage: ConsolePage {
    let store: any WorkspaceRepository & SettingsRepository & EventRepository & OutboxRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "board", path: "/console", labelKey: "nav.board", order: 10)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("/") { request, context in try await self.board(request, context, views) }
        group.get("board/live") { request, context in try await self.live(request, context, views) }
    }

    func board(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let workspace = identity.workspace
        let today = calendar.day(now)
        let kpis = KPIService(store: store, cache: cache)
        let dayText = calendar.label(ofBucket: today, .day)
        let queries = QueryContext(workspace: workspace, calendar: calendar, now: now)
        let daily = try await kpis.query(.init(from: dayText, to: dayText, byChannel: true), queries)
        var hourly = daily
        hourly.period = .hour
        hourly.byChannel = false
        hourly.range = TimeRange(from: calendar.start(ofDay: today - 1), to: calendar.start(ofDay: today + 1))
        let dailyResult = try await kpis.run(daily, workspaceId: workspace.id, calendar: calendar, now: now)
        let hourlyResult = try await kpis.run(hourly, workspaceId: workspace.id, calendar: calendar, now: now)
        let hourNow = calendar.bucket(now, .hour)
        let board = RealtimeBoard(
            daily: dailyResult,
            hourly: hourlyResult,
            calendar: calendar,
            today: today,
            currentHour: hourNow - calendar.firstDay(ofBucket: hourNow, .hour) * 24
        )
        let presenter = try await presenter(views, context, identity, calendar)
        let events = try await store.recentEvents(workspaceId: workspace.id, until: now, limit: 20)
        let strings = views.strings(context)
        let model = Model(
            today: dayText,
            updated: presenter.clock(now),
            tiles: presenter.tiles(board),
            emptyToday: board.isEmptyToday,
            hourlyChart: try views.fragment(
                "board-hours",
                model: Hours(hours: presenter.hours(board), chart: presenter.hourlyChart(board)),
                locale: context.locale
            ),
            channels: presenter.channels(board),
            hasChannels: !board.channels.isEmpty,
            events: presenter.events(events),
            emptyHint: strings.text(identity.role.can(.manageKeys) ? "board.emptyHintAdmin" : "board.emptyHint"),
            journeyActions: try await journeyActions(
                workspace,
                since: calendar.start(ofDay: today),
                strings: strings,
                format: LocaleFormat(context.locale)
            )
        )
        return try views.page(
            ConsoleView(template: "board", titleKey: "board.title", navId: "board", model: model),
            request: request,
            context: context
        )
    }

    /// `{"html": "<tr>…</tr>", "updated": "14:05:09", "count": 20}`: the stream's rows, rendered by the same partial as the page.
    /// Today's journey work: messages sent, other actions done, waiting (pending or being sent),
    /// skipped (caps, unsubscribes) and failed.
    func journeyActions(_ workspace: Workspace, since: Int64, strings: StringTable, format: LocaleFormat) async throws -> String {
        var counts: [OutboxStatus: Int] = [:]
        var messages = 0
        for (channel, byStatus) in try await store.outboxCounts(workspaceId: workspace.id, since: since) {
            for (status, count) in byStatus { counts[status, default: 0] += count }
            if MessageChannel(outboxChannel: channel) != nil { messages += byStatus[.delivered] ?? 0 }
        }
        return strings.text(
            "board.journeyActions",
            [
                "messages": format.integer(messages), "delivered": format.integer((counts[.delivered] ?? 0) - messages),
                "waiting": format.integer((counts[.pending] ?? 0) + (counts[.sending] ?? 0)), "skipped": format.integer(counts[.skipped] ?? 0),
                "failed": format.integer(counts[.failed] ?? 0),
            ]
        )
    }

    func live(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let presenter = try await presenter(views, context, identity, calendar)
        let events = try await store.recentEvents(workspaceId: identity.workspace.id, until: now, limit: 20)
        let html = try views.fragment("board-events", model: Events(events: presenter.events(events)), locale: context.locale)
        var response = JSONResponse.make(["html": .string(html), "updated": .string(presenter.clock(now)), "count": .int(Int64(events.count))])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    private func prepare(_ context: AppRequestContext) throws -> (ConsoleIdentity, LocalCalendar, Int64) {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        return (identity, calendar, clock())
    }

    private func presenter(
        _ views: ConsoleViews,
        _ context: AppRequestContext,
        _ identity: ConsoleIdentity,
        _ calendar: LocalCalendar
    ) async throws
        -> BoardPresenter
    {
        let channels = try await store.channels(workspaceId: identity.workspace.id)
        return BoardPresenter(
            strings: views.strings(context),
            format: LocaleFormat(context.locale),
            currency: identity.workspace.currency,
            calendar: calendar,
            channelNames: Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        )
    }
}
