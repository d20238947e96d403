/// A line chart of one or more series over shared x labels (usually dates), with a zero-based
/// "nice" value axis, dashed comparison series (e.g. the previous period) and a legend.
///
/// Values that are NaN or infinite leave a gap in their line; a point with no neighbour is drawn
/// as a dot. Every point carries a tooltip with its series, x label and formatted value.
public struct LineChart: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        /// Legend and tooltip name.
        public var name: String
        /// One value per x label; extra values get an empty label, missing ones are gaps.
        public var values: [Double]
        /// Drawn dashed and under the other series, e.g. the same metric a period earlier.
        public var isComparison: Bool
        /// Index into the theme's palette; the series' own position when `nil`. Give a comparison
        /// series the index of the series it compares with to draw both in one colour.
        public var colorIndex: Int?

        public init(name: String, values: [Double], isComparison: Bool = false, colorIndex: Int? = nil) {
            self.name = name
            self.values = values
            self.isComparison = isComparison
            self.colorIndex = colorIndex
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    public var xLabels: [String]
    public var series: [Series]
    /// Shown instead of the chart when no series has a finite value.
    public var noDataText: String
    public var width: Double
    public var height: Double
    public var theme: ChartTheme
    /// Formats axis ticks and tooltip values.
    public var valueFormatter: ChartValueFormatter

    public init(
        title: String,
        xLabels: [String],
        series: [Series],
        noDataText: String,
        width: Double = 640,
        height: Double = 300,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number
    ) {
        self.title = title
        self.xLabels = xLabels
        self.series = series
        self.noDataText = noDataText
        self.width = width
        self.height = height
        self.theme = theme
        self.valueFormatter = valueFormatter
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 80)
        let height = SVGWriter.size(height, minimum: 60)
        let finite = series.flatMap(\.values).filter(\.isFinite)
        guard let minimum = finite.min(), let maximum = finite.max() else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let count = max(xLabels.count, series.map(\.values.count).max() ?? 0)
        let labels = (0..<count).map { $0 < xLabels.count ? xLabels[$0] : "" }
        let scale = NiceScale(minimum: minimum, maximum: maximum)
        let plot = plotArea(width: width, height: height, scale: scale, labels: labels)
        let xs = (0..<count).map { count == 1 ? plot.left + plot.width / 2 : plot.left + plot.width * Double($0) / Double(count - 1) }
        let spacing = count > 1 ? plot.width / Double(count - 1) : plot.width

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        legend.draw(x: 8, y: 6, width: width - 16, into: &writer)
        ValueAxis.drawLeft(scale, plot: plot, format: valueFormatter, into: &writer)
        let labelY = plot.bottom + theme.fontSize + 6
        CategoryAxis.draw(labels: labels, centers: xs, spacing: spacing, y: labelY, maxWidth: 160, into: &writer)
        // Comparison series first, so the current period is drawn on top of them.
        let order = series.indices.filter { series[$0].isComparison } + series.indices.filter { !series[$0].isComparison }
        for index in order {
            let points = series[index].values.enumerated().map { (x: xs[$0.offset], y: plot.y($0.element, on: scale), value: $0.element) }
            draw(
                series[index],
                color: theme.seriesColor(series[index].colorIndex ?? index),
                points: points,
                labels: labels,
                spacing: spacing,
                into: &writer
            )
        }
        return writer.finished()
    }

    /// One legend entry per series, or none for a single series.
    private var legend: ChartLegend {
        guard series.count > 1 else { return ChartLegend(items: []) }
        return ChartLegend(
            items: series.enumerated().map { index, series in
                ChartLegend.Item(label: series.name, color: theme.seriesColor(series.colorIndex ?? index), marker: .line(dashed: series.isComparison))
            }
        )
    }

    /// The plot inside room for the legend (top), tick labels (left) and x labels (bottom); the
    /// side margins also leave half of a centred first or last x label inside the chart.
    private func plotArea(width: Double, height: Double, scale: NiceScale, labels: [String]) -> PlotArea {
        let fontSize = theme.fontSize
        let legendHeight = legend.height(width: width - 16, fontSize: fontSize)
        let top = legendHeight > 0 ? legendHeight + 14 : 10
        let halfLabel = min((labels.map { ChartText.width($0, fontSize: fontSize) }.max() ?? 0) / 2, 60)
        let left = max(ValueAxis.labelWidth(scale, format: valueFormatter, fontSize: fontSize) + 14, halfLabel + 4)
        let right = max(12, halfLabel + 4)
        let bottom = fontSize + 14
        return PlotArea(left: left, top: top, width: max(width - left - right, 1), height: max(height - top - bottom, 1))
    }

    /// One series: its line split at gaps, then a dot per point — visible where points are sparse
    /// or isolated, otherwise an invisible hover target — each with its tooltip. Where points are
    /// under 4 units apart only every k-th one (and the last) gets a hover target, which keeps a
    /// year of daily data from tripling the size of the SVG.
    private func draw(
        _ series: Series,
        color: ChartColor,
        points: [(x: Double, y: Double, value: Double)],
        labels: [String],
        spacing: Double,
        into writer: inout SVGWriter
    ) {
        var path = SVGPath()
        for (index, point) in points.enumerated() where point.value.isFinite {
            if index > 0 && points[index - 1].value.isFinite { path.line(point.x, point.y) } else { path.move(point.x, point.y) }
        }
        writer.path(path, stroke: color, strokeWidth: 2, dash: series.isComparison ? .long : nil)
        let sparse = spacing >= 14 && !series.isComparison
        let every = spacing >= 4 ? 1 : Int((4 / max(spacing, 0.01)).rounded(.up))
        for (index, point) in points.enumerated() where point.value.isFinite {
            let isolated = !(index > 0 && points[index - 1].value.isFinite) && !(index + 1 < points.count && points[index + 1].value.isFinite)
            let visible = sparse || isolated
            guard visible || index % every == 0 || index == points.count - 1 else { continue }
            writer.circle(
                x: point.x,
                y: point.y,
                radius: visible ? 3 : min(max(spacing * Double(every) / 2, 2), 5),
                fill: color,
                opacity: visible ? nil : 0,
                title: ChartText.tooltip([series.name, labels[index]], value: valueFormatter(point.value))
            )
        }
    }
}
