import Testing

@testable import SiyuServer

@Suite struct FunnelChartTests {
    let steps: [FunnelChart.Step] = [
        .init(label: "访问", count: 1000, href: "/people?funnel=1&step=0"),
        .init(label: "加购", count: 500),
        .init(label: "支付", count: 250),
    ]

    /// The filled bar of the step labelled `label`.
    func bar(_ root: SVGElement, _ label: String) throws -> SVGElement {
        try #require(root.all("rect").first { $0.title?.hasPrefix(label + ": ") == true && $0.attributes["fill-opacity"] == nil })
    }

    @Test func barsAreTheShareOfTheFirstStep() throws {
        // 250 of 1000 = 25 %: its bar is a quarter of the first (100 %) bar; 500 is a half.
        let root = try SVGParser.parse(FunnelChart(title: "t", steps: steps, noDataText: "–").svg())
        let full = try #require(try bar(root, "访问").number("width"))
        #expect(abs(try #require(try bar(root, "支付").number("width")) - full * 0.25) <= 0.1)
        #expect(abs(try #require(try bar(root, "加购").number("width")) - full * 0.5) <= 0.1)
        let texts = root.all("text").map(\.text)
        #expect(texts == ["访问", "1,000", "100%", "加购", "500", "50%", "支付", "250", "25%"])
        #expect(try bar(root, "支付").title == "支付: 250 · 25%")
    }

    @Test func theDropOffIsALighterRemainder() throws {
        // 750 of 1000 dropped before 支付: the remainder fills the other 75 % of the row.
        let root = try SVGParser.parse(FunnelChart(title: "t", steps: steps, noDataText: "–").svg())
        let full = try #require(try bar(root, "访问").number("width"))
        let remainder = try #require(root.all("rect").first { $0.title == "支付: -750 · -75%" })
        #expect(remainder.attributes["fill-opacity"] == "0.2")
        #expect(abs(try #require(remainder.number("width")) - full * 0.75) <= 0.1)
        #expect(abs(try #require(remainder.number("x")) - (try bar(root, "支付").number("x")! + full * 0.25)) <= 0.1)
        // The first step keeps everyone, so it has no remainder.
        #expect(!root.all("rect").contains { $0.title?.hasPrefix("访问: -") == true })
    }

    @Test func aStepWithALinkIsClickable() throws {
        let svg = FunnelChart(title: "t", steps: steps, noDataText: "–").svg()
        let links = try SVGParser.parse(svg).all("a")
        #expect(links.map { $0.attributes["href"] } == ["/people?funnel=1&step=0"])
        #expect(links[0].all("text").map(\.text) == ["访问", "1,000", "100%"])
        #expect(svg.contains("<a href=\"/people?funnel=1&amp;step=0\">"))
    }

    @Test func labelsAreEscaped() throws {
        let svg = FunnelChart(title: "t", steps: [.init(label: "<b>&\"", count: 3)], noDataText: "–").svg()
        #expect(svg.contains(">&lt;b&gt;&amp;&quot;</text>"))
        #expect(try SVGParser.parse(svg).all("text").first?.text == "<b>&\"")
    }

    @Test func zeroFirstStepMeasuresAgainstTheLargest() throws {
        // 0, 40, 10: conversions against 40 → 0 %, 100 %, 25 %.
        let chart = FunnelChart(
            title: "t",
            steps: [.init(label: "a", count: 0), .init(label: "b", count: 40), .init(label: "c", count: 10)],
            noDataText: "–"
        )
        let texts = try SVGParser.parse(chart.svg()).all("text").map(\.text)
        #expect(texts == ["a", "0", "0%", "b", "40", "100%", "c", "10", "25%"])
    }

    @Test func emptyOrAllZeroGivesTheMessage() throws {
        for steps: [FunnelChart.Step] in [[], [.init(label: "a", count: 0), .init(label: "b", count: .nan)]] {
            let root = try SVGParser.parse(FunnelChart(title: "t", steps: steps, noDataText: "暂无数据").svg())
            #expect(root.all("text").map(\.text) == ["暂无数据"])
        }
    }
}
