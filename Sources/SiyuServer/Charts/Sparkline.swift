/// A word-sized trend line for tables and KPI tiles: no axes, no labels, scaled from the lowest
/// to the highest value, with an optional dot on the last point (whose tooltip is its value).
///
/// NaN and infinite values leave a gap; a lone point is drawn as a dot; equal values draw a flat
/// line across the middle.
public struct Sparkline: Sendable {
    /// The accessible name (`aria-label`), e.g. the metric and its period.
    public var title: String
    public var values: [Double]
    /// Shown (small, muted) when there is no finite value; may be empty.
    public var noDataText: String
    public var width: Double
    public var height: Double
    /// Whether the last finite value gets a dot.
    public var showsLastPoint: Bool
    /// Index into the theme's palette for the line.
    public var colorIndex: Int
    public var theme: ChartTheme
    /// Formats the last point's tooltip.
    public var valueFormatter: ChartValueFormatter

    public init(
        title: String,
        values: [Double],
        noDataText: String,
        width: Double = 120,
        height: Double = 28,
        showsLastPoint: Bool = true,
        colorIndex: Int = 0,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number
    ) {
        self.title = title
        self.values = values
        self.noDataText = noDataText
        self.width = width
        self.height = height
        self.showsLastPoint = showsLastPoint
        self.colorIndex = colorIndex
        self.theme = theme
        self.valueFormatter = valueFormatter
    }

    /// Space kept free around the line so the end dot is not cut off.
    static let padding = 3.0

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 16)
        let height = SVGWriter.size(height, minimum: 8)
        let finite = values.filter(\.isFinite)
        guard let minimum = finite.min(), let maximum = finite.max() else {
            var quiet = theme
            quiet.fontSize = min(theme.fontSize, 10)
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: quiet)
        }
        let padding = Self.padding
        let innerWidth = width - 2 * padding
        let innerHeight = height - 2 * padding
        let x: (Int) -> Double = { index in
            values.count == 1 ? width / 2 : padding + innerWidth * Double(index) / Double(values.count - 1)
        }
        let y: (Double) -> Double = { value in
            maximum > minimum ? padding + innerHeight * (maximum - value) / (maximum - minimum) : height / 2
        }
        let color = theme.seriesColor(colorIndex)

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        var path = SVGPath()
        for (index, value) in values.enumerated() where value.isFinite {
            let previousFinite = index > 0 && values[index - 1].isFinite
            if previousFinite { path.line(x(index), y(value)) } else { path.move(x(index), y(value)) }
            let nextFinite = index + 1 < values.count && values[index + 1].isFinite
            if !previousFinite && !nextFinite && index != values.count - 1 {
                writer.circle(x: x(index), y: y(value), radius: 1.5, fill: color)
            }
        }
        writer.path(path, stroke: color, strokeWidth: 1.5)
        if let last = values.lastIndex(where: \.isFinite), showsLastPoint || !(last > 0 && values[last - 1].isFinite) {
            writer.circle(x: x(last), y: y(values[last]), radius: 2.5, fill: color, title: valueFormatter(values[last]))
        }
        return writer.finished()
    }
}
