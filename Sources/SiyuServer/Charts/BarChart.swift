/// A bar chart of one value per category: columns (`.vertical`) or rows (`.horizontal`, better
/// for long category names), on a zero-based "nice" axis, each bar labelled with its value.
///
/// Negative values grow down (or left) from the zero line; a NaN or infinite value leaves its
/// category empty. A bar with a safe `href` is a link.
public struct BarChart: Sendable {
    /// Which way the bars grow.
    public enum Orientation: Sendable {
        case vertical
        case horizontal
    }

    /// One category.
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        /// Opened when the bar is clicked (relative, `http(s):` or `mailto:` only).
        public var href: String?
        /// Index into the theme's palette; the first colour when `nil`.
        public var colorIndex: Int?

        public init(label: String, value: Double, href: String? = nil, colorIndex: Int? = nil) {
            self.label = label
            self.value = value
            self.href = href
            self.colorIndex = colorIndex
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    public var bars: [Bar]
    /// Shown instead of the chart when no bar has a finite value.
    public var noDataText: String
    public var orientation: Orientation
    /// Whether each bar's formatted value is written at its end.
    public var showsValues: Bool
    public var width: Double
    public var height: Double
    public var theme: ChartTheme
    /// Formats axis ticks, bar values and tooltips.
    public var valueFormatter: ChartValueFormatter

    public init(
        title: String,
        bars: [Bar],
        noDataText: String,
        orientation: Orientation = .vertical,
        showsValues: Bool = true,
        width: Double = 640,
        height: Double = 300,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number
    ) {
        self.title = title
        self.bars = bars
        self.noDataText = noDataText
        self.orientation = orientation
        self.showsValues = showsValues
        self.width = width
        self.height = height
        self.theme = theme
        self.valueFormatter = valueFormatter
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 80)
        let height = SVGWriter.size(height, minimum: 60)
        let finite = bars.map(\.value).filter(\.isFinite)
        guard let minimum = finite.min(), let maximum = finite.max() else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let scale = NiceScale(minimum: minimum, maximum: maximum)
        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        switch orientation {
        case .vertical: drawColumns(width: width, height: height, scale: scale, into: &writer)
        case .horizontal: drawRows(width: width, height: height, scale: scale, into: &writer)
        }
        return writer.finished()
    }

    /// Tooltip of a bar: its label and formatted value.
    func tooltip(_ bar: Bar) -> String {
        ChartText.tooltip([bar.label], value: valueFormatter(bar.value))
    }

    /// Columns over the category labels, the value axis at the left.
    private func drawColumns(width: Double, height: Double, scale: NiceScale, into writer: inout SVGWriter) {
        let fontSize = theme.fontSize
        let labelsBelowZero = showsValues && scale.lower < 0 ? fontSize + 4 : 0
        let top = showsValues ? fontSize + 10 : 10
        let left = ValueAxis.labelWidth(scale, format: valueFormatter, fontSize: fontSize) + 14
        let bottom = fontSize + 14 + labelsBelowZero
        let plot = PlotArea(left: left, top: top, width: max(width - left - 12, 1), height: max(height - top - bottom, 1))
        ValueAxis.drawLeft(scale, plot: plot, format: valueFormatter, into: &writer)
        let slot = plot.width / Double(bars.count)
        let barWidth = min(slot * 0.7, 64)
        let centers = bars.indices.map { plot.left + slot * (Double($0) + 0.5) }
        let zero = plot.y(0, on: scale)
        for (bar, center) in zip(bars, centers) where bar.value.isFinite {
            let end = plot.y(bar.value, on: scale)
            let linked = writer.openLink(bar.href)
            writer.rect(
                x: center - barWidth / 2,
                y: min(zero, end),
                width: barWidth,
                height: abs(end - zero),
                fill: theme.seriesColor(bar.colorIndex ?? 0),
                title: tooltip(bar)
            )
            if showsValues {
                let y = bar.value < 0 ? end + fontSize + 2 : end - 4
                writer.text(valueFormatter(bar.value), x: center, y: y, anchor: .middle, color: theme.text)
            }
            if linked { writer.close("a") }
        }
        let labelY = plot.bottom + fontSize + 6 + labelsBelowZero
        CategoryAxis.draw(
            labels: bars.map(\.label),
            centers: centers,
            spacing: slot,
            y: labelY,
            maxWidth: 200,
            shortenTo: fontSize * 4,
            into: &writer
        )
    }

    /// Rows with the category labels at the left, the value axis underneath.
    private func drawRows(width: Double, height: Double, scale: NiceScale, into writer: inout SVGWriter) {
        let fontSize = theme.fontSize
        let widestLabel = bars.map { ChartText.width($0.label, fontSize: fontSize) }.max() ?? 0
        let labelColumn = min(widestLabel + 12, width * 0.35)
        let widestValue = bars.filter(\.value.isFinite).map { ChartText.width(valueFormatter($0.value), fontSize: fontSize) }.max() ?? 0
        let valueRoom = showsValues ? widestValue + 8 : 0
        let left = labelColumn + (scale.lower < 0 ? valueRoom : 0)
        let bottom = fontSize + 14
        let plot = PlotArea(left: left, top: 8, width: max(width - left - valueRoom - 12, 1), height: max(height - 8 - bottom, 1))
        ValueAxis.drawBottom(scale, plot: plot, format: valueFormatter, into: &writer)
        let slot = plot.height / Double(bars.count)
        let thickness = min(slot * 0.7, 32)
        let zero = plot.x(0, on: scale)
        for (index, bar) in bars.enumerated() {
            let middle = plot.top + slot * (Double(index) + 0.5)
            let baseline = middle + fontSize * 0.35
            let linked = writer.openLink(bar.href)
            writer.text(bar.label, x: labelColumn - 8, y: baseline, anchor: .end, color: theme.text, maxWidth: labelColumn - 12)
            if bar.value.isFinite {
                let end = plot.x(bar.value, on: scale)
                writer.rect(
                    x: min(zero, end),
                    y: middle - thickness / 2,
                    width: abs(end - zero),
                    height: thickness,
                    fill: theme.seriesColor(bar.colorIndex ?? 0),
                    title: tooltip(bar)
                )
                if showsValues {
                    let negative = bar.value < 0
                    let x = negative ? end - 4 : end + 4
                    writer.text(valueFormatter(bar.value), x: x, y: baseline, anchor: negative ? .end : .start, color: theme.text)
                }
            }
            if linked { writer.close("a") }
        }
    }
}
