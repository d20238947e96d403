import SiyuCore

/// Turns a funnel's answer (and the previous period's) into the funnel page's charts and tables,
/// written for the reader's language.
struct FunnelPresenter {
    let analysis: AnalysisRequest
    let form: FunnelForm
    let result: FunnelResult
    let previous: FunnelResult

    /// The builder's fields, filled with the form's values: the steps given plus one empty row to add a step.
    static func formValues(_ form: FunnelForm, _ analysis: AnalysisRequest) -> [String: Any] {
        let strings = analysis.strings
        let rows = min(FunnelForm.maximumSteps, max(form.steps.count + 1, 2))
        let stepRows: [[String: Any]] = (0..<rows).map { index in
            let step = index < form.steps.count ? form.steps[index] : FunnelForm.StepInput(event: "")
            return [
                "index": index, "number": index + 1, "event": step.event, "key": step.key, "value": step.value,
                "label": strings.text("funnel.form.stepLabel", ["n": String(index + 1)]),
                "ops": analysis.options(step.op, FunnelForm.operators, prefix: "analysis.ops."),
                "isNew": index >= form.steps.count, "hasFilter": !step.key.isEmpty,
            ]
        }
        return [
            "stepRows": stepRows,
            "window": form.window,
            "units": analysis.options(form.unit, FunnelForm.units, prefix: "funnel.units."),
            "orders": analysis.options(form.order, FunnelForm.orders, prefix: "funnel.orders."),
            "breakdowns": analysis.breakdownOptions(form.breakdown, FunnelForm.breakdowns),
            "trends": analysis.options(form.trend, FunnelForm.trends, prefix: "analysis.periods."),
            "from": form.from,
            "to": form.to,
            "usesDefaultSteps": form.usesDefaultSteps,
        ]
    }

    /// Link to the people who dropped at step `k`.
    func droppedHref(_ k: Int, csv: Bool = false) -> String {
        var items = form.queryItems
        items.append(("step", String(k)))
        if csv { items.append(("format", "csv")) }
        return "/console/funnel/dropped?" + FunnelForm.queryString(items)
    }

    func stepLabel(_ k: Int) -> String { "\(k + 1). " + form.steps[k].event }

    /// Everything the page shows below the form.
    func values() -> [String: Any] {
        let strings = analysis.strings
        let format = analysis.format
        let all = result.groups.first
        let steps = all?.steps ?? []
        let entered = steps.first?.count ?? 0
        var data: [String: Any] = ["hasResult": true, "isEmpty": entered == 0]

        let chartSteps = steps.enumerated().map { k, step in
            FunnelChart.Step(label: stepLabel(k), count: Double(step.count), href: k == 0 ? nil : droppedHref(k))
        }
        // A wide chart for desktops and a narrow one for phones (CSS shows one), so that a phone's text stays readable.
        for (key, width) in [("funnelChart", 720.0), ("funnelChartNarrow", 360.0)] {
            data[key] = FunnelChart(
                title: strings.text("funnel.chartTitle"),
                steps: chartSteps,
                noDataText: strings.text("funnel.noData"),
                width: width,
                rowHeight: 44,
                valueFormatter: analysis.countFormatter,
                percentFormatter: analysis.percentFormatter
            ).svg()
        }

        data["resultRows"] = steps.enumerated().map { k, step -> [String: Any] in
            var row: [String: Any] = [
                "label": stepLabel(k), "count": format.integer(step.count),
                "fromStart": format.percent(step.conversionFromStart),
                "fromPrevious": k == 0 ? "–" : format.percent(step.conversionFromPrevious),
                "median": analysis.duration(step.medianTime), "mean": analysis.duration(step.meanTime),
            ]
            if k > 0 {
                row["dropped"] = format.integer(step.dropped)
                row["droppedHref"] = droppedHref(k)
                row["csvHref"] = droppedHref(k, csv: true)
            }
            return row
        }

        data["timeCharts"] = steps.enumerated().dropFirst().map { k, step -> [String: Any] in
            let bars = step.histogram.map { bin in
                BarChart.Bar(label: "≤" + analysis.duration(Double(bin.to)), value: Double(bin.count))
            }
            return [
                "label": strings.text("funnel.time.between", ["from": form.steps[k - 1].event, "to": form.steps[k].event]),
                "median": analysis.duration(step.medianTime), "mean": analysis.duration(step.meanTime),
                "chart": BarChart(
                    title: strings.text("funnel.time.chartTitle", ["step": stepLabel(k)]),
                    bars: bars,
                    noDataText: strings.text("funnel.time.noData"),
                    width: 480,
                    height: 220,
                    valueFormatter: analysis.countFormatter
                ).svg(),
            ]
        }

        data.merge(comparison(steps)) { _, new in new }
        data.merge(breakdown()) { _, new in new }
        data.merge(trend()) { _, new in new }
        return data
    }

    /// Entered, converted and conversion now and in the previous period of the same length.
    private func comparison(_ steps: [FunnelResult.Step]) -> [String: Any] {
        let format = analysis.format
        let before = previous.groups.first?.steps ?? []
        func totals(_ steps: [FunnelResult.Step]) -> (entered: Int, converted: Int, rate: Double?) {
            let entered = steps.first?.count ?? 0
            let converted = steps.last?.count ?? 0
            return (entered, converted, entered == 0 ? nil : Double(converted) / Double(entered))
        }
        let now = totals(steps)
        let then = totals(before)
        func change(_ current: Double?, _ baseline: Double?) -> [String: Any] {
            guard let current, let baseline, baseline != 0 else { return ["text": "–", "direction": "flat"] }
            let relative = (current - baseline) / abs(baseline)
            return ["text": format.signedPercent(relative), "direction": relative > 0.0005 ? "up" : relative < -0.0005 ? "down" : "flat"]
        }
        let days = FunnelForm.days(from: form.from, to: form.to)
        return [
            "summary": [
                [
                    "label": analysis.strings.text("funnel.summary.entered"), "value": format.integer(now.entered),
                    "previous": format.integer(then.entered), "change": change(Double(now.entered), Double(then.entered)),
                ],
                [
                    "label": analysis.strings.text("funnel.summary.converted"), "value": format.integer(now.converted),
                    "previous": format.integer(then.converted), "change": change(Double(now.converted), Double(then.converted)),
                ],
                [
                    "label": analysis.strings.text("funnel.summary.rate"), "value": now.rate.map { format.percent($0) } ?? "–",
                    "previous": then.rate.map { format.percent($0) } ?? "–", "change": change(now.rate, then.rate),
                ],
            ] as [[String: Any]],
            "previousNote": analysis.strings.text("funnel.summary.previousNote", ["days": format.integer(days)]),
        ]
    }

    /// One row per breakdown value: people who entered, reached each step, and converted overall.
    private func breakdown() -> [String: Any] {
        guard form.breakdown != "none" else { return [:] }
        let format = analysis.format
        let rows = result.groups.dropFirst().prefix(30).map { group -> [String: Any] in
            let entered = group.steps.first?.count ?? 0
            let converted = group.steps.last?.count ?? 0
            return [
                "name": analysis.groupName(group.value, breakdown: form.breakdown),
                "cells": group.steps.map { step -> [String: Any] in
                    ["count": format.integer(step.count), "rate": format.percent(step.conversionFromStart)]
                },
                "entered": format.integer(entered),
                "rate": entered == 0 ? "–" : format.percent(Double(converted) / Double(entered)),
            ]
        }
        return [
            "hasBreakdown": true,
            "breakdownLabel": analysis.strings.text("analysis.breakdowns." + form.breakdown),
            "breakdownSteps": form.steps.indices.map { ["label": stepLabel($0)] },
            "breakdownRows": rows,
        ]
    }

    /// Conversion (entered → last step) by day or week, with the previous period's dashed beside it.
    private func trend() -> [String: Any] {
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
        let rows = points.enumerated().map { index, point -> [String: Any] in
            let before = index < earlier.count ? earlier[index] : nil
            return [
                "label": point.label, "entered": format.integer(point.entered), "converted": format.integer(point.converted),
                "rate": point.entered == 0 ? "–" : format.percent(point.rate),
                "previousLabel": before?.label ?? "", "previousRate": before.map { $0.entered == 0 ? "–" : format.percent($0.rate) } ?? "–",
            ]
        }
        return ["trendChart": chart, "trendRows": rows, "trendPeriod": strings.text("analysis.periods." + form.trend)]
    }
}
