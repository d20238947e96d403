import SiyuCore
import SiyuStore

/// Turns tier assignments and stored movements into the parts of `TiersPage.Model`.
struct TiersPresenter {
    let page: ValuePageContext

    /// Intent colours drawn in their own colours: red, yellow, green.
    static let intentTheme: ChartTheme = {
        var theme = ChartTheme.light
        theme.categorical = [ChartColor(rgb: 0xCF222E), ChartColor(rgb: 0xD4A72C), ChartColor(rgb: 0x1A7F37)]
        return theme
    }()

    /// A tier's name: the table's word for a standard code, the code itself for one an operator chose.
    func name(_ code: String) -> String {
        code == TierMovements.noTier ? page.strings.text("tiers.noTier") : page.word("tiers.codes." + code, or: code)
    }

    func scheme(_ scheme: TierScheme, _ assignment: TierAssignment) -> TiersPage.Scheme {
        let strings = page.strings
        let assigned = assignment.tiers.reduce(0) { $0 + $1.people }
        let revenue = assignment.tiers.lazy.map(\.revenue).saturatedSum()
        var data = TiersPage.Scheme(
            people: page.integer(assigned),
            revenue: page.money(revenue),
            isEmpty: assigned == 0,
            tiers: assignment.tiers.enumerated().map { index, tier in
                TiersPage.Tier(
                    code: tier.code,
                    name: name(tier.code),
                    people: page.integer(tier.people),
                    peopleShare: page.percent(tier.peopleShare),
                    revenue: page.money(tier.revenue),
                    revenueShare: page.percent(tier.revenueShare),
                    note: page.word("tiers.notes." + tier.code, or: ""),
                    step: index + 1
                )
            },
            chart: "",
            rungs: []
        )
        let title = strings.text("tiers.schemes." + scheme.kind.rawValue)
        switch scheme.kind {
        case .pyramid, .fiveThreeTwo:
            if let pyramid = scheme.pyramid {
                data.range = strings.text(
                    "tiers.revenueWindow",
                    ["from": page.dayLabel(pyramid.range.from), "to": page.dayLabel(pyramid.range.to - 1)]
                )
            }
            data.chart =
                StackedBarChart(
                    title: title,
                    categories: [strings.text("tiers.shareOfPeople"), strings.text("tiers.shareOfRevenue")],
                    series: assignment.tiers.map { StackedBarChart.Series(name: name($0.code), values: [$0.peopleShare, $0.revenueShare]) },
                    noDataText: strings.text("tiers.noData"),
                    isPercentStacked: true,
                    width: 480,
                    height: 300,
                    valueFormatter: page.percentFormatter,
                    percentFormatter: page.percentFormatter
                ).svg()
        case .colours:
            data.chart =
                BarChart(
                    title: title,
                    bars: assignment.tiers.enumerated().map { index, tier in
                        BarChart.Bar(
                            label: name(tier.code),
                            value: Double(tier.people),
                            colorIndex: ["red", "yellow", "green"].firstIndex(of: tier.code) ?? index
                        )
                    },
                    noDataText: strings.text("tiers.noData"),
                    width: 480,
                    height: 260,
                    theme: Self.intentTheme,
                    valueFormatter: page.countFormatter
                ).svg()
        case .ladder:
            if let ladder = scheme.ladder {
                data.rungs = ladder.rungs.map { rung in
                    TiersPage.Rung(
                        name: name(rung.code),
                        rule: strings.text(
                            "tiers.rungRule",
                            [
                                "orders": page.integer(rung.minimumOrders), "revenue": page.money(rung.minimumRevenue),
                                "interactions": page.integer(rung.minimumInteractions),
                            ]
                        )
                    )
                }
            }
            data.chart =
                BarChart(
                    title: title,
                    bars: assignment.tiers.map { BarChart.Bar(label: name($0.code), value: Double($0.people)) },
                    noDataText: strings.text("tiers.noData"),
                    width: 480,
                    height: 260,
                    valueFormatter: page.countFormatter
                ).svg()
        }
        return data
    }

    /// The from × to table of stored movements: rows the tier people left, columns the tier they reached.
    func movements(_ movements: [LabelMovement], codes: [String]) -> TiersPage.Movements {
        var order = codes
        for movement in movements {
            for code in [movement.from ?? TierMovements.noTier, movement.to ?? TierMovements.noTier] where !order.contains(code) {
                order.append(code)
            }
        }
        if !order.contains(TierMovements.noTier) { order.append(TierMovements.noTier) }
        var cells: [String: [String: Int]] = [:]
        for movement in movements {
            cells[movement.from ?? TierMovements.noTier, default: [:]][movement.to ?? TierMovements.noTier, default: 0] += movement.people
        }
        let moved = movements.filter { $0.from != $0.to }.reduce(0) { $0 + $1.people }
        return TiersPage.Movements(
            isEmpty: movements.isEmpty,
            moved: page.integer(moved),
            columns: order.map(name),
            rows: order.map { from in
                TiersPage.MovementRow(
                    name: name(from),
                    cells: order.map { to in
                        let people = cells[from]?[to] ?? 0
                        return TiersPage.MovementCell(people: people > 0 ? page.integer(people) : "·", isSame: from == to, hasPeople: people > 0)
                    }
                )
            }
        )
    }
}
