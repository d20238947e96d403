import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/concentration`: how much revenue the top 1/5/10/20 % of customers bring, the Lorenz
/// curve with the Gini coefficient, and the same per first-touch channel (the API's
/// `concentration` query with a first-channel `people` rule).
struct ConcentrationPage: ConsolePage {
    let store: any SiyuStore
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] {
        [ConsoleNavItem(id: "concentration", path: "/console/concentration", labelKey: "concentration.nav", order: 44)]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("concentration") { request, context in try await self.show(request, context, views) }
    }

    func show(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        let strings = page.strings
        let window = try DateWindow.read(request, page, defaultDays: 365)
        let population = try TiersPage.choice(
            request.uri.queryParameters.get("population"),
            ConcentrationQuery.Population.allCases.map(\.rawValue),
            default: "buyers",
            page
        )
        var body = window.body
        body["population"] = .string(population)
        let query: ConcentrationQuery
        do {
            query = try QueryReader(.object(body), workspace: page.workspace, calendar: page.calendar, now: page.now).concentration()
        } catch let error as APIError {
            throw ConsolePageError.badRequest(error.message)
        }
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: query.propertyKeys)
        let result = ConcentrationEngine(dataset: dataset, query: query).run()
        let gini = page.format.decimal(result.gini, digits: 2)
        var data: [String: Any] = [
            "window": ["from": window.fromText, "to": window.toText, "query": window.query],
            "populations": ConcentrationQuery.Population.allCases.map { option -> [String: Any] in
                [
                    "value": option.rawValue, "label": strings.text("concentration.populations." + option.rawValue),
                    "selected": option.rawValue == population,
                ]
            },
            "isEmpty": result.revenue <= 0,
            "people": page.integer(result.people),
            "buyers": page.integer(result.buyers),
            "revenue": page.money(result.revenue),
            "gini": gini,
            "giniVerdict": strings.text("concentration.verdicts." + Self.verdict(result.gini)),
            "cards": result.top.map { top -> [String: Any] in
                [
                    "label": strings.text("concentration.topLabel", ["percent": page.format.decimal(top.fraction * 100, digits: 0)]),
                    "share": page.percent(top.share), "people": page.integer(top.people), "revenue": page.money(top.revenue),
                    "key": page.format.decimal(top.fraction * 100, digits: 0),
                ]
            },
        ]
        if let twenty = result.top.first(where: { abs($0.fraction - 0.2) < 1e-9 }) {
            data["pareto"] = strings.text("concentration.pareto", ["share": page.percent(twenty.share)])
        }
        data["lorenz"] =
            LorenzChart(
                title: strings.text("concentration.lorenzTitle"),
                points: result.lorenz.map { LorenzChart.Point(x: $0.population, y: $0.revenue) },
                caption: strings.text("concentration.giniCaption", ["gini": gini]),
                xAxisTitle: strings.text("concentration.axisPeople"),
                yAxisTitle: strings.text("concentration.axisRevenue"),
                noDataText: strings.text("concentration.empty.title"),
                width: 420,
                height: 420,
                percentFormatter: page.percentFormatter
            ).svg()
        data["channels"] = try await channels(page, query: query, dataset: dataset, total: result.revenue)
        return try views.page(
            ConsoleView(template: "concentration", titleKey: "concentration.title", navId: "concentration", data: data),
            request: request,
            context: context
        )
    }

    /// The same measures for the customers each first-touch channel brought, most revenue first.
    func channels(_ page: ValuePageContext, query: ConcentrationQuery, dataset: Dataset, total: Int64) async throws -> [[String: Any]] {
        let names = try await page.channelNames(store)
        var rows: [(name: String, result: ConcentrationResult)] = []
        for key in dataset.channelDictionary {
            var perChannel = query
            let channelRule = PersonRule.firstChannel(.eq, [key])
            perChannel.people = query.people.map { .all([$0, channelRule]) } ?? channelRule
            let result = ConcentrationEngine(dataset: dataset, query: perChannel).run()
            guard result.people > 0 else { continue }
            rows.append((names[key] ?? key, result))
        }
        return rows.sorted { ($0.result.revenue, $1.name) > ($1.result.revenue, $0.name) }.map { name, result -> [String: Any] in
            let topTen = result.top.first { abs($0.fraction - 0.1) < 1e-9 }?.share ?? 0
            return [
                "name": name, "people": page.integer(result.people), "buyers": page.integer(result.buyers), "revenue": page.money(result.revenue),
                "revenueShare": page.percent(total > 0 ? Double(result.revenue) / Double(total) : 0), "topTen": page.percent(topTen),
                "gini": page.format.decimal(result.gini, digits: 2),
            ]
        }
    }

    /// Plain words for a Gini coefficient.
    static func verdict(_ gini: Double) -> String { gini < 0.4 ? "even" : gini < 0.6 ? "concentrated" : "veryConcentrated" }
}
