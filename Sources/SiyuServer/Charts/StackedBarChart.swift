/// Columns made of stacked segments, one per series, with a legend; either in values (with each
/// column's total on top) or, with `isPercentStacked`, as shares of each column (every column 100 %).
///
/// Negative, NaN and infinite values count as 0. A segment tall and wide enough shows its value
/// (or share) inside; every segment has a tooltip with the value and its share of the column.
public struct StackedBarChart: Sendable {
    /// One layer of the stacks.
    public struct Series: Sendable {
        public var name: String
        /// One value per category.
        public var values: [Double]
        /// Index into the theme's palette; the series' position when `nil`.
        public var colorIndex: Int?

        public init(name: String, values: [Double], colorIndex: Int? = nil) {
            self.name = name
            self.values = values
            self.colorIndex = colorIndex
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    /// One label per column.
    public var categories: [String]
    /// Stacked bottom to top in this order.
    public var series: [Series]
    /// Shown instead of the chart when there are no categories or no finite values.
    public var noDataText: String
    /// Every column scaled to 100 %, the axis in percentages.
    public var isPercentStacked: Bool
    /// Whether each column's total is written above it (value mode only).
    public var showsTotals: Bool
    public var width: Double
    public var height: Double
    public var theme: ChartTheme
    /// Formats values (axis, totals, segments, tooltips).
    public var valueFormatter: ChartValueFormatter
    /// Formats shares of a column, given as fractions.
    public var percentFormatter: ChartValueFormatter

    public init(
        title: String,
        categories: [String],
        series: [Series],
        noDataText: String,
        isPercentStacked: Bool = false,
        showsTotals: Bool = true,
        width: Double = 640,
        height: Double = 300,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number,
        percentFormatter: @escaping ChartValueFormatter = ChartFormat.percent
    ) {
        self.title = title
        self.categories = categories
        self.series = series
        self.noDataText = noDataText
        self.isPercentStacked = isPercentStacked
        self.showsTotals = showsTotals
        self.width = width
        self.height = height
        self.theme = theme
        self.valueFormatter = valueFormatter
        self.percentFormatter = percentFormatter
    }

    /// `series[s]`'s value in column `c`: 0 when missing, negative or not finite.
    private func value(_ s: Int, _ c: Int) -> Double {
        let values = series[s].values
        guard c < values.count, values[c].isFinite, values[c] > 0 else { return 0 }
        return values[c]
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 80)
        let height = SVGWriter.size(height, minimum: 60)
        guard !categories.isEmpty, series.contains(where: { $0.values.contains(where: \.isFinite) }) else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let totals = categories.indices.map { c in series.indices.reduce(0.0) { $0 + value($1, c) } }
        let scale = NiceScale(minimum: 0, maximum: isPercentStacked ? 1 : totals.max() ?? 0)
        let axisFormat = isPercentStacked ? percentFormatter : valueFormatter
        let fontSize = theme.fontSize
        let legend = ChartLegend(
            items: series.count > 1
                ? series.enumerated().map { ChartLegend.Item(label: $1.name, color: color($0), marker: .block) } : []
        )
        let legendHeight = legend.height(width: width - 16, fontSize: fontSize)
        let top = (legendHeight > 0 ? legendHeight + 8 : 4) + (showsTotals && !isPercentStacked ? fontSize + 6 : 6)
        let left = ValueAxis.labelWidth(scale, format: axisFormat, fontSize: fontSize) + 14
        let plot = PlotArea(left: left, top: top, width: max(width - left - 12, 1), height: max(height - top - fontSize - 14, 1))

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        legend.draw(x: 8, y: 6, width: width - 16, into: &writer)
        ValueAxis.drawLeft(scale, plot: plot, format: axisFormat, into: &writer)
        let slot = plot.width / Double(categories.count)
        let barWidth = min(slot * 0.7, 64)
        let centers = categories.indices.map { plot.left + slot * (Double($0) + 0.5) }
        for (c, center) in centers.enumerated() where totals[c] > 0 {
            var cumulative = 0.0
            for s in series.indices where value(s, c) > 0 {
                let share = value(s, c) / totals[c]
                let size = isPercentStacked ? share : value(s, c)
                let top = plot.y(cumulative + size, on: scale)
                let segmentHeight = plot.y(cumulative, on: scale) - top
                cumulative += size
                let tooltip = ChartText.tooltip(
                    [series[s].name, categories[c]],
                    value: valueFormatter(value(s, c)) + " (" + percentFormatter(share) + ")"
                )
                writer.rect(x: center - barWidth / 2, y: top, width: barWidth, height: segmentHeight, fill: color(s), title: tooltip)
                let inside = isPercentStacked ? percentFormatter(share) : valueFormatter(value(s, c))
                let insideSize = fontSize - 1
                if segmentHeight >= insideSize + 4 && ChartText.width(inside, fontSize: insideSize) + 4 <= barWidth {
                    let y = top + segmentHeight / 2 + insideSize * 0.35
                    writer.text(inside, x: center, y: y, anchor: .middle, color: theme.textColor(on: color(s)), size: insideSize)
                }
            }
            if showsTotals && !isPercentStacked {
                writer.text(valueFormatter(totals[c]), x: center, y: plot.y(totals[c], on: scale) - 4, anchor: .middle, color: theme.text)
            }
        }
        CategoryAxis.draw(
            labels: categories,
            centers: centers,
            spacing: slot,
            y: plot.bottom + fontSize + 6,
            maxWidth: 200,
            shortenTo: fontSize * 4,
            into: &writer
        )
        return writer.finished()
    }

    /// Colour of series `index`.
    private func color(_ index: Int) -> ChartColor {
        theme.seriesColor(series[index].colorIndex ?? index)
    }
}
