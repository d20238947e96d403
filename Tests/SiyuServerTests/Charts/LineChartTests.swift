import Testing

@testable import SiyuServer

@Suite struct LineChartTests {
    let days = ["05-01", "05-02", "05-03", "05-04"]

    @Test func rootIsAnAccessibleStandaloneSVG() throws {
        let chart = LineChart(title: "Visits <b>&\"", xLabels: days, series: [.init(name: "Visits", values: [1, 2, 3, 4])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.name == "svg")
        #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(root.attributes["viewBox"] == "0 0 640 300")
        #expect(root.attributes["role"] == "img")
        // The parser decodes entities, so the label reads back as given.
        #expect(root.attributes["aria-label"] == "Visits <b>&\"")
        #expect(root.attributes["font-family"] == "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif")
        #expect(chart.svg().contains("aria-label=\"Visits &lt;b&gt;&amp;&quot;\""))
        #expect(!chart.svg().contains("<script"))
    }

    @Test func valuesSitOnTheNiceScale() throws {
        // Max 87 → ticks 0…100. One series (no legend): the plot starts 10 below the top and
        // leaves 12 + 14 for the x labels, so a 436-high chart has a 400-high plot from y = 10.
        // 25 sits at 10 + 400 × (1 − 25/100) = 310; 87 at 10 + 400 × 0.13 = 62; 0 at 410.
        let chart = LineChart(title: "t", xLabels: ["a", "b", "c"], series: [.init(name: "", values: [0, 25, 87])], noDataText: "–", height: 436)
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("text").map(\.text).prefix(6) == ["0", "20", "40", "60", "80", "100"])
        let dots = root.all("circle")
        #expect(dots.map(\.title) == ["a: 0", "b: 25", "c: 87"])
        #expect(dots.map { $0.number("cy") } == [410, 310, 62])
        // Three points spread over the plot width: first at its left edge, last at its right edge.
        let xs = dots.compactMap { $0.number("cx") }
        #expect(abs((xs[1] - xs[0]) - (xs[2] - xs[1])) <= 0.1)
    }

    @Test func gapsSplitTheLineAndLonePointsAreDots() throws {
        // [1, NaN, 3, 4]: the NaN is skipped, so point 1 stands alone (a visible dot) and 3–4 is one segment.
        let chart = LineChart(title: "t", xLabels: days, series: [.init(name: "s", values: [1, .nan, 3, 4])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let d = try #require(root.all("path").first?.attributes["d"])
        #expect(d.filter { $0 == "M" }.count == 2)
        #expect(d.filter { $0 == "L" }.count == 1)
        #expect(!d.contains("nan"))
        #expect(root.all("circle").map(\.title) == ["s · 05-01: 1", "s · 05-03: 3", "s · 05-04: 4"])
    }

    @Test func aSinglePointIsADotInTheMiddle() throws {
        let chart = LineChart(title: "t", xLabels: ["Mon"], series: [.init(name: "s", values: [5])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let dot = try #require(root.all("circle").first)
        #expect(dot.attributes["fill-opacity"] == nil)
        #expect(dot.title == "s · Mon: 5")
        #expect(root.all("path").allSatisfy { !($0.attributes["d"] ?? "").contains("L") })
    }

    @Test func negativeValuesExtendTheAxisBelowZero() throws {
        // −37…87 → ticks −50, 0, 50, 100 (see NiceScaleTests).
        let chart = LineChart(title: "t", xLabels: ["a", "b"], series: [.init(name: "", values: [-37, 87])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("text").map(\.text).prefix(4) == ["-50", "0", "50", "100"])
    }

    @Test func allZeroDataDrawsAFlatLineOnZeroToOne() throws {
        let chart = LineChart(title: "t", xLabels: days, series: [.init(name: "", values: [0, 0, 0, 0])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("text").map(\.text).prefix(2) == ["0", "1"])
        #expect(Set(root.all("circle").compactMap { $0.number("cy") }).count == 1)
    }

    @Test func comparisonSeriesIsDashedAndInTheLegend() throws {
        let chart = LineChart(
            title: "t",
            xLabels: days,
            series: [.init(name: "本周", values: [3, 4, 5, 6]), .init(name: "上周", values: [2, 3, 3, 4], isComparison: true, colorIndex: 0)],
            noDataText: "–"
        )
        let root = try SVGParser.parse(chart.svg())
        let paths = root.all("path")
        // The comparison is drawn first (underneath), dashed, in the first series' colour.
        #expect(paths.map { $0.attributes["stroke-dasharray"] } == ["6 4", nil])
        #expect(paths[0].attributes["stroke"] == paths[1].attributes["stroke"])
        let texts = root.all("text").map(\.text)
        #expect(texts.prefix(2) == ["本周", "上周"])
    }

    @Test func noFiniteValueShowsTheCallersMessage() throws {
        for series: [LineChart.Series] in [[], [.init(name: "s", values: [])], [.init(name: "s", values: [.nan, .infinity])]] {
            let root = try SVGParser.parse(LineChart(title: "t", xLabels: days, series: series, noDataText: "暂无数据").svg())
            #expect(root.all("text").map(\.text) == ["暂无数据"])
            #expect(root.all("path").isEmpty)
        }
    }

    @Test func theCallersFormatterLabelsTicksAndTooltips() throws {
        let chart = LineChart(
            title: "t",
            xLabels: ["a"],
            series: [.init(name: "", values: [1234.5])],
            noDataText: "–",
            valueFormatter: { "¥" + ChartFormat.decimal($0, fractionDigits: 2) }
        )
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("circle").first?.title == "a: ¥1,234.5")
        #expect(root.all("text").map(\.text).contains("¥1,500"))
    }

    @Test func longLabelsAreCutWithTheFullTextAsTooltip() throws {
        let long = String(repeating: "很长的日期标签", count: 20)
        let chart = LineChart(title: "t", xLabels: [long, "b"], series: [.init(name: "", values: [1, 2])], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let label = try #require(root.all("text").first { $0.text.hasSuffix("…") })
        #expect(label.title == long)
        #expect(long.hasPrefix(String(label.text.dropLast())))
    }

    @Test func denseSeriesKeepEveryKthHoverTarget() throws {
        // 365 points over a plot about 600 wide are ~1.65 apart; at least 4 apart needs every 3rd:
        // indices 0, 3, …, 363 (122 dots) plus the last, 364.
        let values = (0..<365).map { Double($0 % 7) }
        let chart = LineChart(title: "t", xLabels: values.indices.map { "d\($0)" }, series: [.init(name: "", values: values)], noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let titles = root.all("circle").compactMap(\.title)
        #expect(titles.count == 123)
        #expect(titles.prefix(2) == ["d0: 0", "d3: 3"])
        #expect(titles.last == "d364: 0")
    }

    @Test func outputIsDeterministicAndCompact() {
        let chart = LineChart(title: "t", xLabels: days, series: [.init(name: "s", values: [1.234567, 2, 3, 4])], noDataText: "–")
        #expect(chart.svg() == chart.svg())
        #expect(!chart.svg().contains(".0 ") && !chart.svg().contains(".0\""))
        #expect(!chart.svg().contains("0000"))
    }
}
