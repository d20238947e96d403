import Testing

@testable import SiyuServer

@Suite struct BarChartTests {
    /// The data rectangles (those with a tooltip; the background has none).
    func bars(_ root: SVGElement) -> [SVGElement] { root.all("rect").filter { $0.title != nil } }

    @Test func columnHeightsFollowTheScale() throws {
        // Max 100 → ticks 0…100. With values shown the plot starts 12 + 10 = 22 down and leaves
        // 12 + 14 = 26 for the labels, so a 248-high chart has a 200-high plot: 50 is a 100-high
        // column from y = 122, 100 a 200-high one from y = 22.
        let chart = BarChart(title: "t", bars: [.init(label: "A", value: 50), .init(label: "B", value: 100)], noDataText: "–", height: 248)
        let root = try SVGParser.parse(chart.svg())
        let columns = bars(root)
        #expect(columns.map(\.title) == ["A: 50", "B: 100"])
        #expect(columns.map { $0.number("height") } == [100, 200])
        #expect(columns.map { $0.number("y") } == [122, 22])
        // Value labels above the columns, category labels underneath.
        let texts = root.all("text").map(\.text)
        #expect(texts.suffix(4) == ["50", "100", "A", "B"])
    }

    @Test func everyBarHasATooltip() throws {
        let chart = BarChart(title: "t", bars: (1...12).map { .init(label: "月\($0)", value: Double($0 * 37)) }, noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        // All rectangles but the background carry a title.
        #expect(root.all("rect").count == 13)
        #expect(bars(root).count == 12)
    }

    @Test func negativeColumnsHangFromTheZeroLine() throws {
        // −20…40 → step 20, ticks −20, 0, 20, 40: zero is a third of the way up the plot, and the
        // −20 column is as tall as the 20 one would be (a third of the plot), starting at zero.
        let chart = BarChart(title: "t", bars: [.init(label: "A", value: -20), .init(label: "B", value: 40)], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("text").map(\.text).prefix(4) == ["-20", "0", "20", "40"])
        let columns = bars(root)
        let negative = try #require(columns[0].number("height"))
        let positive = try #require(columns[1].number("height"))
        #expect(abs(negative * 2 - positive) <= 0.2)
        // The negative column's top edge is the positive column's bottom edge: the zero line.
        let zero = try #require(columns[1].number("y")) + positive
        #expect(abs(try #require(columns[0].number("y")) - zero) <= 0.1)
    }

    @Test func horizontalBarLengthsAreProportional() throws {
        // Max 100 → ticks 0…100; 25 is a quarter of the 100 bar, both starting at zero.
        let chart = BarChart(
            title: "t",
            bars: [.init(label: "Organic search", value: 100), .init(label: "Referral", value: 25)],
            noDataText: "–",
            orientation: .horizontal
        )
        let root = try SVGParser.parse(chart.svg())
        let rows = bars(root)
        let full = try #require(rows[0].number("width"))
        let quarter = try #require(rows[1].number("width"))
        #expect(abs(quarter - full / 4) <= 0.1)
        #expect(rows[0].attributes["x"] == rows[1].attributes["x"])
        #expect(rows[1].number("y")! > rows[0].number("y")!)
    }

    @Test func safeLinksWrapTheBarAndUnsafeOnesAreDropped() throws {
        let chart = BarChart(
            title: "t",
            bars: [.init(label: "A", value: 1, href: "/people?a=1&b=2"), .init(label: "B", value: 2, href: "javascript:alert(1)")],
            noDataText: "–"
        )
        let svg = chart.svg()
        let root = try SVGParser.parse(svg)
        let links = root.all("a")
        #expect(links.map { $0.attributes["href"] } == ["/people?a=1&b=2"])
        #expect(links[0].all("rect").first?.title == "A: 1")
        #expect(svg.contains("href=\"/people?a=1&amp;b=2\""))
        #expect(!svg.contains("javascript"))
    }

    @Test func nonFiniteBarsAreSkippedAndNoneGivesTheMessage() throws {
        let some = BarChart(title: "t", bars: [.init(label: "A", value: .nan), .init(label: "B", value: 3)], noDataText: "–")
        #expect(bars(try SVGParser.parse(some.svg())).map(\.title) == ["B: 3"])
        let none = BarChart(title: "t", bars: [.init(label: "A", value: .infinity)], noDataText: "没有数据")
        #expect(try SVGParser.parse(none.svg()).all("text").map(\.text) == ["没有数据"])
        #expect(try SVGParser.parse(BarChart(title: "t", bars: [], noDataText: "x").svg()).all("text").map(\.text) == ["x"])
    }

    @Test func allZeroBarsStillDrawAnAxis() throws {
        let chart = BarChart(title: "t", bars: [.init(label: "A", value: 0), .init(label: "B", value: 0)], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("text").map(\.text).prefix(2) == ["0", "1"])
        #expect(bars(root).map { $0.number("height") } == [0, 0])
    }
}
