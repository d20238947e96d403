/// One row of the daily report or the weekly analysis: a channel (or the total) with each
/// metric's value and its comparison with two baselines.
///
/// In the daily report the baselines are the previous day and the same weekday a week before;
/// in the weekly analysis, the previous week and the average of the four weeks before.
public struct ReportRow: Sendable, Equatable, Codable {
    /// One metric of the row.
    public struct Cell: Sendable, Equatable, Codable {
        public var metric: KPIMetric
        public var value: Double?
        /// Against the previous day (daily) or week (weekly).
        public var vsPrevious: MetricComparison
        /// Against the same weekday last week (daily) or the 4-week average (weekly).
        public var vsBaseline: MetricComparison
    }

    /// `all` for the total row, else a channel key (`(none)` for events without one).
    public var channel: String
    /// The counts behind the row, as the KPI kernel computed them.
    public var values: KPIValues
    public var cells: [Cell]

    /// A row whose cells compare `values` with the two baselines of each metric.
    init(
        channel: String,
        values: KPIValues,
        metrics: [KPIMetric],
        threshold: Double,
        previous: (KPIMetric) -> Double?,
        baseline: (KPIMetric) -> Double?
    ) {
        self.channel = channel
        self.values = values
        cells = metrics.map { metric in
            let value = values.value(metric)
            return Cell(
                metric: metric,
                value: value,
                vsPrevious: MetricComparison(metric: metric, current: value, baseline: previous(metric), threshold: threshold),
                vsBaseline: MetricComparison(metric: metric, current: value, baseline: baseline(metric), threshold: threshold)
            )
        }
    }

    /// The cell of one metric, if the row has it.
    public func cell(_ metric: KPIMetric) -> Cell? { cells.first { $0.metric == metric } }

    /// Rows by revenue, then active people, most first; ties by channel key.
    static func ordered(_ rows: [ReportRow]) -> [ReportRow] {
        rows.sorted {
            ($0.values.revenue, $0.values.activePeople, $1.channel) > ($1.values.revenue, $1.values.activePeople, $0.channel)
        }
    }
}
