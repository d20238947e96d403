import Testing

@testable import SiyuServer

@Suite struct SparklineTests {
    @Test func theLineSpansTheBoxInsideThePadding() throws {
        // 120 × 28 with 3 of padding: x from 3 to 117, y from 3 (max) to 25 (min).
        // [1, 2, 3] → (3, 25), (60, 14), (117, 3); the last point has a dot with its value.
        let root = try SVGParser.parse(Sparkline(title: "订单", values: [1, 2, 3], noDataText: "").svg())
        #expect(root.attributes["viewBox"] == "0 0 120 28")
        #expect(root.all("path").first?.attributes["d"] == "M3 25L60 14L117 3")
        let dot = try #require(root.all("circle").last)
        #expect(dot.number("cx") == 117 && dot.number("cy") == 3)
        #expect(dot.title == "3")
        #expect(root.all("text").isEmpty)
    }

    @Test func equalValuesAreAFlatLineInTheMiddle() throws {
        let root = try SVGParser.parse(Sparkline(title: "t", values: [5, 5], noDataText: "", showsLastPoint: false).svg())
        #expect(root.all("path").first?.attributes["d"] == "M3 14L117 14")
        #expect(root.all("circle").isEmpty)
    }

    @Test func gapsAndLonePoints() throws {
        // [1, NaN, 3, 3]: min 1, max 3; the first point stands alone (dot), then 3 → 3.
        // x = 3 + 114 × i / 3 → 3, 41, 79, 117.
        let root = try SVGParser.parse(Sparkline(title: "t", values: [1, .nan, 3, 3], noDataText: "").svg())
        #expect(root.all("path").first?.attributes["d"] == "M3 25M79 3L117 3")
        #expect(root.all("circle").map { $0.number("cx") } == [3, 117])
    }

    @Test func noValuesShowTheMessage() throws {
        #expect(try SVGParser.parse(Sparkline(title: "t", values: [], noDataText: "—").svg()).all("text").map(\.text) == ["—"])
        #expect(try SVGParser.parse(Sparkline(title: "t", values: [.nan], noDataText: "").svg()).all("text").isEmpty)
    }
}
