import OrderedCollections

/// Settings of one import run.
public struct ImportOptions: Sendable {
    public var delimiter: CSVDelimiter
    /// Currency of amounts when neither a `currency` column nor the mapping says (the workspace's).
    public var defaultCurrency: String
    /// Zone of dates without an offset (the workspace's).
    public var timeZone: ImportTimeZone
    /// The import's time, UTC epoch milliseconds: `receivedAt` of every message, and `timestamp`
    /// of people rows without a creation date.
    public var now: Int64
    /// Messages handed over per call of the `emit` closure.
    public var batchSize: Int
    /// Rows listed in ``ImportReport/issues``; further ones are only counted.
    public var maximumListedIssues: Int
    /// Order ids remembered to report in-file duplicates; past this many, a repeated order id is
    /// still stored once (the store de-duplicates message ids) but is not reported.
    public var maximumTrackedOrderIds: Int
    /// Longest record accepted.
    public var maximumRecordBytes: Int

    public init(
        now: Int64,
        timeZone: ImportTimeZone,
        defaultCurrency: String = "CNY",
        delimiter: CSVDelimiter = .comma,
        batchSize: Int = 500,
        maximumListedIssues: Int = 10_000,
        maximumTrackedOrderIds: Int = 1_000_000,
        maximumRecordBytes: Int = CSVReader.defaultMaximumRecordBytes
    ) {
        self.now = now
        self.timeZone = timeZone
        self.defaultCurrency = defaultCurrency.uppercased()
        self.delimiter = delimiter
        self.batchSize = max(1, batchSize)
        self.maximumListedIssues = maximumListedIssues
        self.maximumTrackedOrderIds = maximumTrackedOrderIds
        self.maximumRecordBytes = maximumRecordBytes
    }
}

/// Turns data records into messages following a resolved mapping; a row becomes one message or
/// one ``ImportRowIssue``, never half of a message.
struct ImportRowConverter: Sendable {
    /// Longest value accepted in a trait or property.
    static let maximumValueBytes = 8 * 1024
    /// Dates this far past `now` are refused as mistakes.
    static let futureTolerance: Int64 = 24 * 3_600_000
    static let orderEvent = "Order Completed"

    let mapping: ResolvedImportMapping
    let options: ImportOptions
    let defaultCurrency: String
    var dates: ImportDateParser

    init(mapping: ResolvedImportMapping, options: ImportOptions) {
        self.mapping = mapping
        self.options = options
        self.defaultCurrency = mapping.defaultCurrency ?? options.defaultCurrency
        self.dates = ImportDateParser(zone: options.timeZone)
    }

    /// The cleaned cells of one record, looked up by field.
    struct Row {
        let line: Int
        let fields: [String]
        let mapping: ResolvedImportMapping

        /// The column and cleaned text of a mapped field; `nil` when the field is not mapped.
        func cell(_ field: ImportField) -> (column: String, text: String)? {
            guard let column = mapping.column(field) else { return nil }
            return (column.name, ImportValue.clean(fields[column.index]))
        }

        /// A row issue about a field's column and value.
        func issue(_ field: ImportField, _ reason: String, outcome: ImportRowIssue.Outcome = .rejected) -> ImportRowIssue {
            let found = cell(field)
            return ImportRowIssue(line: line, column: found?.column, value: found?.text, reason: reason, outcome: outcome)
        }

        /// A mapped field read by `parse`; `nil` when unmapped or empty, a row issue when refused.
        func value<T>(_ field: ImportField, _ parse: (String) throws(ImportValueError) -> T?) throws(ImportRowIssue) -> T? {
            guard let found = cell(field) else { return nil }
            do {
                return try parse(found.text)
            } catch {
                throw ImportRowIssue(line: line, column: found.column, value: found.text, reason: error.reason)
            }
        }

        /// Free text of a mapped field (trait, property, product name); `nil` when unmapped or empty.
        func text(_ field: ImportField) throws(ImportRowIssue) -> String? {
            try value(field) { text throws(ImportValueError) in
                guard text.utf8.count <= ImportRowConverter.maximumValueBytes else {
                    throw ImportValueError("value is longer than \(ImportRowConverter.maximumValueBytes / 1024) KB")
                }
                return text.isEmpty ? nil : text
            }
        }
    }

    /// Whether every cell of a record is blank (Excel writes such rows for formatted empty lines).
    static func isBlank(_ record: CSVRecord) -> Bool {
        record.fields.allSatisfy { ImportValue.trim($0).isEmpty }
    }

    /// The message of a data record, or why there is none.
    mutating func convert(_ record: CSVRecord) throws(ImportRowIssue) -> Message {
        var fields = record.fields
        if fields.count > mapping.headerCount, fields[mapping.headerCount...].allSatisfy({ ImportValue.trim($0).isEmpty }) {
            fields.removeLast(fields.count - mapping.headerCount)  // trailing empty cells some exporters add
        }
        guard fields.count == mapping.headerCount else {
            throw ImportRowIssue(line: record.line, reason: "expected \(mapping.headerCount) fields as in the header, found \(fields.count)")
        }
        // The stores refuse NUL in text (PostgreSQL cannot hold it), so a row with one is refused whole.
        for column in mapping.columns where fields[column.index].utf8.contains(0) {
            throw ImportRowIssue(line: record.line, column: column.name, reason: "value contains a NUL character")
        }
        let row = Row(line: record.line, fields: fields, mapping: mapping)
        switch mapping.kind {
        case .people: return try person(row)
        case .orders: return try order(row)
        }
    }

    /// The person keys of a row; a row issue when all are empty.
    func personKeys(_ row: Row) throws(ImportRowIssue) -> PersonKeys {
        let keys = PersonKeys(
            userId: try row.value(.userId, ImportValue.id),
            anonymousId: try row.value(.anonymousId, ImportValue.id),
            unionid: try row.value(.unionid, ImportValue.id),
            openid: try row.value(.openid, ImportValue.id),
            phone: try row.value(.phone, ImportValue.phone),
            email: try row.value(.email, ImportValue.email)
        )
        guard keys.hasAny else {
            let columns = ImportField.personKeys.compactMap { row.cell($0)?.column }.map { "`\($0)`" }.joined(separator: ", ")
            throw ImportRowIssue(line: row.line, reason: "no id for the person: \(columns) \(columns.contains(",") ? "are" : "is") empty")
        }
        return keys
    }

    /// A mapped date of a row: `nil` when unmapped or empty; refused when unreadable or far in the future.
    mutating func date(_ row: Row) throws(ImportRowIssue) -> Int64? {
        guard let found = row.cell(.timestamp), !found.text.isEmpty else { return nil }
        guard let millis = dates.parse(found.text) else {
            throw row.issue(.timestamp, "not a date (use e.g. 2024-05-01 13:45:00 or 2024/5/1)")
        }
        guard millis <= options.now + Self.futureTolerance else { throw row.issue(.timestamp, "date is in the future") }
        return millis
    }

    /// The identities of a row that go into `context.externalIds`.
    static func externalIds(_ pairs: [(String, String?)]) -> JSONValue? {
        let entries: [JSONValue] = pairs.compactMap { type, id in id.map { ["id": .string($0), "type": .string(type)] } }
        return entries.isEmpty ? nil : .array(entries)
    }
}

/// The ids that name the person of a row.
struct PersonKeys: Sendable {
    var userId: String?
    var anonymousId: String?
    var unionid: String?
    var openid: String?
    var phone: String?
    var email: String?

    var hasAny: Bool { [userId, anonymousId, unionid, openid, phone, email].contains { $0 != nil } }
}
