import SiyuAPI
import SiyuCore
import SiyuStore

/// The KPI set as both the admin API (`POST /api/v1/analytics/kpis`) and the console answer it: the
/// workspace's saved KPI event mapping filled into the request, then ``KPIEngine`` over the cached dataset.
struct KPIService: Sendable {
    let store: any SettingsRepository
    let cache: AnalyticsCache

    /// The query a request asks for, with the saved `kpiMapping` where the request gives none.
    func query(_ request: Components.Schemas.KPIRequest, _ context: QueryContext) async throws -> KPIQuery {
        let saved = try await store.settings(workspaceId: context.workspace.id)["kpiMapping"]
        return try request.query(context, saved: saved?.decoded(as: Components.Schemas.KPIEventMapping.self))
    }

    /// Runs a query on the workspace's current dataset.
    func run(_ query: KPIQuery, workspaceId: Int64, calendar: LocalCalendar, now: Int64) async throws -> KPIResult {
        let dataset = try await cache.dataset(workspaceId: workspaceId, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        return KPIEngine(dataset: dataset, query: query, calendar: calendar, now: now).run()
    }
}
