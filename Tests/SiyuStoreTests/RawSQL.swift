import GRDB
import PostgresNIO

@testable import SiyuStore

/// Statements written straight into a store's tables, as an earlier version (or a damaged file)
/// could have left them: the tests of what the store does with such rows start here.
enum RawSQL {
    /// Runs `sql` (fixed text written in a test) on whichever database backs `store`.
    static func execute(_ sql: String, on store: any SiyuStore) async throws {
        switch store {
        case let sqlite as SQLiteStore:
            try await sqlite.database.writer.write { db in try db.execute(sql: sql) }
        case let postgres as PostgresStore:
            try await postgres.transaction { connection in
                try await connection.run(PostgresQuery(unsafeSQL: sql), logger: postgres.logger)
            }
        default:
            throw PostgresTestError("no raw SQL for \(type(of: store))")
        }
    }

    /// The first column of the first row of `sql`, as text (`nil` for NULL or no row).
    static func text(_ sql: String, on store: any SiyuStore) async throws -> String? {
        switch store {
        case let sqlite as SQLiteStore:
            return try await sqlite.database.writer.read { db in try String.fetchOne(db, sql: sql) }
        case let postgres as PostgresStore:
            return try await postgres.read { connection in
                try await connection.value(String.self, PostgresQuery(unsafeSQL: sql), logger: postgres.logger)
            }
        default:
            throw PostgresTestError("no raw SQL for \(type(of: store))")
        }
    }
}
