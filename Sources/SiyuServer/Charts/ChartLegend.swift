/// A legend of coloured markers and names, laid out left to right and wrapped into rows.
struct ChartLegend {
    /// How an item's colour is shown: a short line (dashed for comparison series) or a square.
    enum Marker: Equatable {
        case line(dashed: Bool)
        case block
    }

    /// One legend entry.
    struct Item {
        var label: String
        var color: ChartColor
        var marker: Marker
    }

    var items: [Item]

    private static let markerWidth = 14.0
    private static let gap = 16.0

    /// Height of one row of the legend.
    static func rowHeight(fontSize: Double) -> Double { fontSize + 8 }

    /// Each item's left edge, row and the room its label gets, within `width`.
    private func layout(width: Double, fontSize: Double) -> [(x: Double, row: Int, labelRoom: Double)] {
        let maxLabel = max(min(width * 0.45, 200), 24)
        var placed: [(x: Double, row: Int, labelRoom: Double)] = []
        var x = 0.0
        var row = 0
        for item in items {
            let labelRoom = min(ChartText.width(item.label, fontSize: fontSize), maxLabel)
            let itemWidth = Self.markerWidth + 5 + labelRoom
            if x > 0 && x + itemWidth > width {
                x = 0
                row += 1
            }
            placed.append((x, row, labelRoom))
            x += itemWidth + Self.gap
        }
        return placed
    }

    /// The height the legend takes in `width` (0 when it has no items).
    func height(width: Double, fontSize: Double) -> Double {
        guard let last = layout(width: width, fontSize: fontSize).last else { return 0 }
        return Double(last.row + 1) * Self.rowHeight(fontSize: fontSize)
    }

    /// Draws the legend with its top-left corner at `(x, y)`.
    func draw(x: Double, y: Double, width: Double, into writer: inout SVGWriter) {
        let theme = writer.theme
        let rowHeight = Self.rowHeight(fontSize: theme.fontSize)
        for (item, place) in zip(items, layout(width: width, fontSize: theme.fontSize)) {
            let left = x + place.x
            let middle = y + Double(place.row) * rowHeight + rowHeight / 2
            switch item.marker {
            case .line(let dashed):
                writer.line(
                    x1: left,
                    y1: middle,
                    x2: left + Self.markerWidth,
                    y2: middle,
                    color: item.color,
                    width: 2,
                    dash: dashed ? .long : nil
                )
            case .block:
                writer.rect(x: left + 2, y: middle - 5, width: 10, height: 10, fill: item.color)
            }
            writer.text(
                item.label,
                x: left + Self.markerWidth + 5,
                y: middle + theme.fontSize * 0.35,
                color: theme.text,
                maxWidth: place.labelRoom + 1
            )
        }
    }
}
