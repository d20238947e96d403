/// A conversion funnel: one row per step with its label, a bar whose length is the step's share
/// of the first step, the lighter remainder showing who dropped off, the count and the conversion
/// from the start. A step with a safe `href` is a link (e.g. to the people who reached it).
///
/// Conversion is measured against the first step; if that is zero or missing, against the
/// largest step. A NaN or infinite count leaves its row empty but labelled.
public struct FunnelChart: Sendable {
    /// One step of the funnel.
    public struct Step: Sendable {
        public var label: String
        /// People (or sessions) who reached this step.
        public var count: Double
        /// Opened when the row is clicked (relative, `http(s):` or `mailto:` only).
        public var href: String?

        public init(label: String, count: Double, href: String? = nil) {
            self.label = label
            self.count = count
            self.href = href
        }
    }

    /// The accessible name of the chart (`aria-label`); not drawn.
    public var title: String
    public var steps: [Step]
    /// Shown instead of the chart when no step has a count above zero.
    public var noDataText: String
    public var width: Double
    /// Height of each step's row; the chart is as tall as its rows.
    public var rowHeight: Double
    /// Index into the theme's palette for the bars.
    public var colorIndex: Int
    public var theme: ChartTheme
    /// Formats counts.
    public var valueFormatter: ChartValueFormatter
    /// Formats conversion rates, given as fractions.
    public var percentFormatter: ChartValueFormatter

    public init(
        title: String,
        steps: [Step],
        noDataText: String,
        width: Double = 640,
        rowHeight: Double = 40,
        colorIndex: Int = 0,
        theme: ChartTheme = .light,
        valueFormatter: @escaping ChartValueFormatter = ChartFormat.number,
        percentFormatter: @escaping ChartValueFormatter = ChartFormat.percent
    ) {
        self.title = title
        self.steps = steps
        self.noDataText = noDataText
        self.width = width
        self.rowHeight = rowHeight
        self.colorIndex = colorIndex
        self.theme = theme
        self.valueFormatter = valueFormatter
        self.percentFormatter = percentFormatter
    }

    /// The count conversions are measured against: the first step's, else the largest.
    var base: Double? {
        if let first = steps.first, first.count.isFinite, first.count > 0 { return first.count }
        return steps.map(\.count).filter { $0.isFinite && $0 > 0 }.max()
    }

    /// The chart as a standalone SVG document.
    public func svg() -> String {
        let width = SVGWriter.size(width, minimum: 120)
        let rowHeight = SVGWriter.size(rowHeight, minimum: theme.fontSize + 8)
        let height = 16 + rowHeight * Double(max(steps.count, 1))
        guard let base else {
            return SVGWriter.noData(width: width, height: height, label: title, message: noDataText, theme: theme)
        }
        let fontSize = theme.fontSize
        let valid = steps.filter(\.count.isFinite)
        let countColumn = (valid.map { ChartText.width(valueFormatter($0.count), fontSize: fontSize) }.max() ?? 0) + 12
        let percentColumn = (valid.map { ChartText.width(percentFormatter($0.count / base), fontSize: fontSize) }.max() ?? 0) + 12
        let labelColumn = min((steps.map { ChartText.width($0.label, fontSize: fontSize) }.max() ?? 0) + 16, width * 0.3)
        let barLeft = labelColumn
        let fullWidth = max(width - 8 - percentColumn - countColumn - barLeft, 1)
        let barHeight = rowHeight * 0.6
        let color = theme.seriesColor(colorIndex)

        var writer = SVGWriter(width: width, height: height, label: title, theme: theme)
        for (index, step) in steps.enumerated() {
            let top = 8 + rowHeight * Double(index)
            let barTop = top + (rowHeight - barHeight) / 2
            let baseline = top + rowHeight / 2 + fontSize * 0.35
            let linked = writer.openLink(step.href)
            writer.text(step.label, x: 4, y: baseline, color: theme.text, maxWidth: labelColumn - 12)
            if step.count.isFinite {
                let conversion = max(step.count, 0) / base
                let filled = fullWidth * min(conversion, 1)
                let count = valueFormatter(step.count)
                let percent = percentFormatter(conversion)
                let tooltip = ChartText.tooltip([step.label], value: count + " · " + percent)
                writer.rect(x: barLeft, y: barTop, width: filled, height: barHeight, fill: color, title: tooltip)
                if conversion < 1 {
                    let dropped = ChartText.tooltip(
                        [step.label],
                        value: valueFormatter(-(base - max(step.count, 0))) + " · " + percentFormatter(-(1 - conversion))
                    )
                    writer.rect(
                        x: barLeft + filled,
                        y: barTop,
                        width: fullWidth - filled,
                        height: barHeight,
                        fill: color,
                        opacity: 0.2,
                        title: dropped
                    )
                }
                let countRight = barLeft + fullWidth + countColumn
                writer.text(count, x: countRight, y: baseline, anchor: .end, color: theme.text, bold: true)
                writer.text(percent, x: countRight + percentColumn, y: baseline, anchor: .end, color: theme.mutedText)
            }
            if linked { writer.close("a") }
        }
        return writer.finished()
    }
}
