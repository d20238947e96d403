import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// `/console/concentration`: how much revenue the top 1/5/10/20 % of customers bring, the Lorenz
/// curve with the Gini coefficient, and the same per first-touch channel (the API's
/// `concentration` query with a first-channel `people` rule).
struct ConcentrationPage: ConsolePage {
    let store: any WorkspaceRepository
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
        let window = try DateWindow.read(request, page, defaultDays: 365)
        let population = try TiersPage.choice(
            request.uri.queryParameters.get("population"),
            ConcentrationQuery.Population.allCases.map(\.rawValue),
            default: "buyers",
            page
        )
        let query: ConcentrationQuery
        do {
            query = try Components.Schemas.ConcentrationRequest(from: window.from, to: window.to, population: .init(rawValue: population))
                .query(page.context)
        } catch let error as APIError {
            throw ConsolePageError.badRequest(error.message)
        }
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: query.propertyKeys)
        let result = ConcentrationEngine(dataset: dataset, query: query).run()
        let channels = try await channels(page, query: query, dataset: dataset)
        let model = ConcentrationPresenter(page: page).model(result, window: window, population: population, channels: channels)
        return try views.page(
            ConsoleView(template: "concentration", titleKey: "concentration.title", navId: "concentration", model: model),
            request: request,
            context: context
        )
    }

    /// Each first-touch channel's customers measured the same way (by display name), those with nobody left out.
    func channels(_ page: ValuePageContext, query: ConcentrationQuery, dataset: Dataset) async throws -> [(name: String, result: ConcentrationResult)]
    {
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
        return rows
    }

    /// Plain words for a Gini coefficient.
    static func verdict(_ gini: Double) -> String { gini < 0.4 ? "even" : gini < 0.6 ? "concentrated" : "veryConcentrated" }
}
