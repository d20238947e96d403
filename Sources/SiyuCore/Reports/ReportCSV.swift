/// The daily report and the weekly analysis as CSV files that Excel opens correctly in Chinese:
/// UTF-8 with a byte-order mark, CRLF line ends, fields quoted by ``CSVWriter``.
///
/// Numbers are unformatted: counts as integers, money in major units of the currency with its
/// decimals (`250.00`), ratios and relative changes as decimals (`0.25`, not `25%`), changes in
/// percentage points as points (`-4.5`); other decimals are rounded to 9 places. A value without
/// a number is an empty field. Rows: the total first, then the channels in the report's order.
public enum ReportCSV {
    /// The UTF-8 byte-order mark.
    public static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The daily report: one line per row, a metric's value and its changes in columns.
    public static func daily(_ report: DailyReport, labels: ReportCSVLabels, currency: String) -> [UInt8] {
        file(table(label: report.label, rows: [report.total] + report.channels, labels: labels, currency: currency))
    }

    /// The weekly analysis: the biggest movers first (channel, metric, this week, 4-week
    /// average, relative change), a blank line, then the table as in ``daily(_:labels:currency:)``.
    public static func weekly(_ analysis: WeeklyAnalysis, labels: ReportCSVLabels, currency: String) -> [UInt8] {
        var lines = [[labels.channel, labels.metric, labels.value, labels.baseline, labels.change]]
        for mover in analysis.movers {
            let change = mover.change
            lines.append([
                channelName(mover.channel, labels), labels.name(change.metric), number(change.current, change.metric, currency),
                number(change.baseline, change.metric, currency), decimal(change.relative),
            ])
        }
        lines.append([])
        lines += table(label: analysis.label, rows: [analysis.total] + analysis.channels, labels: labels, currency: currency)
        return file(lines)
    }

    /// Header and rows of a report table.
    static func table(label: String, rows: [ReportRow], labels: ReportCSVLabels, currency: String) -> [[String]] {
        let metrics = rows.first?.cells.map(\.metric) ?? []
        var header = [labels.period, labels.channel]
        for metric in metrics {
            let name = labels.name(metric)
            header += [name, name + labels.previousSuffix, name + labels.baselineSuffix]
            if metric.isRate { header += [name + labels.previousSuffix + labels.pointsSuffix, name + labels.baselineSuffix + labels.pointsSuffix] }
        }
        var lines = [header]
        for row in rows {
            var line = [label, channelName(row.channel, labels)]
            for cell in row.cells {
                line += [number(cell.value, cell.metric, currency), decimal(cell.vsPrevious.relative), decimal(cell.vsBaseline.relative)]
                if cell.metric.isRate { line += [decimal(cell.vsPrevious.percentagePoints), decimal(cell.vsBaseline.percentagePoints)] }
            }
            lines.append(line)
        }
        return lines
    }

    static func channelName(_ key: String, _ labels: ReportCSVLabels) -> String {
        key == "all" ? labels.total : labels.channelNames[key] ?? key
    }

    /// The bytes of a file of lines.
    static func file(_ lines: [[String]]) -> [UInt8] {
        byteOrderMark + Array(lines.map { CSVWriter.line($0) + "\r\n" }.joined().utf8)
    }

    /// A metric's value: money in major units (rounded to the minor unit), the rest as decimals.
    static func number(_ value: Double?, _ metric: KPIMetric, _ currency: String) -> String {
        guard let value, value.isFinite else { return "" }
        guard metric.isMoney, abs(value) < 9e18 else { return decimal(value) }
        return Money(minorUnits: Int64(value.rounded(.toNearestOrAwayFromZero)), currency: currency).decimalText
    }

    /// A plain decimal, rounded to 9 places, without exponent or trailing zeros; empty for `nil`.
    static func decimal(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        let rounded = (value * 1e9).rounded() / 1e9
        if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
        let negative = rounded < 0
        let scaled = (abs(rounded) * 1e9).rounded()
        guard scaled < 9e18 else { return String(rounded) }
        let whole = UInt64(scaled) / 1_000_000_000
        var fraction = String(UInt64(scaled) % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }
}
