import SiyuCore

/// Turns a concentration answer (and each first-touch channel's) into `ConcentrationPage.Model`.
struct ConcentrationPresenter {
    let page: ValuePageContext

    func model(
        _ result: ConcentrationResult,
        window: DateWindow,
        population: String,
        channels: [(name: String, result: ConcentrationResult)]
    ) -> ConcentrationPage.Model {
        let strings = page.strings
        let gini = page.format.decimal(result.gini, digits: 2)
        let lorenz =
            LorenzChart(
                title: strings.text("concentration.lorenzTitle"),
                points: result.lorenz.map { LorenzChart.Point(x: $0.population, y: $0.revenue) },
                caption: strings.text("concentration.giniCaption", ["gini": gini]),
                xAxisTitle: strings.text("concentration.axisPeople"),
                yAxisTitle: strings.text("concentration.axisRevenue"),
                noDataText: strings.text("concentration.empty.title"),
                width: 420,
                height: 420,
                percentFormatter: page.percentFormatter
            ).svg()
        let twenty = result.top.first { abs($0.fraction - 0.2) < 1e-9 }
        return ConcentrationPage.Model(
            window: window.fields,
            populations: ConcentrationQuery.Population.allCases.map { option in
                ConcentrationPage.Option(
                    value: option.rawValue,
                    label: strings.text("concentration.populations." + option.rawValue),
                    selected: option.rawValue == population
                )
            },
            isEmpty: result.revenue <= 0,
            people: page.integer(result.people),
            buyers: page.integer(result.buyers),
            revenue: page.money(result.revenue),
            gini: gini,
            giniVerdict: strings.text("concentration.verdicts." + ConcentrationPage.verdict(result.gini)),
            cards: result.top.map { top in
                ConcentrationPage.TopCard(
                    label: strings.text("concentration.topLabel", ["percent": page.format.decimal(top.fraction * 100, digits: 0)]),
                    share: page.percent(top.share),
                    people: page.integer(top.people),
                    revenue: page.money(top.revenue),
                    key: page.format.decimal(top.fraction * 100, digits: 0)
                )
            },
            pareto: twenty.map { strings.text("concentration.pareto", ["share": page.percent($0.share)]) },
            lorenz: lorenz,
            channels: self.channels(channels, total: result.revenue)
        )
    }

    /// The channels' rows, most revenue first.
    func channels(_ rows: [(name: String, result: ConcentrationResult)], total: Int64) -> [ConcentrationPage.Channel] {
        rows.sorted { ($0.result.revenue, $1.name) > ($1.result.revenue, $0.name) }.map { name, result in
            let topTen = result.top.first { abs($0.fraction - 0.1) < 1e-9 }?.share ?? 0
            return ConcentrationPage.Channel(
                name: name,
                people: page.integer(result.people),
                buyers: page.integer(result.buyers),
                revenue: page.money(result.revenue),
                revenueShare: page.percent(total > 0 ? Double(result.revenue) / Double(total) : 0),
                topTen: page.percent(topTen),
                gini: page.format.decimal(result.gini, digits: 2)
            )
        }
    }
}
