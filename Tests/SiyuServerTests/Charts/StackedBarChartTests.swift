import Testing

@testable import SiyuServer

@Suite struct StackedBarChartTests {
    let series: [StackedBarChart.Series] = [.init(name: "新客", values: [1, 2]), .init(name: "老客", values: [3, 2])]

    /// Segments of the column with this category, bottom first.
    func segments(_ root: SVGElement, _ category: String) -> [SVGElement] {
        root.all("rect").filter { $0.title?.contains(" · \(category):") == true }
    }

    @Test func percentModeSplitsEachColumnByShare() throws {
        // Monday 1 + 3: shares 25 % and 75 %; the segments are a quarter and three quarters of the
        // full column, the first at the bottom.
        let chart = StackedBarChart(title: "t", categories: ["Mon", "Tue"], series: series, noDataText: "–", isPercentStacked: true)
        let root = try SVGParser.parse(chart.svg())
        let monday = segments(root, "Mon")
        #expect(monday.map(\.title) == ["新客 · Mon: 1 (25%)", "老客 · Mon: 3 (75%)"])
        let low = try #require(monday[0].number("height"))
        let high = try #require(monday[1].number("height"))
        #expect(abs(high - 3 * low) <= 0.2)
        #expect(monday[1].number("y")! < monday[0].number("y")!)
        // The axis reads 0 %…100 %.
        #expect(root.all("text").map(\.text).contains("100%"))
    }

    @Test func valueModeStacksValuesAndShowsTotals() throws {
        // Totals 4 and 4 → rough step 0.8 → 1, ticks 0…4; both columns reach the top tick.
        let chart = StackedBarChart(title: "t", categories: ["Mon", "Tue"], series: series, noDataText: "–")
        let root = try SVGParser.parse(chart.svg())
        let texts = root.all("text").map(\.text)
        // Legend first, then the ticks.
        #expect(texts.prefix(7) == ["新客", "老客", "0", "1", "2", "3", "4"])
        #expect(texts.filter { $0 == "4" }.count == 3)
        let tuesday = segments(root, "Tue")
        #expect(tuesday.map { $0.number("height") } == [tuesday[0].number("height"), tuesday[0].number("height")])
    }

    @Test func negativeAndMissingValuesCountAsZero() throws {
        let chart = StackedBarChart(
            title: "t",
            categories: ["Mon", "Tue"],
            series: [.init(name: "a", values: [-5, .nan]), .init(name: "b", values: [2])],
            noDataText: "–"
        )
        let root = try SVGParser.parse(chart.svg())
        #expect(root.all("rect").compactMap(\.title) == ["b · Mon: 2 (100%)"])
    }

    @Test func noCategoriesGivesTheMessage() throws {
        let chart = StackedBarChart(title: "t", categories: [], series: series, noDataText: "无")
        #expect(try SVGParser.parse(chart.svg()).all("text").map(\.text) == ["无"])
    }
}
