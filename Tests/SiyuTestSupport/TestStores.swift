import Foundation
import Logging
import SiyuStore

/// The stores suites run against: SQLite always; PostgreSQL when `SIYU_TEST_DATABASE_URL` names a
/// server (the README's test command starts one) or `SIYU_TEST_REQUIRE_POSTGRES=1` insists on it.
public enum TestStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static var available: [TestStoreKind] {
        let environment = ProcessInfo.processInfo.environment
        if environment["SIYU_TEST_DATABASE_URL"] != nil || environment["SIYU_TEST_REQUIRE_POSTGRES"] == "1" { return [.sqlite, .postgres] }
        return [.sqlite]
    }

    /// Runs `body` with a fresh, empty store of this kind, removed afterwards.
    public func withStore<T: Sendable>(
        clock: @escaping @Sendable () -> Int64,
        _ body: @escaping @Sendable (any SiyuStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-test-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await body(try SQLiteStore(directory: directory, clock: clock))
        case .postgres:
            guard let url = ProcessInfo.processInfo.environment["SIYU_TEST_DATABASE_URL"] else {
                throw TestSupportError("SIYU_TEST_DATABASE_URL is not set: run the README's test command, which starts PostgreSQL")
            }
            var logger = Logger(label: "siyu-test-postgres")
            logger.logLevel = .warning
            return try await PostgresThrowaway.withStore(serverURL: url, logger: logger, clock: clock) { try await body($0) }
        }
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
