import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// The lifecycle page at `/console/lifecycle`: each period's active people split into new,
/// returning and resurrecting, with those who went dormant below, and — on the same page — the
/// stickiness histogram (on how many days of a week people were active). A plain GET form feeds
/// the admin API's lifecycle and stickiness queries and kernels.
struct LifecyclePage: ConsolePage {
    let store: any WorkspaceRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] {
        [ConsoleNavItem(id: "lifecycle", path: "/console/lifecycle", labelKey: "lifecycle.nav", order: 24, requires: .read)]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("lifecycle") { request, context in try await self.lifecycle(request, context, views) }
    }

    static let periods = ["week", "day", "month"]

    /// Default date range in days per period.
    static func defaultDays(_ period: String) -> Int {
        switch period {
        case "day": return 30
        case "month": return 182
        default: return 84
        }
    }

    func lifecycle(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let analysis = try await AnalysisRequest(request, context, views: views, store: store, now: clock())
        let names = try await cache.dataset(workspaceId: analysis.workspace.id).nameDictionary
        let form = try analysis.form(Form.self)
        let period = form.period ?? "week"
        let days = Self.defaultDays(period)
        var model = Model(
            eventNames: names.sorted(),
            event: form.event ?? "",
            periods: analysis.options(period, Self.periods, prefix: "analysis.periods."),
            from: form.from ?? analysis.dayText(analysis.today - days + 1),
            to: form.to ?? analysis.dayText(analysis.today)
        )
        var status = HTTPResponse.Status.ok
        do {
            let period = try analysis.choice(form.period, field: "period", Self.periods)
            if let name = form.event, !names.contains(name) {
                throw AnalysisInputError(analysis.strings.text("analysis.errors.unknownEvent", ["name": name]))
            }
            let range = try analysis.dateRange(from: form.from, to: form.to, defaultDays: days)
            let lifecycleQuery = try Components.Schemas.LifecycleRequest(
                event: form.event.map { .AnalyticsText($0) },
                period: .init(rawValue: period),
                from: range.from,
                to: range.to
            ).query(analysis.context)
            // Stickiness of the same event, a histogram per week, over at most the last 366 days of the range.
            var stickinessFrom = range.from
            if FunnelForm.days(from: range.from, to: range.to) > StickinessQuery.maximumDays, let end = Timestamp.parseISO8601(range.to) {
                stickinessFrom = analysis.dayText(Int(end / 86_400_000) - StickinessQuery.maximumDays + 1)
            }
            let stickinessQuery = try Components.Schemas.StickinessRequest(
                event: form.event.map { .AnalyticsText($0) } ?? .AnalyticsEventFilter(.init(any: true)),
                window: .week,
                from: stickinessFrom,
                to: range.to
            ).query(analysis.context)
            let dataset = try await cache.dataset(
                workspaceId: analysis.workspace.id,
                propertyKeys: lifecycleQuery.propertyKeys + stickinessQuery.propertyKeys
            )
            try AnswerSize.check(lifecycleQuery.answerCells(in: dataset) + stickinessQuery.answerCells(in: dataset))
            let lifecycle = LifecycleEngine(dataset: dataset, query: lifecycleQuery, calendar: analysis.calendar, now: analysis.now).run()
            let stickiness = StickinessEngine(dataset: dataset, query: stickinessQuery, calendar: analysis.calendar, now: analysis.now).run()
            let presenter = LifecyclePresenter(analysis: analysis, period: lifecycleQuery.period.rawValue)
            model.result = presenter.resultModel(lifecycle: lifecycle, stickiness: stickiness)
        } catch {
            guard let message = analysis.inputMessage(error) else { throw error }
            model.error = message
            status = .badRequest
        }
        return try views.page(
            ConsoleView(template: "lifecycle", titleKey: "lifecycle.title", navId: "lifecycle", model: model),
            request: request,
            context: context,
            status: status
        )
    }
}
