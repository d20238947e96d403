/// A Lorenz curve: the share of a total (y) held by the smallest share of people (x), against the
/// dashed line of perfect equality, with the gap between them shaded and the caller's caption
/// (typically the Gini coefficient) written in the empty upper-left corner.
///
/// Points are fractions in `0...1`; they are sorted by `x`, clamped, NaN and infinite ones
/// dropped, and the curve is completed with (0, 0) and (1, 1) when those ends are missing.
public struct LorenzChart: Sendable {
    /// One point of the curve: the lowest `x` of people hold `y` of the total.
    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double

        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    public var points: [Point]
    /// Drawn in bold inside the plot, e.g. `Gini 0.62`.
    public var caption: String?
    /// Written under the x axis, e.g. `Customers`.
    public var xAxisTitle: String?
    /// Written above the y axis, e.g. `Revenue`.
    public var yAxisTitle: String?
    /// Shown instead of the chart when there is no valid point.
    public var noDataText: String
    public var width: Double
    public var height: Double
    /// Index into the theme's palette for the curve and the shading.
    public var colorIndex: Int
    public var theme: ChartTheme
    /// Formats the axis ticks and tooltips, given as fractions.
    public var percentFormatter: ChartValueFormatter

    public init(
        title: String,
        points: [Point],
        caption: String? = nil,
        xAxisTitle: String? = nil,
        yAxisTitle: String? = nil,
        noDataText: String,
        width: Double = 360,
        height: Double = 360,
        colorIndex: Int = 0,
        theme: ChartTheme = .light,
        percentFormatter: @escaping ChartValueFormatter = ChartFormat.percent
    ) {
        self.title = title
        self.points = points
        self.caption = caption
        self.xAxisTitle = xAxisTitle
        self.yAxisTitle = yAxisTitle
        self.noDataText = noDataText
        self.width = width
        self.height = height
        self.colorIndex = colorIndex
        self.theme = theme
        self.percentFormatter = percentFormatter
    }

    /// The points drawn: valid ones clamped and sorted, from (0, 0) to (1, 1).
    var curve: [Point] {
        var curve = points.filter { $0.x.isFinite && $0.y.isFinite }
            .map { Point(x: min(max($0.x, 0), 1), y: min(max($0.y, 0), 1)) }
            .sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        guard let first = curve.first, let last = curve.last else { return [] }
        if first.x > 0 { curve.insert(Point(x: 0, y: 0), at: 0) }
        if last.x < 1 { curve.append(Point(x: 1, y: 1)) }
        return curve
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 120)
        let height = SVGWriter.size(height, minimum: 120)
        let curve = curve
        guard !curve.isEmpty else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let fontSize = theme.fontSize
        let scale = NiceScale(minimum: 0, maximum: 1)
        let top = yAxisTitle == nil ? 10 : fontSize + 20
        let bottom = fontSize + 12 + (xAxisTitle == nil ? 0 : fontSize + 8)
        let left = ValueAxis.labelWidth(scale, format: percentFormatter, fontSize: fontSize) + 14
        let right = max(16, ChartText.width(percentFormatter(1), fontSize: fontSize) / 2 + 4)
        let side = max(min(width - left - right, height - top - bottom), 1)
        let plot = PlotArea(left: left, top: top, width: side, height: side)
        let color = theme.seriesColor(colorIndex)

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        ValueAxis.drawLeft(scale, plot: plot, format: percentFormatter, into: &writer)
        ValueAxis.drawBottom(scale, plot: plot, format: percentFormatter, into: &writer)
        if let yAxisTitle {
            writer.text(yAxisTitle, x: 4, y: fontSize + 2, color: theme.mutedText, maxWidth: width - 8)
        }
        if let xAxisTitle {
            writer.text(
                xAxisTitle,
                x: plot.left + side / 2,
                y: plot.bottom + fontSize * 2 + 12,
                anchor: .middle,
                color: theme.mutedText,
                maxWidth: side
            )
        }
        writer.line(x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.top, color: theme.axis, dash: .short)
        var line = SVGPath()
        for (index, point) in curve.enumerated() {
            let x = plot.x(point.x, on: scale)
            let y = plot.y(point.y, on: scale)
            if index == 0 { line.move(x, y) } else { line.line(x, y) }
        }
        var area = line
        // Closing the curve returns along the equality diagonal, so the fill is the gap between them.
        area.close()
        writer.path(area, fill: color, fillOpacity: 0.15)
        writer.path(line, stroke: color, strokeWidth: 2)
        if let caption {
            writer.text(caption, x: plot.left + 8, y: plot.top + fontSize + 6, color: theme.text, bold: true, maxWidth: side - 16)
        }
        drawHoverTargets(curve, plot: plot, scale: scale, color: color, into: &writer)
        return writer.finished()
    }

    /// Invisible dots with a tooltip (`x title x% · y title y%`), skipping points closer than
    /// 4 units to the previous dot so a 10,000-point curve does not make a huge SVG.
    private func drawHoverTargets(_ curve: [Point], plot: PlotArea, scale: NiceScale, color: ChartColor, into writer: inout SVGWriter) {
        var lastX = -Double.infinity
        for (index, point) in curve.enumerated() {
            let x = plot.x(point.x, on: scale)
            guard x - lastX >= 4 || index == curve.count - 1 else { continue }
            lastX = x
            let parts = [(xAxisTitle, point.x), (yAxisTitle, point.y)].map { title, value in
                [title ?? "", percentFormatter(value)].filter { !$0.isEmpty }.joined(separator: " ")
            }
            writer.circle(x: x, y: plot.y(point.y, on: scale), radius: 4, fill: color, opacity: 0, title: parts.joined(separator: " · "))
        }
    }
}
