import SiyuCore

/// Turns lifecycle and stickiness answers into the lifecycle page's charts and tables.
struct LifecyclePresenter {
    let analysis: AnalysisRequest
    /// `day`, `week` or `month`.
    let period: String

    /// The four kinds of people, in stacking order; dormant is drawn as its own series (as a size).
    static let kinds = ["new", "returning", "resurrecting", "dormant"]

    /// Both answers as the page's result.
    func resultModel(lifecycle: LifecycleResult, stickiness: StickinessResult) -> LifecyclePage.Result {
        let periods = self.lifecycle(lifecycle)
        let weeks = self.stickiness(stickiness)
        return LifecyclePage.Result(
            lifecycleChart: periods.chart,
            lifecycleRows: periods.rows,
            lifecycleEmpty: periods.empty,
            periodLabel: analysis.strings.text("analysis.periods." + period),
            stickinessChart: weeks.chart,
            stickinessRows: weeks.rows,
            stickinessWeek: weeks.week,
            stickinessMean: weeks.mean,
            stickinessDays: (1...7).map { LifecyclePage.Label(label: analysis.strings.text("lifecycle.stickiness.days", ["n": String($0)])) }
        )
    }

    /// New, returning, resurrecting and dormant people per period: a stacked bar chart and a table.
    private func lifecycle(_ result: LifecycleResult) -> (chart: String, rows: [LifecyclePage.Period], empty: Bool) {
        let strings = analysis.strings
        let format = analysis.format
        let points = result.groups.first?.points ?? []
        let values: [[Double]] = [
            points.map { Double($0.new) }, points.map { Double($0.returning) }, points.map { Double($0.resurrecting) },
            points.map { Double(abs($0.dormant)) },
        ]
        let chart = StackedBarChart(
            title: strings.text("lifecycle.chartTitle"),
            categories: points.map(\.label),
            series: zip(Self.kinds, values).enumerated().map { index, pair in
                // Dormant in vermillion (index 3 of the Okabe–Ito palette), apart from the three kinds of active people.
                StackedBarChart.Series(name: strings.text("lifecycle.kinds." + pair.0), values: pair.1, colorIndex: index)
            },
            noDataText: strings.text("lifecycle.noData"),
            showsTotals: false,
            width: 760,
            height: 320,
            valueFormatter: analysis.countFormatter,
            percentFormatter: analysis.percentFormatter
        ).svg()
        let rows = points.map { point in
            LifecyclePage.Period(
                label: point.label,
                new: format.integer(point.new),
                returning: format.integer(point.returning),
                resurrecting: format.integer(point.resurrecting),
                dormant: point.dormant == 0 ? "0" : "−" + format.integer(abs(point.dormant)),
                active: format.integer(point.active)
            )
        }
        let active = points.reduce(0) { $0 + $1.active }
        return (chart, rows, active == 0)
    }

    /// Days active per week: a bar chart of the latest whole week (the latest week when none is
    /// whole) and a table of every week.
    private func stickiness(_ result: StickinessResult) -> (chart: String, rows: [LifecyclePage.Week], week: String, mean: String) {
        let strings = analysis.strings
        let format = analysis.format
        let histograms = result.groups.first?.histograms ?? []
        let shown = histograms.last { $0.days == 7 } ?? histograms.last
        let chart = BarChart(
            title: strings.text("lifecycle.stickiness.chartTitle", ["week": shown?.label ?? ""]),
            bars: (shown?.counts ?? []).enumerated().map { index, count in
                BarChart.Bar(label: strings.text("lifecycle.stickiness.days", ["n": String(index + 1)]), value: Double(count))
            },
            noDataText: strings.text("lifecycle.noData"),
            width: 640,
            height: 260,
            valueFormatter: analysis.countFormatter
        ).svg()
        let rows = histograms.reversed().map { histogram in
            LifecyclePage.Week(
                label: histogram.label,
                people: format.integer(histogram.people),
                mean: histogram.meanDays.map { format.decimal($0, digits: 2) } ?? "–",
                cells: (0..<7).map { index in
                    guard index < histogram.counts.count else { return LifecyclePage.DaysActive(count: "–") }
                    let count = histogram.counts[index]
                    return LifecyclePage.DaysActive(
                        count: format.integer(count),
                        share: histogram.people > 0 ? format.percent(Double(count) / Double(histogram.people), digits: 0) : nil
                    )
                }
            )
        }
        return (chart, rows, shown?.label ?? "", shown?.meanDays.map { format.decimal($0, digits: 2) } ?? "–")
    }
}
