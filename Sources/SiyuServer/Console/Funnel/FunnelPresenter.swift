import SiyuCore

/// Turns a funnel's answer (and the previous period's) into the funnel page's model (`FunnelPage.Model`),
/// written for the reader's language.
struct FunnelPresenter {
    let analysis: AnalysisRequest
    let form: FunnelForm
    let result: FunnelResult
    let previous: FunnelResult

    /// The page with the builder's fields filled with the form's values (the steps given plus one
    /// empty row to add a step) and no result yet.
    static func model(_ form: FunnelForm, _ analysis: AnalysisRequest, eventNames: [String]) -> FunnelPage.Model {
        let strings = analysis.strings
        let rows = min(FunnelForm.maximumSteps, max(form.steps.count + 1, 2))
        let stepRows = (0..<rows).map { index in
            let step = index < form.steps.count ? form.steps[index] : FunnelForm.StepInput(event: "")
            return FunnelPage.StepRow(
                index: index,
                number: index + 1,
                event: step.event,
                key: step.key,
                value: step.value,
                label: strings.text("funnel.form.stepLabel", ["n": String(index + 1)]),
                ops: analysis.options(step.op, FunnelForm.operators, prefix: "analysis.ops."),
                isNew: index >= form.steps.count,
                hasFilter: !step.key.isEmpty
            )
        }
        return FunnelPage.Model(
            eventNames: eventNames,
            stepRows: stepRows,
            window: form.window,
            units: analysis.options(form.unit, FunnelForm.units, prefix: "funnel.units."),
            orders: analysis.options(form.order, FunnelForm.orders, prefix: "funnel.orders."),
            breakdowns: analysis.breakdownOptions(form.breakdown, FunnelForm.breakdowns),
            trends: analysis.options(form.trend, FunnelForm.trends, prefix: "analysis.periods."),
            from: form.from,
            to: form.to,
            usesDefaultSteps: form.usesDefaultSteps,
            noSteps: false
        )
    }

    /// Link to the people who dropped at step `k`.
    func droppedHref(_ k: Int, csv: Bool = false) -> String {
        var items = form.queryItems
        items.append(("step", String(k)))
        if csv { items.append(("format", "csv")) }
        return "/console/funnel/dropped?" + ConsoleForm.queryString(items)
    }

    func stepLabel(_ k: Int) -> String { "\(k + 1). " + form.steps[k].event }

    /// Everything the page shows below the form.
    func resultModel() -> FunnelPage.Result {
        let strings = analysis.strings
        let format = analysis.format
        let all = result.groups.first
        let steps = all?.steps ?? []
        let entered = steps.first?.count ?? 0

        let chartSteps = steps.enumerated().map { k, step in
            FunnelChart.Step(label: stepLabel(k), count: Double(step.count), href: k == 0 ? nil : droppedHref(k))
        }
        // A wide chart for desktops and a narrow one for phones (CSS shows one), so that a phone's text stays readable.
        let charts = [720.0, 360.0].map { width in
            FunnelChart(
                title: strings.text("funnel.chartTitle"),
                steps: chartSteps,
                noDataText: strings.text("funnel.noData"),
                width: width,
                rowHeight: 44,
                valueFormatter: analysis.countFormatter,
                percentFormatter: analysis.percentFormatter
            ).svg()
        }

        let resultRows = steps.enumerated().map { k, step in
            FunnelPage.StepResult(
                label: stepLabel(k),
                count: format.integer(step.count),
                fromStart: format.percent(step.conversionFromStart),
                fromPrevious: k == 0 ? "–" : format.percent(step.conversionFromPrevious),
                median: analysis.duration(step.medianTime),
                mean: analysis.duration(step.meanTime),
                dropped: k > 0 ? format.integer(step.dropped) : nil,
                droppedHref: k > 0 ? droppedHref(k) : nil,
                csvHref: k > 0 ? droppedHref(k, csv: true) : nil
            )
        }

        let timeCharts = steps.enumerated().dropFirst().map { k, step in
            let bars = step.histogram.map { bin in
                BarChart.Bar(label: "≤" + analysis.duration(Double(bin.to)), value: Double(bin.count))
            }
            return FunnelPage.TimeChart(
                label: strings.text("funnel.time.between", ["from": form.steps[k - 1].event, "to": form.steps[k].event]),
                median: analysis.duration(step.medianTime),
                mean: analysis.duration(step.meanTime),
                chart: BarChart(
                    title: strings.text("funnel.time.chartTitle", ["step": stepLabel(k)]),
                    bars: bars,
                    noDataText: strings.text("funnel.time.noData"),
                    width: 480,
                    height: 220,
                    valueFormatter: analysis.countFormatter
                ).svg()
            )
        }

        let days = FunnelForm.days(from: form.from, to: form.to)
        let breakdown = breakdown()
        let trend = trend()
        return FunnelPage.Result(
            isEmpty: entered == 0,
            funnelChart: charts[0],
            funnelChartNarrow: charts[1],
            resultRows: resultRows,
            timeCharts: timeCharts,
            summary: summary(steps),
            previousNote: strings.text("funnel.summary.previousNote", ["days": format.integer(days)]),
            hasBreakdown: breakdown != nil,
            breakdownLabel: breakdown?.label,
            breakdownSteps: breakdown?.steps ?? [],
            breakdownRows: breakdown?.rows ?? [],
            trendChart: trend.chart,
            trendRows: trend.rows,
            trendPeriod: strings.text("analysis.periods." + form.trend)
        )
    }

    /// Entered, converted and conversion now and in the previous period of the same length.
    private func summary(_ steps: [FunnelResult.Step]) -> [FunnelPage.SummaryTile] {
        let format = analysis.format
        let before = previous.groups.first?.steps ?? []
        func totals(_ steps: [FunnelResult.Step]) -> (entered: Int, converted: Int, rate: Double?) {
            let entered = steps.first?.count ?? 0
            let converted = steps.last?.count ?? 0
            return (entered, converted, entered == 0 ? nil : Double(converted) / Double(entered))
        }
        let now = totals(steps)
        let then = totals(before)
        func change(_ current: Double?, _ baseline: Double?) -> ConsoleDelta {
            guard let current, let baseline, baseline != 0 else { return ConsoleDelta(text: "–", direction: "flat") }
            return ConsoleDelta(relative: (current - baseline) / abs(baseline), format: format)
        }
        let strings = analysis.strings
        return [
            FunnelPage.SummaryTile(
                label: strings.text("funnel.summary.entered"),
                value: format.integer(now.entered),
                previous: format.integer(then.entered),
                change: change(Double(now.entered), Double(then.entered))
            ),
            FunnelPage.SummaryTile(
                label: strings.text("funnel.summary.converted"),
                value: format.integer(now.converted),
                previous: format.integer(then.converted),
                change: change(Double(now.converted), Double(then.converted))
            ),
            FunnelPage.SummaryTile(
                label: strings.text("funnel.summary.rate"),
                value: now.rate.map { format.percent($0) } ?? "–",
                previous: then.rate.map { format.percent($0) } ?? "–",
                change: change(now.rate, then.rate)
            ),
        ]
    }

    /// One row per breakdown value: people who entered, reached each step, and converted overall.
    private func breakdown() -> (label: String, steps: [FunnelPage.Label], rows: [FunnelPage.BreakdownRow])? {
        guard form.breakdown != "none" else { return nil }
        let format = analysis.format
        let rows = result.groups.dropFirst().prefix(30).map { group in
            let entered = group.steps.first?.count ?? 0
            let converted = group.steps.last?.count ?? 0
            return FunnelPage.BreakdownRow(
                name: analysis.groupName(group.value, breakdown: form.breakdown),
                cells: group.steps.map { step in
                    FunnelPage.Cell(count: format.integer(step.count), rate: format.percent(step.conversionFromStart))
                },
                entered: format.integer(entered),
                rate: entered == 0 ? "–" : format.percent(Double(converted) / Double(entered))
            )
        }
        return (
            analysis.strings.text("analysis.breakdowns." + form.breakdown),
            form.steps.indices.map { FunnelPage.Label(label: stepLabel($0)) },
            Array(rows)
        )
    }

    /// Conversion (entered → last step) by day or week, with the previous period's dashed beside it.
    private func trend() -> (chart: String, rows: [FunnelPage.TrendRow]) {
        let strings = analysis.strings
        let format = analysis.format
        let points = result.trend
        let earlier = previous.trend
        let chart = LineChart(
            title: strings.text("funnel.trend.chartTitle"),
            xLabels: points.map(\.label),
            series: [
                LineChart.Series(name: strings.text("funnel.trend.current"), values: points.map { $0.entered == 0 ? .nan : $0.rate }),
                LineChart.Series(
                    name: strings.text("funnel.trend.previous"),
                    values: earlier.map { $0.entered == 0 ? .nan : $0.rate },
                    isComparison: true,
                    colorIndex: 0
                ),
            ],
            noDataText: strings.text("funnel.noData"),
            width: 720,
            height: 280,
            valueFormatter: analysis.percentFormatter
        ).svg()
        let rows = points.enumerated().map { index, point in
            let before = index < earlier.count ? earlier[index] : nil
            return FunnelPage.TrendRow(
                label: point.label,
                entered: format.integer(point.entered),
                converted: format.integer(point.converted),
                rate: point.entered == 0 ? "–" : format.percent(point.rate),
                previousLabel: before?.label ?? "",
                previousRate: before.map { $0.entered == 0 ? "–" : format.percent($0.rate) } ?? "–"
            )
        }
        return (chart, rows)
    }
}
