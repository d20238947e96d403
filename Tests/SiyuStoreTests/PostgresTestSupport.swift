import Foundation
import Logging
import Testing

@testable import SiyuStore

/// Throwaway PostgreSQL databases for the shared repository suite.
enum PostgresTestDatabase {
    /// Runs `body` with a store on a new database of the server at `SIYU_TEST_DATABASE_URL`, dropped afterwards.
    static func withStore<T: Sendable>(
        clock: @escaping @Sendable () -> Int64,
        _ body: @escaping @Sendable (any SiyuStore) async throws -> T
    ) async throws -> T {
        try await withDatabase { location in
            let store = PostgresStore(location: location, logger: logger, clock: clock, maximumConnections: 4)
            return try await running(store) { store in
                try await store.migrate()
                return try await body(store)
            }
        }
    }

    /// Runs `body` with the URL location of a new, empty database, dropped afterwards (also when `body` throws).
    static func withDatabase<T: Sendable>(_ body: @escaping @Sendable (PostgresURL) async throws -> T) async throws -> T {
        guard let url = ProcessInfo.processInfo.environment["SIYU_TEST_DATABASE_URL"] else {
            throw PostgresTestError("SIYU_TEST_DATABASE_URL is not set: run the README's test command, which starts PostgreSQL")
        }
        let server = try PostgresURL(url)
        var location = server
        location.database = "siyu_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let name = location.database
        try await PostgresMaintenance.createDatabase(name, server: server, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(location))
        } catch {
            result = .failure(error)
        }
        try await PostgresMaintenance.dropDatabase(name, server: server, logger: logger)
        return try result.get()
    }

    /// Runs `body` while the store's connection pool runs, then shuts the pool down.
    @discardableResult
    static func running<T: Sendable>(_ store: PostgresStore, _ body: @escaping @Sendable (PostgresStore) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await store.client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "siyu-test-postgres")
        logger.logLevel = .warning
        return logger
    }()
}

struct PostgresTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
