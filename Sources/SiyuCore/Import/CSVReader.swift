/// Why a CSV file could not be read at all (as opposed to one bad row).
public struct CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Physical line (1-based) where the problem was found.
    public var line: Int
    public var message: String

    public init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// The character between fields.
public enum CSVDelimiter: UInt8, Sendable, CaseIterable {
    case comma = 0x2C
    case semicolon = 0x3B
    case tab = 0x09

    /// `,`, `;`, `tab` or `\t`; `nil` for anything else.
    public init?(name: String) {
        switch name {
        case ",", "comma": self = .comma
        case ";", "semicolon": self = .semicolon
        case "\t", "\\t", "tab": self = .tab
        default: return nil
        }
    }
}

/// One record of a CSV file: its fields and the physical line on which it starts.
public struct CSVRecord: Sendable, Equatable {
    /// 1-based line number of the record's first byte; a field with embedded newlines makes a
    /// record span several lines, and the next record starts after all of them.
    public var line: Int
    public var fields: [String]

    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// An incremental RFC 4180 reader: feed it chunks of bytes, get complete records out.
///
/// - Fields may be quoted with `"`; inside quotes, `""` is a quote and delimiters and line breaks
///   are data. Records end with CRLF, LF or a lone CR.
/// - A UTF-8 byte order mark at the very start is skipped. Bytes that are not UTF-8 (a GBK or
///   UTF-16 export) stop the reading with a ``CSVError``, as does a quote that never closes.
/// - Blank lines are skipped. Like Excel and Python's `csv`, a quote in the middle of an unquoted
///   field is kept as data, and text after a closing quote is appended to the field.
/// - Chunks may split a record, a quoted field or a multi-byte character anywhere: only whole
///   records come out, and only the current record is held in memory (at most
///   `maximumRecordBytes` of it).
public struct CSVReader: Sendable {
    /// Longest record accepted; a longer one almost always means an unclosed quote.
    public static let defaultMaximumRecordBytes = 1 << 20

    private enum State: Sendable {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    public let delimiter: CSVDelimiter
    public let maximumRecordBytes: Int
    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var recordBytes = 0
    /// Line the byte being read is on.
    private var line = 1
    private var recordLine = 1
    /// The previous byte was a CR, so an LF now ends no further line.
    private var afterCR = false
    /// Bytes of the stream seen so far, up to 3 (for the byte order mark).
    private var prefix: [UInt8] = []
    private var prefixDone = false
    private var finished = false

    public init(delimiter: CSVDelimiter = .comma, maximumRecordBytes: Int = CSVReader.defaultMaximumRecordBytes) {
        self.delimiter = delimiter
        self.maximumRecordBytes = maximumRecordBytes
        field.reserveCapacity(64)
    }

    /// Reads a chunk of the file and hands each record completed by it to `record`, in order.
    public mutating func consume(_ chunk: some Collection<UInt8>, record: (CSVRecord) throws -> Void) throws {
        if try chunk.withContiguousStorageIfAvailable({ buffer in try consume(buffer: buffer, record: record) }) != nil { return }
        let copy = Array(chunk)
        try copy.withUnsafeBufferPointer { try consume(buffer: $0, record: record) }
    }

    /// Ends the input: hands over the last record when the file does not end with a line break.
    public mutating func finish(record: (CSVRecord) throws -> Void) throws {
        guard !finished else { return }
        finished = true
        if !prefixDone {
            prefixDone = true
            let pending = prefix
            prefix = []
            if pending != Self.byteOrderMark { try pending.withUnsafeBufferPointer { try feed($0, record: record) } }
        }
        switch state {
        case .quoted:
            throw CSVError(line: recordLine, "a quoted field that starts on this line never closes (missing \")")
        case .fieldStart where fields.isEmpty:
            return
        default:
            try endField()
            try endRecord(record: record)
        }
    }

    /// Every record of a whole file.
    public static func parse(_ bytes: some Collection<UInt8>, delimiter: CSVDelimiter = .comma) throws -> [CSVRecord] {
        var reader = CSVReader(delimiter: delimiter)
        var records: [CSVRecord] = []
        try reader.consume(bytes) { records.append($0) }
        try reader.finish { records.append($0) }
        return records
    }

    /// Every record of a whole file held in a string.
    public static func parse(_ text: String, delimiter: CSVDelimiter = .comma) throws -> [CSVRecord] {
        try parse(Array(text.utf8), delimiter: delimiter)
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>, record: (CSVRecord) throws -> Void) throws {
        precondition(!finished, "CSVReader.consume called after finish")
        var start = 0
        // Hold back the first bytes of the stream until we know whether they are a byte order mark.
        while !prefixDone, start < buffer.count {
            let byte = buffer[start]
            if byte == Self.byteOrderMark[prefix.count] {
                prefix.append(byte)
                start += 1
                if prefix.count == 3 {
                    prefixDone = true
                    prefix = []
                }
            } else {
                prefixDone = true
                if prefix.isEmpty, byte == 0xFF || byte == 0xFE {
                    throw CSVError(line: 1, "file is UTF-16, not UTF-8; export it as UTF-8 CSV (Excel: CSV UTF-8)")
                }
                let pending = prefix
                prefix = []
                try pending.withUnsafeBufferPointer { try feed($0, record: record) }
            }
        }
        guard start < buffer.count else { return }
        try feed(UnsafeBufferPointer(rebasing: buffer[start...]), record: record)
    }

    private mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, record: (CSVRecord) throws -> Void) throws {
        let quote = UInt8(ascii: "\"")
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let delimiter = self.delimiter.rawValue
        for byte in bytes {
            // Line counting is independent of quoting: an LF right after a CR ends no second line.
            let wasAfterCR = afterCR
            afterCR = byte == cr
            if byte == lf, wasAfterCR {
                if state == .quoted { appendByte(byte) }
                continue
            }
            let isBreak = byte == cr || byte == lf
            switch state {
            case .fieldStart:
                if byte == quote {
                    state = .quoted
                } else if byte == delimiter {
                    try endField()
                } else if isBreak {
                    if !fields.isEmpty {
                        try endField()
                        try endRecord(record: record)
                    }
                } else {
                    appendByte(byte)
                    state = .unquoted
                }
            case .unquoted:
                if byte == delimiter {
                    try endField()
                    state = .fieldStart
                } else if isBreak {
                    try endField()
                    try endRecord(record: record)
                } else {
                    appendByte(byte)
                }
            case .quoted:
                if byte == quote {
                    state = .quoteInQuoted
                } else {
                    appendByte(byte)
                }
            case .quoteInQuoted:
                if byte == quote {
                    appendByte(quote)
                    state = .quoted
                } else if byte == delimiter {
                    try endField()
                    state = .fieldStart
                } else if isBreak {
                    try endField()
                    try endRecord(record: record)
                } else {
                    appendByte(byte)
                    state = .unquoted
                }
            }
            if isBreak {
                line += 1
                if state == .fieldStart && fields.isEmpty { recordLine = line }
            }
            if recordBytes > maximumRecordBytes {
                throw CSVError(
                    line: recordLine,
                    "a record longer than \(maximumRecordBytes / 1024) KB starts on this line; is a quote left open?"
                )
            }
        }
    }

    private mutating func appendByte(_ byte: UInt8) {
        field.append(byte)
        recordBytes += 1
    }

    private mutating func endField() throws {
        guard let text = String(validating: field, as: UTF8.self) else {
            throw CSVError(line: line, "file is not UTF-8 (it may be GBK); export it as UTF-8 CSV (Excel: CSV UTF-8)")
        }
        fields.append(text)
        field.removeAll(keepingCapacity: true)
        recordBytes += 1
    }

    private mutating func endRecord(record: (CSVRecord) throws -> Void) throws {
        let done = CSVRecord(line: recordLine, fields: fields)
        fields.removeAll(keepingCapacity: true)
        recordBytes = 0
        state = .fieldStart
        // The record's line break has not been counted yet: the next record starts on the next line.
        recordLine = line + 1
        try record(done)
    }
}
