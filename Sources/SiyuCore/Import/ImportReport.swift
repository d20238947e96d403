/// Why one row of an import did not become an event.
public struct ImportRowIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// What happened to the row.
    public enum Outcome: String, Sendable, Equatable {
        /// The row is wrong: fix it and import again.
        case rejected
        /// The row is fine but is not imported on purpose (a refunded or cancelled order).
        case skipped
        /// The row repeats an order id already imported from the same file; the first one counts.
        case duplicate
    }

    /// Physical line of the file on which the row starts (the header is line 1).
    public var line: Int
    /// The column at fault, as the header spells it; `nil` for a problem of the whole row.
    public var column: String?
    /// The offending value, shortened to 80 characters.
    public var value: String?
    public var reason: String
    public var outcome: Outcome

    public init(line: Int, column: String? = nil, value: String? = nil, reason: String, outcome: Outcome = .rejected) {
        self.line = line
        self.column = column
        self.value = value.map(ImportValue.excerpt)
        self.reason = reason
        self.outcome = outcome
    }

    public var description: String {
        var text = "line \(line)"
        if let column { text += ", column `\(column)`" }
        if let value { text += ", value `\(value)`" }
        return text + ": " + reasonText
    }

    /// The reason as the report file shows it: skipped and duplicate rows say so first.
    public var reasonText: String {
        switch outcome {
        case .rejected: return reason
        case .skipped: return "skipped: " + reason
        case .duplicate: return "duplicate: " + reason
        }
    }
}

/// What an import did: counts, the mapping it used, and the rows it did not import.
public struct ImportReport: Sendable, Equatable {
    public var kind: ImportKind
    /// The mapping matched against the header; `nil` until the header has been read.
    public var mapping: ResolvedImportMapping?
    /// Data rows read (blank lines and all-empty rows are not counted).
    public var rowsRead = 0
    /// Rows that became a message.
    public var converted = 0
    public var rejected = 0
    public var skipped = 0
    public var duplicates = 0
    /// Rows not imported, in file order, at most ``ImportOptions/maximumListedIssues`` of them.
    public var issues: [ImportRowIssue] = []
    /// Rows not imported beyond those listed in `issues`.
    public var issuesNotListed = 0

    public init(kind: ImportKind) {
        self.kind = kind
    }

    /// First line of the error report.
    public static let errorReportHeader = "line,column,value,reason"

    /// The error report as CSV lines (header first, no line breaks): `line,column,value,reason`
    /// for every listed row, and a last line counting those not listed.
    public func errorReportLines() -> [String] {
        var lines = [Self.errorReportHeader]
        lines.reserveCapacity(issues.count + 2)
        for issue in issues {
            lines.append(CSVWriter.line([String(issue.line), issue.column ?? "", issue.value ?? "", issue.reasonText]))
        }
        if issuesNotListed > 0 {
            lines.append(CSVWriter.line(["", "", "", "\(issuesNotListed) more rows were not imported and are not listed"]))
        }
        return lines
    }

    /// The error report as the text of a `.csv` file: a UTF-8 byte order mark (so that Excel
    /// shows Chinese correctly) and CRLF line breaks.
    public func errorReportCSV() -> String {
        "\u{FEFF}" + errorReportLines().joined(separator: "\r\n") + "\r\n"
    }

    /// One line for the operator: `12 rows read: 9 imported, 2 rejected, 1 skipped, 0 duplicates`.
    public var summary: String {
        "\(rowsRead) rows read: \(converted) imported, \(rejected) rejected, \(skipped) skipped, \(duplicates) duplicates"
    }

    mutating func record(_ issue: ImportRowIssue, limit: Int) {
        switch issue.outcome {
        case .rejected: rejected += 1
        case .skipped: skipped += 1
        case .duplicate: duplicates += 1
        }
        if issues.count < limit { issues.append(issue) } else { issuesNotListed += 1 }
    }
}
