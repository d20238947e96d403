import Foundation
import Testing

@testable import SiyuStore

/// Throwaway PostgreSQL databases for the shared repository suite.
enum PostgresTestDatabase {
    /// Runs `body` with a store on a new database of the server at `SIYU_TEST_DATABASE_URL`, dropped afterwards.
    static func withStore<T: Sendable>(clock: @escaping @Sendable () -> Int64, _ body: @escaping @Sendable (any SiyuStore) async throws -> T) async throws -> T {
        guard ProcessInfo.processInfo.environment["SIYU_TEST_DATABASE_URL"] != nil else {
            throw PostgresTestError("SIYU_TEST_DATABASE_URL is not set: run the README's test command, which starts PostgreSQL")
        }
        throw PostgresTestError("the PostgreSQL store is not implemented yet")
    }
}

struct PostgresTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
