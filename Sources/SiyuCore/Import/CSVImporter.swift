/// Imports a CSV file of people or orders as messages, chunk by chunk.
///
/// Feed it the file's bytes in chunks of any size with ``consume(_:emit:)`` and end with
/// ``finish(emit:)``; it hands over messages in batches of ``ImportOptions/batchSize`` and keeps
/// only the current record, one batch and the order ids seen in memory. The first record is the
/// header: the mapping (given, or guessed from the header when `nil`) is checked against it
/// before any row is converted. Problems of single rows are collected in ``report``; problems of
/// the whole file (a bad mapping, a file that is not UTF-8, an unclosed quote) throw
/// ``ImportError`` and stop the import. Messages already emitted stay valid: their ids are
/// deterministic, so running the import again after a fix stores each row once.
public struct CSVImporter: Sendable {
    public let kind: ImportKind
    public let options: ImportOptions
    public private(set) var report: ImportReport
    private let givenMapping: ImportMapping?
    private var reader: CSVReader
    private var converter: ImportRowConverter?
    private var batch: [Message] = []
    /// FNV-1a of each imported order id → the line it came from.
    private var seenOrders: [UInt64: Int] = [:]
    private var failure: ImportError?

    public init(kind: ImportKind, mapping: ImportMapping?, options: ImportOptions) {
        self.kind = kind
        self.options = options
        self.givenMapping = mapping
        self.report = ImportReport(kind: kind)
        self.reader = CSVReader(delimiter: options.delimiter, maximumRecordBytes: options.maximumRecordBytes)
        batch.reserveCapacity(options.batchSize)
    }

    /// Reads the next chunk of the file; calls `emit` with each full batch of messages.
    public mutating func consume(_ chunk: some Collection<UInt8>, emit: ([Message]) throws -> Void) throws {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        var readError: (any Error)?
        do {
            try reader.consume(chunk) { records.append($0) }
        } catch {
            readError = error
        }
        for record in records { try handle(record, emit: emit) }
        if let readError { throw fail(readError) }
    }

    /// Reads the end of the file, emits the last (partial) batch and returns the report.
    public mutating func finish(emit: ([Message]) throws -> Void) throws -> ImportReport {
        if let failure { throw failure }
        var records: [CSVRecord] = []
        do {
            try reader.finish { records.append($0) }
        } catch {
            throw fail(error)
        }
        for record in records { try handle(record, emit: emit) }
        guard converter != nil else { throw fail(ImportError("the file is empty: it has no header row")) }
        if !batch.isEmpty {
            let last = batch
            batch.removeAll()
            try emit(last)
        }
        return report
    }

    /// Imports a whole file held in memory: all its messages and the report.
    public static func importAll(
        _ bytes: some Collection<UInt8>,
        kind: ImportKind,
        mapping: ImportMapping?,
        options: ImportOptions
    ) throws -> (messages: [Message], report: ImportReport) {
        var importer = CSVImporter(kind: kind, mapping: mapping, options: options)
        var messages: [Message] = []
        try importer.consume(bytes) { messages += $0 }
        let report = try importer.finish { messages += $0 }
        return (messages, report)
    }

    private mutating func fail(_ error: any Error) -> ImportError {
        let failure: ImportError =
            switch error {
            case let error as ImportError: error
            case let error as CSVError: ImportError(line: error.line, error.message)
            default: ImportError("\(error)")
            }
        self.failure = failure
        return failure
    }

    private mutating func handle(_ record: CSVRecord, emit: ([Message]) throws -> Void) throws {
        guard var converter else {
            try readHeader(record)
            return
        }
        if ImportRowConverter.isBlank(record) { return }
        report.rowsRead += 1
        do throws(ImportRowIssue) {
            let message = try converter.convert(record)
            self.converter = converter
            if kind == .orders, let orderId = message.properties["order_id"]?.stringValue {
                let key = FNV1a.hash(orderId)
                if let first = seenOrders[key] {
                    throw ImportRowIssue(
                        line: record.line,
                        column: report.mapping?.column(.orderId)?.name,
                        value: orderId,
                        reason: "order id already imported from line \(first)",
                        outcome: .duplicate
                    )
                }
                if seenOrders.count < options.maximumTrackedOrderIds { seenOrders[key] = record.line }
            }
            report.converted += 1
            batch.append(message)
        } catch {
            self.converter = converter
            report.record(error, limit: options.maximumListedIssues)
        }
        if batch.count >= options.batchSize {
            let full = batch
            batch.removeAll(keepingCapacity: true)
            try emit(full)
        }
    }

    private mutating func readHeader(_ record: CSVRecord) throws {
        let mapping = givenMapping ?? ImportMapping.guess(header: record.fields, kind: kind)
        guard mapping.kind == kind else {
            throw fail(ImportError("the mapping is for a \(mapping.kind.rawValue) import, not \(kind.rawValue)"))
        }
        do throws(ImportError) {
            let resolved = try mapping.resolve(header: record.fields)
            report.mapping = resolved
            converter = ImportRowConverter(mapping: resolved, options: options)
        } catch {
            throw fail(
                givenMapping == nil
                    ? ImportError(line: error.line, error.message + " (no mapping was given, so it was guessed from the header)") : error
            )
        }
    }
}
