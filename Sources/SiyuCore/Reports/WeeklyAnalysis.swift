/// The weekly analysis table (周报): for one local week (Monday first), a total row and one row
/// per channel with the KPI set against the previous week (WoW) and against the average of the
/// four weeks before, with the biggest movers listed first.
///
/// It reads a week-period ``KPIResult`` covering the week and the four before it (ask the kernel
/// for ``range(ofWeek:calendar:)``). The **4-week average** of a count (events, people, orders,
/// revenue) is its mean over those weeks; that of a ratio is the ratio of the weeks' pooled
/// counts (CTR = the 4 weeks' clicks ÷ their exposures), so a quiet week weighs less than a busy
/// one. Weeks missing from the result are left out of the average (``baselineWeeks`` says how
/// many it holds).
///
/// **Biggest movers**: the (channel, metric) pairs of the channel rows with the largest absolute
/// relative change against the 4-week average, largest first (ties by channel key, then the
/// metric's order), leaving out pairs whose base — the count the metric rests on,
/// ``KPIMetric/base(in:)``, averaged over the 4 weeks — is below `minimumBase`, and pairs that did
/// not change.
public struct WeeklyAnalysis: Sendable, Equatable, Codable {
    /// One (channel, metric) pair that moved against its 4-week average.
    public struct Mover: Sendable, Equatable, Codable {
        public var channel: String
        public var change: MetricComparison
    }

    /// Largest moves first.
    public var movers: [Mover]
    /// The week bucket of the calendar (Monday-based weeks since the epoch).
    public var week: Int
    /// `2024-W23`.
    public var label: String
    /// Weeks found for the 4-week average (4 unless the result is short).
    public var baselineWeeks: Int
    public var threshold: Double
    public var total: ReportRow
    public var channels: [ReportRow]

    /// The range to ask the KPI kernel for (period `week`, by channel): the 4 weeks before `week` and `week` itself.
    public static func range(ofWeek week: Int, calendar: LocalCalendar) -> TimeRange {
        TimeRange(from: calendar.start(ofBucket: week - 4, .week), to: calendar.start(ofBucket: week + 1, .week))
    }

    /// The analysis of `week` from a week-period KPI result; `nil` when the result has no point
    /// for that week.
    public init?(
        _ result: KPIResult,
        week: Int,
        metrics: [KPIMetric] = KPIMetric.allCases,
        threshold: Double = 0.15,
        minimumBase: Double = 30,
        moverLimit: Int = 10
    ) {
        func row(_ series: KPIResult.Series) -> (row: ReportRow, bases: [KPIMetric: Double], weeks: Int)? {
            guard let point = series.points.first(where: { $0.bucket == week }) else { return nil }
            let before = series.points.filter { $0.bucket >= week - 4 && $0.bucket < week }.map(\.values)
            let pooled = KPIValues.pooled(before)
            let weeks = Double(before.count)
            func average(_ metric: KPIMetric) -> Double? {
                guard !before.isEmpty, let value = pooled.value(metric) else { return nil }
                return metric.isCount ? value / weeks : value
            }
            let row = ReportRow(
                channel: series.channel,
                values: point.values,
                metrics: metrics,
                threshold: threshold,
                previous: { point.previous.value($0) },
                baseline: average
            )
            let bases = Dictionary(metrics.map { ($0, before.isEmpty ? 0 : Double($0.base(in: pooled)) / weeks) }, uniquingKeysWith: { a, _ in a })
            return (row, bases, before.count)
        }
        guard let totalSeries = result.series.first(where: { $0.channel == "all" }), let total = row(totalSeries),
            let point = totalSeries.points.first(where: { $0.bucket == week })
        else { return nil }
        self.week = week
        label = point.label
        baselineWeeks = total.weeks
        self.threshold = threshold
        self.total = total.row
        let channelRows = result.series.filter { $0.channel != "all" }.compactMap(row)
        channels = ReportRow.ordered(channelRows.map(\.row))
        movers = Self.movers(channelRows, minimumBase: minimumBase, limit: moverLimit)
    }

    /// The pairs that moved most against their 4-week average, on bases of at least `minimumBase`.
    private static func movers(_ rows: [(row: ReportRow, bases: [KPIMetric: Double], weeks: Int)], minimumBase: Double, limit: Int) -> [Mover] {
        var movers: [(mover: Mover, size: Double, order: Int)] = []
        for (row, bases, _) in rows {
            for (order, cell) in row.cells.enumerated() {
                guard let relative = cell.vsBaseline.relative, relative != 0, (bases[cell.metric] ?? 0) >= minimumBase else { continue }
                movers.append((Mover(channel: row.channel, change: cell.vsBaseline), abs(relative), order))
            }
        }
        movers.sort { ($0.size, $1.mover.channel, $1.order) > ($1.size, $0.mover.channel, $0.order) }
        return movers.prefix(max(0, limit)).map(\.mover)
    }
}
