/// The daily report table (日报): for one local day, a total row and one row per channel with
/// the KPI set, each value against the previous day and the same weekday a week before.
///
/// It reads a day-period ``KPIResult`` (ask the kernel for ``range(ofDay:calendar:)``): every
/// number is the kernel's, rates included — the total row is the kernel's `all` series, not a
/// sum of channel rows, so its rates are rates over everyone (a person active in two channels
/// counts once). Comparisons follow ``MetricComparison``: relative change, flagged beyond
/// ±`threshold`, rates also in percentage points. Channel rows come by revenue, then active
/// people, most first.
public struct DailyReport: Sendable, Equatable, Codable {
    /// The local day (days since 1970-01-01 in the workspace's zone).
    public var day: Int
    /// `2024-05-08`.
    public var label: String
    public var threshold: Double
    public var total: ReportRow
    public var channels: [ReportRow]

    /// The range to ask the KPI kernel for (period `day`, by channel) to report on `day`.
    public static func range(ofDay day: Int, calendar: LocalCalendar) -> TimeRange {
        TimeRange(from: calendar.start(ofDay: day), to: calendar.start(ofDay: day + 1))
    }

    /// The report of `day` from a day-period KPI result; `nil` when the result has no point for
    /// that day.
    public init?(_ result: KPIResult, day: Int, metrics: [KPIMetric] = KPIMetric.allCases, threshold: Double = 0.15) {
        func row(_ series: KPIResult.Series) -> ReportRow? {
            guard let point = series.points.first(where: { $0.bucket == day }) else { return nil }
            return ReportRow(
                channel: series.channel,
                values: point.values,
                metrics: metrics,
                threshold: threshold,
                previous: { point.previous.value($0) },
                baseline: { point.sameWeekdayLastWeek?.value($0) }
            )
        }
        guard let totalSeries = result.series.first(where: { $0.channel == "all" }), let total = row(totalSeries),
            let point = totalSeries.points.first(where: { $0.bucket == day })
        else { return nil }
        self.day = day
        label = point.label
        self.threshold = threshold
        self.total = total
        channels = ReportRow.ordered(result.series.filter { $0.channel != "all" }.compactMap(row))
    }
}
