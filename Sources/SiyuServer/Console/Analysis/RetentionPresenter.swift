import SiyuCore

/// Turns a retention answer into the page's cards, heat map, cohort table and breakdown views.
struct RetentionPresenter {
    let analysis: AnalysisRequest
    /// `day`, `week` or `month`.
    let period: String
    let breakdown: String
    let result: RetentionResult

    /// Column heading of period `n` after the cohort's (`Week 0`, `第 1 周`).
    func column(_ n: Int) -> String { analysis.strings.text("retention.columns." + period, ["n": String(n)]) }

    func values() -> [String: Any] {
        let strings = analysis.strings
        let format = analysis.format
        var data: [String: Any] = ["hasResult": true]
        data["cards"] = [("d1", result.day1), ("d7", result.day7), ("d30", result.day30)].map { key, rate -> [String: Any] in
            ["label": strings.text("retention.cards." + key), "value": rate.map { format.percent($0) } ?? "–"]
        }
        guard let all = result.tables.first else { return data }
        let people = all.cohorts.reduce(0) { $0 + $1.size }
        data["isEmpty"] = people == 0
        data["people"] = format.integer(people)
        let columns = (0..<(all.weighted.count)).map(column)
        data["columns"] = columns.map { ["label": $0] }

        // The later periods' rates span a narrower range than period 0: colour by them.
        let later = all.cohorts.flatMap { cohort in
            cohort.counts.dropFirst().compactMap { $0 }.map { cohort.size == 0 ? 0 : Double($0) / Double(cohort.size) }
        }
        let top = max(0.05, min(1, later.max() ?? 1))
        data["heatMap"] = RetentionHeatMap(
            title: strings.text("retention.heatMapTitle"),
            columnLabels: columns,
            rows: all.cohorts.map { cohort in
                RetentionHeatMap.Row(
                    label: "\(cohort.label) (\(format.compact(Int64(cohort.size))))",
                    values: cohort.counts.map { count in count.map { cohort.size == 0 ? 0 : Double($0) / Double(cohort.size) } }
                )
            },
            noDataText: strings.text("retention.noData"),
            width: 60 + 200 + 64 * Double(columns.count),
            colorScale: 0...top,
            percentFormatter: analysis.percentFormatter
        ).svg()

        data["cohorts"] = all.cohorts.map { cohort -> [String: Any] in
            [
                "label": cohort.label, "size": format.integer(cohort.size),
                "cells": cohort.counts.map { count -> [String: Any] in
                    guard let count else { return ["empty": true] }
                    return ["count": format.integer(count), "rate": cohort.size == 0 ? "–" : format.percent(Double(count) / Double(cohort.size))]
                },
            ]
        }
        func rates(_ values: [Double?]) -> [[String: Any]] { values.map { ["rate": $0.map { format.percent($0) } ?? "–"] } }
        data["weighted"] = rates(all.weighted)
        data["simple"] = rates(all.simple)
        data.merge(groups()) { _, new in new }
        return data
    }

    /// The breakdown: each value's weighted retention per period, and a bar chart of period 1.
    private func groups() -> [String: Any] {
        guard breakdown != "none", result.tables.count > 1 else { return [:] }
        let strings = analysis.strings
        let format = analysis.format
        let tables = result.tables.dropFirst().filter { table in table.cohorts.contains { $0.size > 0 } }.prefix(20)
        let shown = min(8, result.tables[0].weighted.count - 1)
        let rows = tables.map { table -> [String: Any] in
            [
                "name": analysis.groupName(table.value, breakdown: breakdown),
                "people": format.integer(table.cohorts.reduce(0) { $0 + $1.size }),
                "cells": (1...max(1, shown)).map { n -> [String: Any] in
                    ["rate": n < table.weighted.count ? table.weighted[n].map { format.percent($0) } ?? "–" : "–"]
                },
            ]
        }
        let ranked = tables.compactMap { table -> (String, Double)? in
            guard table.weighted.count > 1, let rate = table.weighted[1] else { return nil }
            return (analysis.groupName(table.value, breakdown: breakdown), rate)
        }.sorted { $0.1 > $1.1 }
        let label = strings.text("analysis.breakdowns." + breakdown)
        let chart = BarChart(
            title: strings.text("retention.byGroup.chartTitle", ["group": label, "period": column(1)]),
            bars: ranked.map { BarChart.Bar(label: $0.0, value: $0.1) },
            noDataText: strings.text("retention.noData"),
            orientation: .horizontal,
            width: 640,
            height: 40 + 30 * Double(max(ranked.count, 1)),
            valueFormatter: analysis.percentFormatter
        ).svg()
        var data: [String: Any] = [
            "hasGroups": true, "groupLabel": label, "groupRows": rows, "groupChart": chart,
            "groupColumns": (1...max(1, shown)).map { ["label": column($0)] },
            "groupChartTitle": strings.text("retention.byGroup.chartTitle", ["group": label, "period": column(1)]),
        ]
        if let best = ranked.first {
            data["bestGroup"] = strings.text("retention.byGroup.best", ["name": best.0, "rate": format.percent(best.1), "period": column(1)])
        }
        return data
    }
}
