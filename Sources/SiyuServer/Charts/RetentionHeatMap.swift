/// A cohort retention table as a heat map: one row per cohort, one column per period, each cell
/// coloured from the theme's `heatLow` to `heatHigh` by its rate and labelled with it.
///
/// Rates are fractions (0.425 is 42.5 %). A `nil`, NaN or infinite rate leaves its cell empty,
/// as for periods a young cohort has not reached yet.
public struct RetentionHeatMap: Sendable {
    /// One cohort.
    public struct Row: Sendable {
        /// E.g. the cohort's first week and size, as the app wants it shown.
        public var label: String
        /// One rate per column; `nil` for no value.
        public var values: [Double?]

        public init(label: String, values: [Double?]) {
            self.label = label
            self.values = values
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    /// Column headings (periods since the start).
    public var columnLabels: [String]
    public var rows: [Row]
    /// Shown instead of the table when no cell has a value.
    public var noDataText: String
    public var width: Double
    /// Height of each row; the chart is as tall as its rows plus the heading row.
    public var cellHeight: Double
    /// The rates that get the two ends of the colour ramp; rates outside are clamped. Narrow it
    /// (e.g. `0...0.4`) to tell typical later-period retention rates apart.
    public var colorScale: ClosedRange<Double>
    /// Whether each cell shows its formatted rate (when it fits).
    public var showsValues: Bool
    public var theme: ChartTheme
    /// Formats rates, given as fractions.
    public var percentFormatter: ChartValueFormatter

    public init(
        title: String,
        columnLabels: [String],
        rows: [Row],
        noDataText: String,
        width: Double = 640,
        cellHeight: Double = 28,
        colorScale: ClosedRange<Double> = 0...1,
        showsValues: Bool = true,
        theme: ChartTheme = .light,
        percentFormatter: @escaping ChartValueFormatter = ChartFormat.percent
    ) {
        self.title = title
        self.columnLabels = columnLabels
        self.rows = rows
        self.noDataText = noDataText
        self.width = width
        self.cellHeight = cellHeight
        self.colorScale = colorScale
        self.showsValues = showsValues
        self.theme = theme
        self.percentFormatter = percentFormatter
    }

    /// The fill of a cell with `value`: `heatLow` at or below the scale's lower bound, `heatHigh`
    /// at or above its upper bound, mixed linearly in between.
    func cellColor(_ value: Double) -> ChartColor {
        let span = colorScale.upperBound - colorScale.lowerBound
        let amount = span > 0 ? (value - colorScale.lowerBound) / span : (value >= colorScale.upperBound ? 1 : 0)
        return theme.heatLow.mixed(with: theme.heatHigh, amount: amount)
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 120)
        let cellHeight = SVGWriter.size(cellHeight, minimum: theme.fontSize + 4)
        let height = 12 + cellHeight * Double(rows.count + 1)
        let hasValue = rows.contains { $0.values.contains { $0?.isFinite == true } }
        guard hasValue else {
            return SVGWriter.noData(width: width, height: max(height, 60), label: title, message: noDataText, theme: theme)
        }
        let fontSize = theme.fontSize
        let columns = max(columnLabels.count, rows.map(\.values.count).max() ?? 0)
        let labelColumn = min((rows.map { ChartText.width($0.label, fontSize: fontSize) }.max() ?? 0) + 16, width * 0.3)
        let cellWidth = (width - labelColumn - 8) / Double(columns)
        let top = 8 + cellHeight

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        for (column, label) in columnLabels.enumerated() {
            let center = labelColumn + cellWidth * (Double(column) + 0.5)
            let baseline = 8 + cellHeight / 2 + fontSize * 0.35
            writer.text(label, x: center, y: baseline, anchor: .middle, color: theme.mutedText, maxWidth: cellWidth - 4)
        }
        for (rowIndex, row) in rows.enumerated() {
            let y = top + cellHeight * Double(rowIndex)
            let baseline = y + cellHeight / 2 + fontSize * 0.35
            writer.text(row.label, x: 4, y: baseline, color: theme.text, maxWidth: labelColumn - 12)
            for (column, value) in row.values.enumerated() {
                guard let value, value.isFinite else { continue }
                let fill = cellColor(value)
                let text = percentFormatter(value)
                let columnLabel = column < columnLabels.count ? columnLabels[column] : ""
                let x = labelColumn + cellWidth * Double(column)
                let tooltip = ChartText.tooltip([row.label, columnLabel], value: text)
                // A 1-unit inset on every side leaves a hairline of background between cells.
                writer.rect(x: x + 1, y: y + 1, width: max(cellWidth - 2, 0.5), height: cellHeight - 2, fill: fill, title: tooltip)
                let size = fontSize - 1
                if showsValues && ChartText.width(text, fontSize: size) + 4 <= cellWidth {
                    writer.text(text, x: x + cellWidth / 2, y: baseline, anchor: .middle, color: theme.textColor(on: fill), size: size)
                }
            }
        }
        return writer.finished()
    }
}
