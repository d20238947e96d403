/// The words of a report's CSV file, in the reader's language: column headers, the total row's
/// name and the channels' names.
///
/// A metric's columns are headed `name`, `name + previousSuffix`, `name + baselineSuffix` and,
/// for rates, `name + previousSuffix + pointsSuffix` and `name + baselineSuffix + pointsSuffix`;
/// the suffixes carry their own spacing (`" vs previous day"`, `"环比"`).
public struct ReportCSVLabels: Sendable, Equatable {
    /// Header of the first column: the day or week (`Date`, `日期`).
    public var period: String
    public var channel: String
    /// Name of the total row (`Total`, `合计`).
    public var total: String
    /// Metric names; a metric left out is headed by its code (`conversionRate`).
    public var metrics: [KPIMetric: String]
    /// Suffix of the change against the previous day or week.
    public var previousSuffix: String
    /// Suffix of the change against the same weekday last week or the 4-week average.
    public var baselineSuffix: String
    /// Suffix of a rate's change in percentage points.
    public var pointsSuffix: String
    /// Headers of the weekly movers' section: metric, this week's value, the 4-week average, the change.
    public var metric: String
    public var value: String
    public var baseline: String
    public var change: String
    /// Display names of channel keys; a key left out is written as is.
    public var channelNames: [String: String]

    public init(
        period: String,
        channel: String,
        total: String,
        metrics: [KPIMetric: String] = [:],
        previousSuffix: String,
        baselineSuffix: String,
        pointsSuffix: String = " (pp)",
        metric: String = "Metric",
        value: String = "Value",
        baseline: String = "4-week average",
        change: String = "Change",
        channelNames: [String: String] = [:]
    ) {
        self.period = period
        self.channel = channel
        self.total = total
        self.metrics = metrics
        self.previousSuffix = previousSuffix
        self.baselineSuffix = baselineSuffix
        self.pointsSuffix = pointsSuffix
        self.metric = metric
        self.value = value
        self.baseline = baseline
        self.change = change
        self.channelNames = channelNames
    }

    /// The header of a metric.
    func name(_ metric: KPIMetric) -> String { metrics[metric] ?? metric.rawValue }
}
