import Hummingbird
import SiyuCore
import SiyuStore

/// The funnel screen at `/console/funnel` (usable on a phone) and the people who dropped at a step
/// at `/console/funnel/dropped` (paged, or all as CSV with `format=csv`). Both read a plain GET
/// form and run the same funnel kernel, cache and people list as the admin API.
struct FunnelPage: ConsolePage {
    let store: any WorkspaceRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] {
        [ConsoleNavItem(id: "funnel", path: "/console/funnel", labelKey: "funnel.nav", order: 20, requires: .read)]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("funnel") { request, context in try await self.funnel(request, context, views) }
        group.get("funnel/dropped") { request, context in try await self.dropped(request, context, views) }
    }

    /// People per page of the list of people who dropped.
    static let pageSize = 50

    func funnel(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let analysis = try await AnalysisRequest(request, context, views: views, store: store, now: clock())
        let names = try await cache.dataset(workspaceId: analysis.workspace.id).nameDictionary
        let query = try analysis.rawForm(Query.self)
        var checked: FunnelForm?
        let model: Model
        var status = HTTPResponse.Status.ok
        do {
            let form = try FunnelForm(query, analysis, eventNames: Set(names))
            checked = form
            model = try await self.model(form, analysis, eventNames: names)
        } catch {
            guard let message = analysis.inputMessage(error) else { throw error }
            // The form as checked when the mistake came later (in the query), else as typed.
            var shown = FunnelPresenter.model(checked ?? FunnelForm(unchecked: query, analysis), analysis, eventNames: names.sorted())
            shown.error = message
            model = shown
            status = .badRequest
        }
        return try views.page(
            ConsoleView(template: "funnel", titleKey: "funnel.title", navId: "funnel", model: model),
            request: request,
            context: context,
            status: status
        )
    }

    /// The page for a checked form: the funnel of this period and the previous one, or a request
    /// for steps when fewer than two were found.
    private func model(_ form: FunnelForm, _ analysis: AnalysisRequest, eventNames names: [String]) async throws -> Model {
        var model = FunnelPresenter.model(form, analysis, eventNames: names.sorted())
        if form.steps.count < 2 {
            model.noSteps = true
        } else {
            let query = try form.request.query(analysis.context)
            let dataset = try await cache.dataset(workspaceId: analysis.workspace.id, propertyKeys: query.propertyKeys)
            try AnswerSize.check(query.answerCells(in: dataset) * 2)
            let result = FunnelEngine(dataset: dataset, query: query, calendar: analysis.calendar, now: analysis.now).run()
            // The previous period of the same length, as the admin API's `compare` computes it.
            var previousQuery = query
            previousQuery.range = query.range.previous
            previousQuery.breakdown = nil
            let previous = FunnelEngine(dataset: dataset, query: previousQuery, calendar: analysis.calendar, now: analysis.now).run()
            let presenter = FunnelPresenter(analysis: analysis, form: form, result: result, previous: previous)
            model.result = presenter.resultModel()
        }
        return model
    }

    /// The people who reached the step before `step` but not `step` (as the admin API's
    /// `funnel/people` with `"status": "dropped"`), as a page of a table or all as CSV.
    func dropped(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let analysis = try await AnalysisRequest(request, context, views: views, store: store, now: clock())
        let names = try await cache.dataset(workspaceId: analysis.workspace.id).nameDictionary
        let fields = try analysis.rawForm(Query.self)
        let form: FunnelForm
        let query: FunnelQuery
        let step: Int
        do {
            form = try FunnelForm(fields, analysis, eventNames: Set(names))
            guard form.steps.count >= 2 else { throw AnalysisInputError(analysis.strings.text("funnel.errors.twoSteps")) }
            query = try form.request.query(analysis.context)
            guard let text = fields.step, let number = Int(text), (1..<form.steps.count).contains(number) else {
                throw AnalysisInputError(analysis.strings.text("funnel.errors.step", ["value": fields.step ?? ""]))
            }
            step = number
        } catch {
            guard let message = analysis.inputMessage(error) else { throw error }
            throw ConsolePageError.badRequest(message)
        }
        let dataset = try await cache.dataset(workspaceId: analysis.workspace.id, propertyKeys: query.propertyKeys)
        let engine = FunnelEngine(dataset: dataset, query: query, calendar: analysis.calendar, now: analysis.now)
        let people = engine.people(at: step, .dropped, in: engine.outcomes())
        if fields.format == "csv" {
            return PeopleList.csv(people, dataset: dataset, filename: "funnel-step-\(step)-dropped.csv")
        }
        let pageText = fields.page ?? "1"
        guard let page = Int(pageText), page >= 1 else {
            throw ConsolePageError.badRequest(analysis.strings.text("analysis.errors.page", ["value": pageText]))
        }
        let presenter = FunnelDroppedPresenter(analysis: analysis, form: form, dataset: dataset, step: step)
        let model = presenter.model(people: people, page: page, pageSize: Self.pageSize)
        return try views.page(
            ConsoleView(template: "funnel-dropped", titleKey: "funnel.dropped.title", navId: "funnel", model: model),
            request: request,
            context: context
        )
    }
}
