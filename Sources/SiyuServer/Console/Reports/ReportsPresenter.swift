import SiyuCore

/// Turns the daily report and the weekly analysis into what their templates show, written for
/// the reader's language: values, changes with an arrow and a sign, and a colour class for moves
/// beyond the threshold (green good, red bad).
struct ReportsPresenter {
    let strings: StringTable
    let format: LocaleFormat
    let currency: String
    /// Display names of the workspace's channels by key.
    let channelNames: [String: String]

    /// The metric columns of a table.
    func columns(_ metrics: [KPIMetric]) -> [ReportsPage.Column] {
        metrics.map { ReportsPage.Column(key: $0.rawValue, label: metricName($0)) }
    }

    /// The total row and the channel rows of a table.
    func rows(total: ReportRow, channels: [ReportRow]) -> [ReportsPage.Row] {
        [row(total, isTotal: true)] + channels.map { row($0, isTotal: false) }
    }

    func row(_ row: ReportRow, isTotal: Bool) -> ReportsPage.Row {
        ReportsPage.Row(
            name: isTotal ? strings.text("reports.total") : channelName(row.channel),
            isTotal: isTotal,
            cells: row.cells.map { cell in
                ReportsPage.Cell(
                    metric: cell.metric.rawValue,
                    value: value(cell.value, cell.metric),
                    vsPrevious: change(cell.vsPrevious),
                    vsBaseline: change(cell.vsBaseline)
                )
            }
        )
    }

    /// The movers as sentences: `Douyin · Revenue ↑ +32.0% vs the 4-week average`.
    func movers(_ movers: [WeeklyAnalysis.Mover]) -> [ReportsPage.Mover] {
        movers.map { mover in
            let change = mover.change
            let shown = self.change(change)
            return ReportsPage.Mover(
                sentence: strings.text(
                    "reports.weekly.moverSentence",
                    [
                        "channel": channelName(mover.channel), "metric": metricName(change.metric),
                        "arrow": (change.relative ?? 0) >= 0 ? "↑" : "↓", "change": change.relative.map { format.signedPercent($0) } ?? "–",
                    ]
                ),
                detail: strings.text(
                    "reports.weekly.moverDetail",
                    ["value": value(change.current, change.metric), "baseline": value(change.baseline, change.metric)]
                ),
                tone: shown.tone
            )
        }
    }

    /// The words of the CSV file's headers.
    func csvLabels(period: String, previousSuffix: String, baselineSuffix: String) -> ReportCSVLabels {
        ReportCSVLabels(
            period: period,
            channel: strings.text("reports.channel"),
            total: strings.text("reports.total"),
            metrics: Dictionary(KPIMetric.allCases.map { ($0, metricName($0)) }, uniquingKeysWith: { first, _ in first }),
            previousSuffix: previousSuffix,
            baselineSuffix: baselineSuffix,
            pointsSuffix: strings.text("reports.csv.pointsSuffix"),
            metric: strings.text("reports.csv.metric"),
            value: strings.text("reports.csv.value"),
            baseline: strings.text("reports.csv.baseline"),
            change: strings.text("reports.csv.change"),
            channelNames: Dictionary(channelNames.keys.map { ($0, channelName($0)) }, uniquingKeysWith: { first, _ in first })
                .merging([(Self.noChannel, channelName(Self.noChannel))]) { first, _ in first }
        )
    }

    static let noChannel = "(none)"

    func metricName(_ metric: KPIMetric) -> String { strings.text("reports.metrics." + metric.rawValue) }

    func channelName(_ key: String) -> String {
        if key.isEmpty || key == Self.noChannel { return strings.text("reports.noChannel") }
        return channelNames[key] ?? key
    }

    /// A metric's value: counts grouped, money in the workspace currency, rates as percentages.
    func value(_ value: Double?, _ metric: KPIMetric) -> String {
        guard let value, value.isFinite else { return "–" }
        if metric.isMoney, abs(value) < 9e18 { return format.money(minorUnits: Int64(value.rounded(.toNearestOrAwayFromZero)), currency: currency) }
        if metric.isRate { return format.percent(value) }
        if metric.isCount, abs(value) < 9e18 { return format.integer(Int64(value.rounded())) }
        return format.decimal(value, digits: 2)
    }

    /// `▲ +32.0%` with its tone, words and tooltip: the arrow and sign are in the text, so the move
    /// reads without colour; `tone` colours moves beyond the threshold.
    func change(_ comparison: MetricComparison) -> ReportsPage.Change {
        guard let relative = comparison.relative else {
            let isNew = (comparison.current ?? 0) != 0 && comparison.baseline == 0
            return ReportsPage.Change(text: isNew ? strings.text("reports.new") : "–", tone: "none", flag: "", title: "")
        }
        var title = ""
        if let baseline = comparison.baseline {
            title = strings.text("reports.was", ["value": value(baseline, comparison.metric)])
        }
        if let points = comparison.percentagePoints {
            title += " · " + strings.text("reports.points", ["points": (points < 0 ? "−" : "+") + format.decimal(abs(points), digits: 1)])
        }
        let percent = format.signedPercent(relative)
        switch comparison.move {
        case .up?, .down?:
            let good = comparison.isGood ?? true
            return ReportsPage.Change(
                text: (comparison.move == .up ? "▲ " : "▼ ") + percent,
                tone: good ? "good" : "bad",
                flag: strings.text(good ? "reports.goodMove" : "reports.badMove"),
                title: title
            )
        default:
            return ReportsPage.Change(text: percent, tone: "flat", flag: "", title: title)
        }
    }
}
