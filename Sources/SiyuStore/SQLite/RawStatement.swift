import GRDB
import GRDBSQLite

/// Direct binding and stepping of a prepared statement, for the ingestion hot path.
///
/// GRDB prepares and caches the statement (so it lives as long as the connection); this bypasses
/// its argument boxing, which costs more than SQLite's own work when a batch inserts thousands
/// of rows.
struct RawStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private var index: Int32 = 0

    /// `SQLITE_TRANSIENT`: SQLite copies bound text before `bind` returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ db: Database, _ sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
    }

    /// Resets the statement for new bindings.
    mutating func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        index = 0
    }

    mutating func bind(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    mutating func bind(_ value: Int64?) {
        index += 1
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    mutating func bind(_ value: Int) { bind(Int64(value)) }

    mutating func bind(_ value: String?) {
        index += 1
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        let position = index
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress, bytes.count > 0 {
                _ = sqlite3_bind_text(
                    handle,
                    position,
                    UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                    Int32(bytes.count),
                    Self.transient
                )
            } else {
                _ = sqlite3_bind_text(handle, position, "", 0, Self.transient)
            }
        }
    }

    /// Runs a statement that returns no row.
    mutating func execute(_ db: Database) throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(db, code) }
        reset()
    }

    /// Runs a query and returns the first column of its first row as an integer, if any.
    mutating func int64(_ db: Database) throws -> Int64? {
        let code = sqlite3_step(handle)
        defer { reset() }
        switch code {
        case SQLITE_ROW: return sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        default: throw error(db, code)
        }
    }

    /// Steps once; `true` when a row is available (read it with ``int64(_:)-swift.method`` and
    /// ``string(_:)``, then call ``reset()``).
    mutating func step(_ db: Database) throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            reset()
            throw error(db, code)
        }
    }

    /// Integer value of a column of the current row.
    func int64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// Calls `body` with the UTF-8 bytes of a text column of the current row (`nil` for NULL),
    /// without making a String.
    func withText<T>(_ column: Int32, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        guard let text = sqlite3_column_text(handle, column) else { return body(nil) }
        return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
    }

    /// Text value of a column of the current row.
    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    private func error(_ db: Database, _ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
    }
}
