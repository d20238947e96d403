import Testing

@testable import SiyuServer

@Suite struct LorenzChartTests {
    @Test func theCurveIsCompletedSortedAndClamped() {
        let chart = LorenzChart(title: "t", points: [.init(x: 0.5, y: 0.25), .init(x: .nan, y: 0.1), .init(x: 0.2, y: -1)], noDataText: "–")
        #expect(chart.curve == [.init(x: 0, y: 0), .init(x: 0.2, y: 0), .init(x: 0.5, y: 0.25), .init(x: 1, y: 1)])
    }

    @Test func pointsSitOnTheSquarePlot() throws {
        // The equality diagonal runs from the plot's bottom-left (0, 0) to its top-right (1, 1);
        // (0.5, 0.25) is half-way across and a quarter of the way up.
        let chart = LorenzChart(title: "t", points: [.init(x: 0.5, y: 0.25)], caption: "Gini 0.62", noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let diagonal = try #require(root.all("line").first { $0.attributes["stroke-dasharray"] != nil })
        let (x1, y1, x2, y2) = (diagonal.number("x1")!, diagonal.number("y1")!, diagonal.number("x2")!, diagonal.number("y2")!)
        #expect(abs((x2 - x1) - (y1 - y2)) <= 0.1)
        let point = try #require(root.all("circle").first { $0.title == "50% · 25%" })
        #expect(abs(point.number("cx")! - (x1 + 0.5 * (x2 - x1))) <= 0.1)
        #expect(abs(point.number("cy")! - (y1 - 0.25 * (y1 - y2))) <= 0.1)
        // The shaded gap closes back along the diagonal.
        #expect(root.all("path").contains { $0.attributes["d"]?.hasSuffix("Z") == true && $0.attributes["fill-opacity"] == "0.15" })
        let caption = try #require(root.all("text").first { $0.text == "Gini 0.62" })
        #expect(caption.attributes["font-weight"] == "bold")
    }

    @Test func axisTitlesGoIntoTheTooltips() throws {
        let chart = LorenzChart(title: "t", points: [.init(x: 0.8, y: 0.4)], xAxisTitle: "客户", yAxisTitle: "收入", noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("circle").map(\.title).contains("客户 80% · 收入 40%"))
        #expect(root.all("text").map(\.text).contains("客户"))
    }

    @Test func noValidPointGivesTheMessage() throws {
        let chart = LorenzChart(title: "t", points: [.init(x: .nan, y: 0)], noDataText: "暂无")
        #expect(try SVGParser.parse(chart.svg()).all("text").map(\.text) == ["暂无"])
    }
}
