/// A donut chart of parts of a whole, with a text in the hole (e.g. the total) and a legend
/// beside it listing each slice's label, value and percentage.
///
/// Each slice is a circle stroked with a dash as long as its share of the circumference, so no
/// trigonometry (and no Foundation) is needed. Slices that are zero, negative, NaN or infinite
/// are left out.
public struct DonutChart: Sendable {
    /// One part of the whole.
    public struct Slice: Sendable {
        public var label: String
        public var value: Double
        /// Index into the theme's palette; the slice's position when `nil`.
        public var colorIndex: Int?

        public init(label: String, value: Double, colorIndex: Int? = nil) {
            self.label = label
            self.value = value
            self.colorIndex = colorIndex
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    public var slices: [Slice]
    /// Large text in the hole, e.g. the formatted total.
    public var centerText: String?
    /// Smaller text under `centerText`, e.g. what the total counts.
    public var centerSubtext: String?
    /// Shown instead of the chart when no slice is above zero.
    public var noDataText: String
    public var width: Double
    public var height: Double
    public var theme: ChartTheme
    /// Formats slice values.
    public var valueFormatter: ChartValueFormatter
    /// Formats shares of the total, given as fractions.
    public var percentFormatter: ChartValueFormatter

    public init(
        title: String,
        slices: [Slice],
        centerText: String? = nil,
        centerSubtext: String? = nil,
        noDataText: String,
        width: Double = 420,
        height: Double = 200,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number,
        percentFormatter: @escaping ChartValueFormatter = ChartFormat.percent
    ) {
        self.title = title
        self.slices = slices
        self.centerText = centerText
        self.centerSubtext = centerSubtext
        self.noDataText = noDataText
        self.width = width
        self.height = height
        self.theme = theme
        self.valueFormatter = valueFormatter
        self.percentFormatter = percentFormatter
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 120)
        let height = SVGWriter.size(height, minimum: 60)
        let shown = slices.enumerated().filter { $0.element.value.isFinite && $0.element.value > 0 }
        let total = shown.reduce(0.0) { $0 + $1.element.value }
        guard total > 0 else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let fontSize = theme.fontSize
        let outer = min(height - 16, width * 0.45) / 2
        let thickness = outer * 0.36
        let radius = outer - thickness / 2
        let circumference = 2 * Double.pi * radius
        let center = (x: 8 + outer, y: height / 2)
        let rotation = "rotate(-90 \(SVGNumber.format(center.x)) \(SVGNumber.format(center.y)))"

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        var start = 0.0
        for (index, slice) in shown {
            let share = slice.value / total
            let length = share * circumference
            writer.element(
                "circle",
                [
                    ("cx", SVGNumber.format(center.x)), ("cy", SVGNumber.format(center.y)), ("r", SVGNumber.format(radius)),
                    ("fill", "none"), ("stroke", color(slice, index).hex), ("stroke-width", SVGNumber.format(thickness)),
                    ("stroke-dasharray", SVGNumber.format(length) + " " + SVGNumber.format(circumference)),
                    ("stroke-dashoffset", SVGNumber.format(-start)), ("transform", rotation),
                ],
                title: ChartText.tooltip([slice.label], value: valueFormatter(slice.value) + " (" + percentFormatter(share) + ")")
            )
            start += length
        }
        let hole = (outer - thickness) * 1.8
        if let centerText {
            let y = center.y + (centerSubtext == nil ? fontSize * 0.5 : 0)
            writer.text(centerText, x: center.x, y: y, anchor: .middle, color: theme.text, size: fontSize * 1.5, bold: true, maxWidth: hole)
        }
        if let centerSubtext {
            writer.text(centerSubtext, x: center.x, y: center.y + fontSize * 1.4, anchor: .middle, color: theme.mutedText, maxWidth: hole)
        }
        drawLegend(shown, total: total, left: 8 + outer * 2 + 20, width: width, height: height, into: &writer)
        return writer.finished()
    }

    /// Colour of `slice`, at position `index` among all slices.
    private func color(_ slice: Slice, _ index: Int) -> ChartColor {
        theme.seriesColor(slice.colorIndex ?? index)
    }

    /// One row per slice: colour square, label, value and percentage, centred vertically.
    private func drawLegend(
        _ shown: [(offset: Int, element: Slice)],
        total: Double,
        left: Double,
        width: Double,
        height: Double,
        into writer: inout SVGWriter
    ) {
        let fontSize = theme.fontSize
        let rowHeight = max(min(24, (height - 16) / Double(shown.count)), fontSize + 4)
        let percents = shown.map { percentFormatter($0.element.value / total) }
        let values = shown.map { valueFormatter($0.element.value) }
        let percentColumn = (percents.map { ChartText.width($0, fontSize: fontSize) }.max() ?? 0) + 8
        let valueColumn = (values.map { ChartText.width($0, fontSize: fontSize) }.max() ?? 0) + 12
        let right = width - 8
        let labelRoom = right - percentColumn - valueColumn - (left + 16)
        var y = (height - rowHeight * Double(shown.count)) / 2
        for (row, (index, slice)) in shown.enumerated() {
            let baseline = y + rowHeight / 2 + fontSize * 0.35
            writer.rect(x: left, y: y + rowHeight / 2 - 5, width: 10, height: 10, fill: color(slice, index))
            writer.text(slice.label, x: left + 16, y: baseline, color: theme.text, maxWidth: labelRoom)
            writer.text(values[row], x: right - percentColumn, y: baseline, anchor: .end, color: theme.text, bold: true)
            writer.text(percents[row], x: right, y: baseline, anchor: .end, color: theme.mutedText)
            y += rowHeight
        }
    }
}
