/// Category or date labels along the bottom of a plot, thinned to every k-th label when they
/// would overlap, each cut with `…` (full text as tooltip) when wider than its room.
enum CategoryAxis {
    /// Every how many labels one is shown so that each gets room for its full text, or for
    /// `shortenTo` when labels may be cut to that width.
    static func stride(labels: [String], spacing: Double, fontSize: Double, shortenTo: Double? = nil) -> Int {
        guard spacing > 0 else { return max(labels.count, 1) }
        let widest = labels.map { ChartText.width($0, fontSize: fontSize) }.max() ?? 0
        let needed = (min(widest, shortenTo ?? widest) + 8) / spacing
        return max(1, Int(needed.rounded(.up)))
    }

    /// Draws `labels[i]` centred at `centers[i]` with the baseline at `y`, every k-th one only
    /// (k from ``stride(labels:spacing:fontSize:shortenTo:)``), each at most `maxWidth` wide.
    /// Dates want `shortenTo` `nil` (thin them rather than cut them); category names can be cut.
    static func draw(
        labels: [String],
        centers: [Double],
        spacing: Double,
        y: Double,
        maxWidth: Double,
        shortenTo: Double? = nil,
        into writer: inout SVGWriter
    ) {
        let theme = writer.theme
        let step = stride(labels: labels, spacing: spacing, fontSize: theme.fontSize, shortenTo: shortenTo)
        let room = min(spacing * Double(step) - 6, maxWidth)
        for index in Swift.stride(from: 0, to: min(labels.count, centers.count), by: step) {
            writer.text(labels[index], x: centers[index], y: y, anchor: .middle, color: theme.mutedText, maxWidth: room)
        }
    }
}
