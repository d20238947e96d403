import Testing

@testable import SiyuServer

@Suite struct RetentionHeatMapTests {
    let map = RetentionHeatMap(
        title: "留存",
        columnLabels: ["D0", "D1", "D7"],
        rows: [.init(label: "W1", values: [1, 0.5, 0]), .init(label: "W2", values: [1, nil, .nan])],
        noDataText: "–"
    )

    @Test func colourRampEndsAreTheThemeEnds() {
        // 0 % → heatLow, 100 % → heatHigh, anything beyond is clamped.
        #expect(map.cellColor(0) == ChartTheme.light.heatLow)
        #expect(map.cellColor(1) == ChartTheme.light.heatHigh)
        #expect(map.cellColor(-0.2) == ChartTheme.light.heatLow)
        #expect(map.cellColor(3) == ChartTheme.light.heatHigh)
        // Halfway between #f7fbff (247, 251, 255) and #08519c (8, 81, 156):
        // (127.5, 166, 205.5) → rounded away from zero (128, 166, 206) = #80a6ce.
        #expect(map.cellColor(0.5).hex == "#80a6ce")
        var narrow = map
        narrow.colorScale = 0...0.4
        // On a 0…40 % scale, 20 % is halfway and 40 % already the top colour.
        #expect(narrow.cellColor(0.2).hex == "#80a6ce")
        #expect(narrow.cellColor(0.4) == ChartTheme.light.heatHigh)
    }

    @Test func cellsShowRatesAndMissingOnesAreEmpty() throws {
        let root = try SVGParser.parse(map.svg())
        let cells = root.all("rect").filter { $0.title != nil }
        // Four finite rates out of six slots: the nil and the NaN leave no cell.
        #expect(cells.map(\.title) == ["W1 · D0: 100%", "W1 · D1: 50%", "W1 · D7: 0%", "W2 · D0: 100%"])
        #expect(cells.map { $0.attributes["fill"] } == ["#08519c", "#80a6ce", "#f7fbff", "#08519c"])
        // White text on the dark 100 % cell, the theme's dark text on the pale 0 % one.
        let hundred = try #require(root.all("text").first { $0.text == "100%" })
        let zero = try #require(root.all("text").first { $0.text == "0%" })
        #expect(hundred.attributes["fill"] == "#ffffff")
        #expect(zero.attributes["fill"] == "#1f2328")
        // Headings and row labels.
        #expect(root.all("text").map(\.text).prefix(4) == ["D0", "D1", "D7", "W1"])
    }

    @Test func heightFollowsTheRows() throws {
        // 12 + 28 × (2 rows + the heading row) = 96.
        #expect(try SVGParser.parse(map.svg()).attributes["viewBox"] == "0 0 640 96")
    }

    @Test func noRateGivesTheMessage() throws {
        let empty = RetentionHeatMap(title: "t", columnLabels: ["D0"], rows: [.init(label: "W1", values: [nil])], noDataText: "暂无")
        #expect(try SVGParser.parse(empty.svg()).all("text").map(\.text) == ["暂无"])
    }
}
