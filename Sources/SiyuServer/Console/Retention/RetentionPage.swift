import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// The retention page at `/console/retention`: cohorts of people by the period of a start event,
/// counted in each later period they came back, as a heat map and a table, with D1/D7/D30 and the
/// retention of each breakdown value (which channel keeps its people best). A plain GET form
/// feeds the admin API's retention query and kernel.
struct RetentionPage: ConsolePage {
    let store: any WorkspaceRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] {
        [ConsoleNavItem(id: "retention", path: "/console/retention", labelKey: "retention.nav", order: 22, requires: .read)]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("retention") { request, context in try await self.retention(request, context, views) }
    }

    static let periods = ["week", "day", "month"]
    static let kinds = ["firstTime", "recurring"]
    static let criteria = ["on", "onOrAfter"]
    static let breakdowns = ["firstTouchChannel", "none", "channel", "lastTouchChannel"]

    /// Columns after the cohort's own period, and the default date range in days, per period.
    static func shape(_ period: String) -> (periods: Int, days: Int) {
        switch period {
        case "day": return (14, 30)
        case "month": return (6, 180)
        default: return (12, 84)
        }
    }

    func retention(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let analysis = try await AnalysisRequest(request, context, views: views, store: store, now: clock())
        let names = try await cache.dataset(workspaceId: analysis.workspace.id).nameDictionary
        let form = try analysis.form(Form.self)
        let period = form.period ?? "week"
        let defaults = Self.shape(period)
        var model = Model(
            eventNames: names.sorted(),
            start: form.start ?? "",
            return: form.return ?? "",
            periods: analysis.options(period, Self.periods, prefix: "analysis.periods."),
            kinds: analysis.options(form.kind ?? "firstTime", Self.kinds, prefix: "retention.kinds."),
            criteria: analysis.options(form.criterion ?? "on", Self.criteria, prefix: "retention.criteria."),
            breakdowns: analysis.breakdownOptions(form.breakdown ?? "firstTouchChannel", Self.breakdowns),
            from: form.from ?? analysis.dayText(analysis.today - defaults.days + 1),
            to: form.to ?? analysis.dayText(analysis.today)
        )
        var status = HTTPResponse.Status.ok
        do {
            let periodName = try analysis.choice(form.period, field: "period", Self.periods)
            let kind = try analysis.choice(form.kind, field: "kind", Self.kinds)
            let criterion = try analysis.choice(form.criterion, field: "criterion", Self.criteria)
            let known = Set(names)
            for name in [form.start, form.return].compactMap({ $0 }) where !known.contains(name) {
                throw AnalysisInputError(analysis.strings.text("analysis.errors.unknownEvent", ["name": name]))
            }
            let breakdown = try analysis.choice(form.breakdown, field: "breakdown", Self.breakdowns)
            let range = try analysis.dateRange(from: form.from, to: form.to, defaultDays: defaults.days)
            let body = Components.Schemas.RetentionRequest(
                start: form.start.map { .AnalyticsText($0) } ?? .AnalyticsEventFilter(.init(any: true)),
                _return: form.return.map { .AnalyticsText($0) },
                kind: .init(rawValue: kind),
                period: .init(rawValue: periodName),
                periods: defaults.periods,
                criterion: .init(rawValue: criterion),
                from: range.from,
                to: range.to,
                breakdown: breakdown == "none" ? nil : .AnalyticsBreakdownChannel(.init(rawValue: breakdown) ?? .channel)
            )
            let query = try body.query(analysis.context)
            let dataset = try await cache.dataset(workspaceId: analysis.workspace.id, propertyKeys: query.propertyKeys)
            try AnswerSize.check(query.answerCells(in: dataset))
            let result = RetentionEngine(dataset: dataset, query: query, calendar: analysis.calendar, now: analysis.now).run()
            let presenter = RetentionPresenter(analysis: analysis, period: query.period.rawValue, breakdown: breakdown, result: result)
            model.result = presenter.resultModel()
        } catch {
            guard let message = analysis.inputMessage(error) else { throw error }
            model.error = message
            status = .badRequest
        }
        return try views.page(
            ConsoleView(template: "retention", titleKey: "retention.title", navId: "retention", model: model),
            request: request,
            context: context,
            status: status
        )
    }
}
