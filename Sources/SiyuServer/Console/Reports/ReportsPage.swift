import Hummingbird
import SiyuCore
import SiyuStore

/// The daily report (`/console/reports/daily?day=2024-05-08`) and the weekly analysis
/// (`/console/reports/weekly?week=2024-W19`), each also as a CSV file (`daily.csv`, `weekly.csv`).
///
/// Read-only pages: every role that can read sees them. The numbers are the KPI kernel's, over the
/// workspace's saved KPI mapping, cut by channel (``DailyReport``, ``WeeklyAnalysis``).
struct ReportsPage: ConsolePage {
    let kernels: ReportKernels
    let clock: @Sendable () -> Int64

    init(store: any WorkspaceRepository & SettingsRepository, cache: AnalyticsCache, clock: @escaping @Sendable () -> Int64) {
        kernels = ReportKernels(store: store, cache: cache)
        self.clock = clock
    }

    var navigation: [ConsoleNavItem] {
        [
            ConsoleNavItem(id: "reports-daily", path: "/console/reports/daily", labelKey: "reports.nav.daily", order: 30),
            ConsoleNavItem(id: "reports-weekly", path: "/console/reports/weekly", labelKey: "reports.nav.weekly", order: 31),
        ]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("reports/daily") { request, context in try await self.daily(request, context, views) }
        group.get("reports/daily.csv") { request, context in try await self.dailyCSV(request, context, views) }
        group.get("reports/weekly") { request, context in try await self.weekly(request, context, views) }
        group.get("reports/weekly.csv") { request, context in try await self.weeklyCSV(request, context, views) }
    }

    // MARK: Daily

    func daily(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let strings = views.strings(context)
        let day = try requestedDay(request, calendar: calendar, now: now, strings: strings)
        let report = try await kernels.daily(identity.workspace, day: day, calendar: calendar, now: now)
        let presenter = try await presenter(views, context, identity)
        let label = calendar.label(ofBucket: day, .day)
        let today = calendar.day(now)
        let model = Daily(
            day: label,
            weekday: strings.text("reports.weekdays." + String(((day + 3) % 7 + 7) % 7)),
            previousHref: "/console/reports/daily?day=" + calendar.label(ofBucket: day - 1, .day),
            nextHref: day < today ? "/console/reports/daily?day=" + calendar.label(ofBucket: day + 1, .day) : "",
            csvHref: "/console/reports/daily.csv?day=" + label,
            isToday: day == today,
            labels: ChangeLabels(strings, report: "daily"),
            table: Self.table(total: report?.total, channels: report?.channels ?? [], presenter, strings, identity)
        )
        return try views.page(
            ConsoleView(template: "report-daily", titleKey: "reports.daily.title", navId: "reports-daily", model: model),
            request: request,
            context: context
        )
    }

    func dailyCSV(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        try await csv(
            context,
            views,
            suffixes: ("reports.csv.day", "reports.csv.vsPreviousDay", "reports.csv.vsSameWeekday")
        ) { identity, calendar, now, strings in
            let day = try requestedDay(request, calendar: calendar, now: now, strings: strings)
            return try await kernels.daily(identity.workspace, day: day, calendar: calendar, now: now).map { report in
                { labels in (ReportCSV.daily(report, labels: labels, currency: identity.workspace.currency), "siyu-daily-\(report.label).csv") }
            }
        }
    }

    /// A report's CSV download: the period the request names, its report (a 400 when there is no
    /// data), written with the column labels of the reader's language.
    private func csv(
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        suffixes: (period: String, previous: String, baseline: String),
        report: (ConsoleIdentity, LocalCalendar, Int64, StringTable) async throws -> ((ReportCSVLabels) -> (bytes: [UInt8], filename: String))?
    ) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let strings = views.strings(context)
        guard let write = try await report(identity, calendar, now, strings) else {
            throw ConsolePageError.badRequest(strings.text("reports.errors.noData"))
        }
        let presenter = try await presenter(views, context, identity)
        let labels = presenter.csvLabels(
            period: strings.text(suffixes.period),
            previousSuffix: strings.text(suffixes.previous),
            baselineSuffix: strings.text(suffixes.baseline)
        )
        let (bytes, filename) = write(labels)
        return Self.csv(bytes, filename: filename)
    }

    // MARK: Weekly

    func weekly(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let strings = views.strings(context)
        let week = try requestedWeek(request, calendar: calendar, now: now, strings: strings)
        let analysis = try await kernels.weekly(identity.workspace, week: week, calendar: calendar, now: now)
        let presenter = try await presenter(views, context, identity)
        let label = calendar.label(ofBucket: week, .week)
        let current = calendar.bucket(now, .week)
        let days = ReportPeriodInput.days(ofWeek: week, calendar: calendar)
        var model = Weekly(
            week: label,
            weekDays: strings.text("reports.weekly.days", ["first": days.first, "last": days.last]),
            previousHref: "/console/reports/weekly?week=" + calendar.label(ofBucket: week - 1, .week),
            nextHref: week < current ? "/console/reports/weekly?week=" + calendar.label(ofBucket: week + 1, .week) : "",
            csvHref: "/console/reports/weekly.csv?week=" + label,
            isIncomplete: week >= current,
            labels: ChangeLabels(strings, report: "weekly"),
            table: Self.table(total: analysis?.total, channels: analysis?.channels ?? [], presenter, strings, identity),
            movers: [],
            hasMovers: false
        )
        if model.table.hasRows, let analysis {
            model.movers = presenter.movers(analysis.movers)
            model.hasMovers = !analysis.movers.isEmpty
            if analysis.baselineWeeks < 4 {
                model.shortBaseline = strings.text("reports.weekly.shortBaseline", ["weeks": String(analysis.baselineWeeks)])
            }
        }
        return try views.page(
            ConsoleView(template: "report-weekly", titleKey: "reports.weekly.title", navId: "reports-weekly", model: model),
            request: request,
            context: context
        )
    }

    func weeklyCSV(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        try await csv(
            context,
            views,
            suffixes: ("reports.csv.week", "reports.csv.vsPreviousWeek", "reports.csv.vsFourWeeks")
        ) { identity, calendar, now, strings in
            let week = try requestedWeek(request, calendar: calendar, now: now, strings: strings)
            return try await kernels.weekly(identity.workspace, week: week, calendar: calendar, now: now).map { analysis in
                { labels in
                    (ReportCSV.weekly(analysis, labels: labels, currency: identity.workspace.currency), "siyu-weekly-\(analysis.label).csv")
                }
            }
        }
    }

    // MARK: Shared

    /// The report table (total first, then the channels), or — when nobody was active — the empty
    /// state that says what to do next.
    private static func table(
        total: ReportRow?,
        channels: [ReportRow],
        _ presenter: ReportsPresenter,
        _ strings: StringTable,
        _ identity: ConsoleIdentity
    ) -> Table {
        guard let total, total.values.activePeople > 0 || channels.contains(where: { $0.values.activePeople > 0 }) else {
            let hint = strings.text(identity.role.can(.manageKeys) ? "reports.emptyHintAdmin" : "reports.emptyHint")
            return Table(hasRows: false, columns: [], rows: [], emptyHint: hint)
        }
        return Table(hasRows: true, columns: presenter.columns(total.cells.map(\.metric)), rows: presenter.rows(total: total, channels: channels))
    }

    /// `?day=`, else yesterday in the workspace's zone; a bad or future day is a clear 400.
    private func requestedDay(_ request: Request, calendar: LocalCalendar, now: Int64, strings: StringTable) throws -> Int {
        guard let text = request.uri.queryParameters.get("day"), !text.isEmpty else { return calendar.day(now) - 1 }
        guard let day = ReportPeriodInput.day(text, calendar: calendar) else {
            throw ConsolePageError.badRequest(strings.text("reports.errors.badDay", ["value": String(text.prefix(40))]))
        }
        guard day <= calendar.day(now) else {
            throw ConsolePageError.badRequest(strings.text("reports.errors.futureDay", ["value": text]))
        }
        return day
    }

    /// `?week=`, else the last complete week; a bad or future week is a clear 400.
    private func requestedWeek(_ request: Request, calendar: LocalCalendar, now: Int64, strings: StringTable) throws -> Int {
        guard let text = request.uri.queryParameters.get("week"), !text.isEmpty else { return calendar.bucket(now, .week) - 1 }
        guard let week = ReportPeriodInput.week(text, calendar: calendar) else {
            throw ConsolePageError.badRequest(strings.text("reports.errors.badWeek", ["value": String(text.prefix(40))]))
        }
        guard week <= calendar.bucket(now, .week) else {
            throw ConsolePageError.badRequest(strings.text("reports.errors.futureWeek", ["value": text]))
        }
        return week
    }

    private func prepare(_ context: AppRequestContext) throws -> (ConsoleIdentity, LocalCalendar, Int64) {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        return (identity, calendar, clock())
    }

    private func presenter(_ views: ConsoleViews, _ context: AppRequestContext, _ identity: ConsoleIdentity) async throws -> ReportsPresenter {
        let channels = try await kernels.store.channels(workspaceId: identity.workspace.id)
        return ReportsPresenter(
            strings: views.strings(context),
            format: LocaleFormat(context.locale),
            currency: identity.workspace.currency,
            channelNames: Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        )
    }

    /// A CSV download: UTF-8 with BOM, saved under `filename`.
    static func csv(_ bytes: [UInt8], filename: String) -> Response {
        var headers = ConsoleViews.securityHeaders(contentType: "text/csv; charset=utf-8")
        headers[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
