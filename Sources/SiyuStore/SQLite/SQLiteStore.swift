import Foundation
import GRDB
import SiyuCore

/// The embedded store: everything in one SQLite file through GRDB.
public struct SQLiteStore: Sendable {
    public let database: AppDatabase
    let clock: @Sendable () -> Int64

    /// Opens the store in `directory` (file `siyu.sqlite`), creating the directory if needed.
    public init(directory: String, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("siyu.sqlite")
        try self.init(database: AppDatabase(path: path), clock: clock)
    }

    public init(database: AppDatabase, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) {
        self.database = database
        self.clock = clock
    }

    /// A private in-memory store, for tests.
    public static func inMemory() throws -> SQLiteStore {
        SQLiteStore(database: try AppDatabase(writer: DatabaseQueue()))
    }

    /// Runs `body` in an IMMEDIATE transaction, so that two processes writing the same file
    /// (the server and an import) wait for each other instead of failing.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.writer.read(body)
    }
}

/// Wall-clock time in epoch milliseconds.
public enum SystemClock {
    @Sendable public static func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
