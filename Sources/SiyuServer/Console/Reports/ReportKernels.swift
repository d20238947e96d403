import SiyuCore
import SiyuStore

/// Runs the report kernels for the console's report and campaign pages the way the admin API and
/// the board do: the workspace's saved KPI mapping (``KPIService``), the cached dataset.
struct ReportKernels: Sendable {
    let store: any WorkspaceRepository & SettingsRepository
    let cache: AnalyticsCache

    /// The KPI query of the workspace (its saved mapping) over `range`, cut in `period`, by channel.
    func kpiQuery(_ workspace: Workspace, calendar: LocalCalendar, now: Int64, period: Period, range: TimeRange) async throws -> KPIQuery {
        let context = QueryContext(workspace: workspace, calendar: calendar, now: now)
        var query = try await KPIService(store: store, cache: cache).query(.init(), context)
        query.period = period
        query.range = range
        query.byChannel = true
        return query
    }

    /// The daily report of a local day.
    func daily(_ workspace: Workspace, day: Int, calendar: LocalCalendar, now: Int64) async throws -> DailyReport? {
        let query = try await kpiQuery(
            workspace,
            calendar: calendar,
            now: now,
            period: .day,
            range: DailyReport.range(ofDay: day, calendar: calendar)
        )
        let result = try await KPIService(store: store, cache: cache).run(query, workspaceId: workspace.id, calendar: calendar, now: now)
        return DailyReport(result, day: day)
    }

    /// The weekly analysis of a week bucket.
    func weekly(_ workspace: Workspace, week: Int, calendar: LocalCalendar, now: Int64) async throws -> WeeklyAnalysis? {
        let range = WeeklyAnalysis.range(ofWeek: week, calendar: calendar)
        let query = try await kpiQuery(workspace, calendar: calendar, now: now, period: .week, range: range)
        let result = try await KPIService(store: store, cache: cache).run(query, workspaceId: workspace.id, calendar: calendar, now: now)
        return WeeklyAnalysis(result, week: week)
    }

    /// The channel board of the local days `firstDay...lastDay`, with the workspace's mapping and channels.
    func channelBoard(_ workspace: Workspace, firstDay: Int, lastDay: Int, calendar: LocalCalendar, now: Int64) async throws -> ChannelBoard {
        let range = TimeRange(from: calendar.start(ofDay: firstDay), to: calendar.start(ofDay: lastDay + 1))
        let query = try await kpiQuery(workspace, calendar: calendar, now: now, period: .day, range: range)
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let channels = try await store.channels(workspaceId: workspace.id)
        return ChannelBoard.make(dataset: dataset, range: range, calendar: calendar, channels: channels, mapping: query.mapping, now: now)
    }
}
