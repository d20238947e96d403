import Foundation
import GRDB

/// The embedded SQLite store: one `DatabasePool` in WAL mode, migrated when opened.
///
/// Every commit is durable (`synchronous = FULL`): an event acknowledged to a client survives a
/// crash of the process or the machine. Throughput comes from group commit, not from relaxing this.
public struct AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    /// The file, for a store on disk.
    public let path: String?

    /// Opens (creating if needed) the database at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -262144")  // 256 MiB per connection
            try db.execute(sql: "PRAGMA mmap_size = 4294967296")  // read pages through the page cache, no copies
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Deleted content (an erased person's events) is overwritten, not left in free pages.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Checkpoints run in the background (``SQLiteCheckpointer``), off the writer's path;
            // this high mark only bounds the WAL when no checkpointer runs.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 20000")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        self.writer = pool
        self.path = path
    }

    /// Wraps any GRDB writer (an in-memory `DatabaseQueue` in tests) and migrates it.
    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        self.path = nil
        try Self.migrator.migrate(writer)
    }
}
