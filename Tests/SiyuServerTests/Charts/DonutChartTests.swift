import Testing

@testable import SiyuServer

@Suite struct DonutChartTests {
    @Test func slicesAreDashesOfTheirShareOfTheCircumference() throws {
        // 1 and 3 of 4: 25 % and 75 % of 2πr; the second dash starts where the first ends.
        let chart = DonutChart(
            title: "t",
            slices: [.init(label: "微信", value: 1), .init(label: "抖音", value: 3), .init(label: "x", value: -2)],
            centerText: "4",
            noDataText: "–"
        )
        let root = try SVGParser.parse(chart.svg())
        let rings = root.all("circle")
        #expect(rings.count == 2)
        let radius = try #require(rings[0].number("r"))
        let circumference = 2 * Double.pi * radius
        let dashes = rings.map { $0.attributes["stroke-dasharray"]!.split(separator: " ").compactMap { Double($0) } }
        #expect(abs(dashes[0][0] - circumference * 0.25) <= 0.2)
        #expect(abs(dashes[1][0] - circumference * 0.75) <= 0.2)
        #expect(abs(try #require(rings[1].number("stroke-dashoffset")) + circumference * 0.25) <= 0.2)
        #expect(rings.map(\.title) == ["微信: 1 (25%)", "抖音: 3 (75%)"])
        // Centre text, then the legend rows: label, value, percentage.
        #expect(root.all("text").map(\.text) == ["4", "微信", "1", "25%", "抖音", "3", "75%"])
    }

    @Test func aSingleSliceIsAFullRing() throws {
        let root = try SVGParser.parse(DonutChart(title: "t", slices: [.init(label: "a", value: 5)], noDataText: "–").svg())
        let dash = try #require(root.all("circle").first?.attributes["stroke-dasharray"]).split(separator: " ")
        #expect(dash[0] == dash[1])
    }

    @Test func nothingAboveZeroGivesTheMessage() throws {
        let chart = DonutChart(title: "t", slices: [.init(label: "a", value: 0), .init(label: "b", value: .nan)], noDataText: "暂无")
        #expect(try SVGParser.parse(chart.svg()).all("text").map(\.text) == ["暂无"])
    }
}
