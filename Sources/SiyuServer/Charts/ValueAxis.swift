/// Grid lines and tick labels of a value axis (``NiceScale``), drawn at the left of a plot for
/// columns and lines, or under it for horizontal bars. The zero line is drawn in the axis colour.
enum ValueAxis {
    /// The widest tick label, estimated.
    static func labelWidth(_ scale: NiceScale, format: ChartValueFormatter, fontSize: Double) -> Double {
        scale.ticks.map { ChartText.width(format($0), fontSize: fontSize) }.max() ?? 0
    }

    /// Horizontal grid lines across `plot` with the tick labels right-aligned at its left.
    static func drawLeft(_ scale: NiceScale, plot: PlotArea, format: ChartValueFormatter, into writer: inout SVGWriter) {
        let theme = writer.theme
        for tick in scale.ticks where tick != 0 {
            let y = plot.y(tick, on: scale)
            writer.line(x1: plot.left, y1: y, x2: plot.right, y2: y, color: theme.grid)
        }
        let zero = plot.y(0, on: scale)
        writer.line(x1: plot.left, y1: zero, x2: plot.right, y2: zero, color: theme.axis)
        for tick in scale.ticks {
            let y = plot.y(tick, on: scale)
            writer.text(format(tick), x: plot.left - 6, y: y + theme.fontSize * 0.35, anchor: .end, color: theme.mutedText)
        }
    }

    /// Vertical grid lines down `plot` with the tick labels centred under it.
    static func drawBottom(_ scale: NiceScale, plot: PlotArea, format: ChartValueFormatter, into writer: inout SVGWriter) {
        let theme = writer.theme
        for tick in scale.ticks where tick != 0 {
            let x = plot.x(tick, on: scale)
            writer.line(x1: x, y1: plot.top, x2: x, y2: plot.bottom, color: theme.grid)
        }
        let zero = plot.x(0, on: scale)
        writer.line(x1: zero, y1: plot.top, x2: zero, y2: plot.bottom, color: theme.axis)
        for tick in scale.ticks {
            let x = plot.x(tick, on: scale)
            writer.text(format(tick), x: x, y: plot.bottom + theme.fontSize + 4, anchor: .middle, color: theme.mutedText)
        }
    }
}
