import SiyuCore

/// Turns a retention answer into the page's cards, heat map, cohort table and breakdown views
/// (`RetentionPage.Result`).
struct RetentionPresenter {
    let analysis: AnalysisRequest
    /// `day`, `week` or `month`.
    let period: String
    let breakdown: String
    let result: RetentionResult

    /// Column heading of period `n` after the cohort's (`Week 0`, `第 1 周`).
    func column(_ n: Int) -> String { analysis.strings.text("retention.columns." + period, ["n": String(n)]) }

    /// The cards for every answer; the heat map, cohort table and breakdown when it has a table.
    func resultModel() -> RetentionPage.Result {
        let strings = analysis.strings
        let format = analysis.format
        let cards = [("d1", result.day1), ("d7", result.day7), ("d30", result.day30)].map { key, rate in
            RetentionPage.Card(label: strings.text("retention.cards." + key), value: rate.map { format.percent($0) } ?? "–")
        }
        var page = RetentionPage.Result(cards: cards, isEmpty: false, columns: [], cohorts: [], weighted: [], simple: [])
        guard let all = result.tables.first else { return page }
        let people = all.cohorts.reduce(0) { $0 + $1.size }
        page.isEmpty = people == 0
        page.people = format.integer(people)
        let columns = (0..<(all.weighted.count)).map(column)
        page.columns = columns.map { RetentionPage.Label(label: $0) }

        // The later periods' rates span a narrower range than period 0: colour by them.
        let later = all.cohorts.flatMap { cohort in
            cohort.counts.dropFirst().compactMap { $0 }.map { cohort.size == 0 ? 0 : Double($0) / Double(cohort.size) }
        }
        let top = max(0.05, min(1, later.max() ?? 1))
        page.heatMap = RetentionHeatMap(
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

        page.cohorts = all.cohorts.map { cohort in
            RetentionPage.Cohort(
                label: cohort.label,
                size: format.integer(cohort.size),
                cells: cohort.counts.map { count in
                    guard let count else { return RetentionPage.Cell(empty: true) }
                    return RetentionPage.Cell(
                        empty: false,
                        count: format.integer(count),
                        rate: cohort.size == 0 ? "–" : format.percent(Double(count) / Double(cohort.size))
                    )
                }
            )
        }
        func rates(_ values: [Double?]) -> [RetentionPage.Rate] { values.map { RetentionPage.Rate(rate: $0.map { format.percent($0) } ?? "–") } }
        page.weighted = rates(all.weighted)
        page.simple = rates(all.simple)
        page.groups = groups()
        return page
    }

    /// The breakdown: each value's weighted retention per period, and a bar chart of period 1.
    private func groups() -> RetentionPage.Groups? {
        guard breakdown != "none", result.tables.count > 1 else { return nil }
        let strings = analysis.strings
        let format = analysis.format
        let tables = result.tables.dropFirst().filter { table in table.cohorts.contains { $0.size > 0 } }.prefix(20)
        let shown = min(8, result.tables[0].weighted.count - 1)
        let rows = tables.map { table in
            RetentionPage.GroupRow(
                name: analysis.groupName(table.value, breakdown: breakdown),
                people: format.integer(table.cohorts.reduce(0) { $0 + $1.size }),
                cells: (1...max(1, shown)).map { n in
                    RetentionPage.Rate(rate: n < table.weighted.count ? table.weighted[n].map { format.percent($0) } ?? "–" : "–")
                }
            )
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
        return RetentionPage.Groups(
            groupLabel: label,
            groupRows: Array(rows),
            groupChart: chart,
            groupColumns: (1...max(1, shown)).map { RetentionPage.Label(label: column($0)) },
            bestGroup: ranked.first.map { best in
                strings.text("retention.byGroup.best", ["name": best.0, "rate": format.percent(best.1), "period": column(1)])
            }
        )
    }
}
