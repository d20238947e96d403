import SiyuCore

/// Turns an ``RFMResult`` into the RFM page's result (`RFMPage.Result`): the headline, the 2×4 grid of the 8 classes,
/// the 11 segments (chart and table), the quintile bands and the breakdown.
struct RFMPresenter {
    let page: ValuePageContext
    let window: DateWindow
    let channelNames: [String: String]

    /// R, F and M high or low of each of the 8 classes.
    static func levels(_ rfmClass: RFMClass) -> (r: Bool, f: Bool, m: Bool) {
        switch rfmClass {
        case .importantValue: return (true, true, true)
        case .importantDevelopment: return (true, false, true)
        case .importantRetention: return (false, true, true)
        case .importantWinBack: return (false, false, true)
        case .generalValue: return (true, true, false)
        case .generalDevelopment: return (true, false, false)
        case .generalRetention: return (false, true, false)
        case .generalWinBack: return (false, false, false)
        }
    }

    func peopleHref(_ kind: String, _ code: String) -> String { "/console/rfm/people?\(kind)=\(code)&\(window.query)" }

    /// The page's result; `nil` when nobody bought in the window.
    func resultModel(_ result: RFMResult, breakdown: String?) -> RFMPage.Result? {
        let strings = page.strings
        guard let all = result.groups.first, !result.rows.isEmpty else { return nil }
        let top = all.classes.max { ($0.revenueShare, $1.code) < ($1.revenueShare, $0.code) }
        var headline: String?
        if let top {
            headline = strings.text(
                "rfm.headline",
                [
                    "name": strings.text("rfm.classes." + top.code), "revenueShare": page.percent(top.revenueShare),
                    "peopleShare": page.percent(top.peopleShare), "people": page.integer(top.people),
                ]
            )
        }
        let byCode = Dictionary(all.classes.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        func card(_ rfmClass: RFMClass) -> RFMPage.ClassCard {
            let summary = byCode[rfmClass.rawValue]
            let levels = Self.levels(rfmClass)
            let people = summary?.people ?? 0
            let revenue = summary?.revenue ?? 0
            func level(_ key: String, _ high: Bool) -> RFMPage.Level {
                RFMPage.Level(dimension: strings.text("rfm.dimensions.\(key)"), level: strings.text(high ? "rfm.high" : "rfm.low"), high: high)
            }
            return RFMPage.ClassCard(
                code: rfmClass.rawValue,
                name: strings.text("rfm.classes." + rfmClass.rawValue),
                advice: strings.text("rfm.advice." + rfmClass.rawValue),
                levels: [level("r", levels.r), level("f", levels.f), level("m", levels.m)],
                people: page.integer(people),
                peopleShare: page.percent(summary?.peopleShare ?? 0),
                revenue: page.money(revenue),
                revenueShare: page.percent(summary?.revenueShare ?? 0),
                average: people > 0 ? page.money(revenue / Int64(people)) : "–",
                bar: Int(((summary?.revenueShare ?? 0) * 100).rounded()),
                isTop: top?.code == rfmClass.rawValue && (top?.revenue ?? 0) > 0,
                href: peopleHref("class", rfmClass.rawValue)
            )
        }
        let gridRows = [
            RFMPage.GridRow(
                label: strings.text("rfm.grid.important"),
                cards: [RFMClass.importantValue, .importantDevelopment, .importantRetention, .importantWinBack].map(card)
            ),
            RFMPage.GridRow(
                label: strings.text("rfm.grid.general"),
                cards: [RFMClass.generalValue, .generalDevelopment, .generalRetention, .generalWinBack].map(card)
            ),
        ]
        let classChart =
            StackedBarChart(
                title: strings.text("rfm.classChart"),
                categories: [strings.text("rfm.shareOfPeople"), strings.text("rfm.shareOfRevenue")],
                series: all.classes.map {
                    StackedBarChart.Series(name: strings.text("rfm.classes." + $0.code), values: [$0.peopleShare, $0.revenueShare])
                },
                noDataText: strings.text("rfm.empty.title"),
                isPercentStacked: true,
                width: 640,
                height: 340,
                valueFormatter: page.percentFormatter,
                percentFormatter: page.percentFormatter
            ).svg()
        let segmentChart =
            BarChart(
                title: strings.text("rfm.segmentChart"),
                bars: all.segments.map {
                    BarChart.Bar(label: strings.text("rfm.segments." + $0.code), value: $0.revenueShare, href: peopleHref("segment", $0.code))
                },
                noDataText: strings.text("rfm.empty.title"),
                orientation: .horizontal,
                width: 640,
                height: 380,
                valueFormatter: page.percentFormatter
            ).svg()
        let segments = all.segments.map { segment in
            RFMPage.Segment(
                code: segment.code,
                name: strings.text("rfm.segments." + segment.code),
                people: page.integer(segment.people),
                peopleShare: page.percent(segment.peopleShare),
                revenue: page.money(segment.revenue),
                revenueShare: page.percent(segment.revenueShare),
                average: segment.people > 0 ? page.money(segment.revenue / Int64(segment.people)) : "–",
                href: peopleHref("segment", segment.code)
            )
        }
        let means = strings.text(
            "rfm.means",
            [
                "recency": page.format.decimal(result.recency.mean, digits: 1), "frequency": page.format.decimal(result.frequency.mean, digits: 2),
                "monetary": page.money(Int64(result.monetary.mean.rounded())),
            ]
        )
        return RFMPage.Result(
            buyers: page.integer(all.buyers),
            revenue: page.money(all.revenue),
            averageSpend: page.money(all.revenue / Int64(max(all.buyers, 1))),
            headline: headline,
            headlineHref: top.map { peopleHref("class", $0.code) },
            gridRows: gridRows,
            classChart: classChart,
            segmentChart: segmentChart,
            segments: segments,
            bands: bands(result),
            means: means,
            groups: breakdown != nil ? groups(result) : nil
        )
    }

    /// One row per score 1–5 with the value range of R (days), F (orders) and M (money).
    func bands(_ result: RFMResult) -> [RFMPage.Band] {
        func text(_ dimension: RFMResult.Dimension, _ score: Int, _ format: (Int64) -> String) -> (String, String) {
            guard let band = dimension.bands.first(where: { $0.score == score }) else { return ("–", "0") }
            let range = band.min == band.max ? format(band.min) : format(band.min) + " – " + format(band.max)
            return (range, page.integer(band.people))
        }
        return (1...5).reversed().map { score in
            let r = text(result.recency, score) { page.strings.text("rfm.days", ["days": page.format.integer($0)]) }
            let f = text(result.frequency, score) { page.format.integer($0) }
            let m = text(result.monetary, score) { page.money($0) }
            return RFMPage.Band(
                score: score,
                recency: r.0,
                recencyPeople: r.1,
                frequency: f.0,
                frequencyPeople: f.1,
                monetary: m.0,
                monetaryPeople: m.1
            )
        }
    }

    /// The breakdown: buyers per class in each value (most buyers first), with the top class's revenue share.
    func groups(_ result: RFMResult) -> RFMPage.Groups {
        let groups = result.groups.dropFirst().prefix(12)
        let names = groups.map { channelNames[$0.value] ?? ($0.value == "(none)" ? page.strings.text("valueFilters.noChannel") : $0.value) }
        return RFMPage.Groups(
            classes: RFMClass.allCases.map { page.strings.text("rfm.classes." + $0.rawValue) },
            rows: zip(groups, names).map { group, name in
                RFMPage.GroupRow(
                    name: name,
                    buyers: page.integer(group.buyers),
                    revenue: page.money(group.revenue),
                    cells: group.classes.map { RFMPage.GroupCell(people: page.integer($0.people), revenueShare: page.percent($0.revenueShare)) }
                )
            },
            chart: StackedBarChart(
                title: page.strings.text("rfm.groupChart"),
                categories: names,
                series: RFMClass.allCases.enumerated().map { index, rfmClass in
                    StackedBarChart.Series(
                        name: page.strings.text("rfm.classes." + rfmClass.rawValue),
                        values: groups.map { Double($0.classes[index].revenue) }
                    )
                },
                noDataText: page.strings.text("rfm.empty.title"),
                isPercentStacked: true,
                width: 720,
                height: 340,
                valueFormatter: page.moneyFormatter,
                percentFormatter: page.percentFormatter
            ).svg()
        )
    }
}
