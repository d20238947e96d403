import Logging
import PostgresNIO

/// Creating and dropping whole databases on a server: throwaway databases for tests and benchmarks.
enum PostgresMaintenance {
    /// Creates the database `name` (lower-case letters, digits and `_` only) on the server of `server`.
    static func createDatabase(_ name: String, server: PostgresURL, logger: Logger) async throws {
        try await run("CREATE DATABASE \(unescaped: try identifier(name))", server: server, logger: logger)
    }

    /// Drops the database `name`, disconnecting anyone still connected to it.
    static func dropDatabase(_ name: String, server: PostgresURL, logger: Logger) async throws {
        try await run("DROP DATABASE IF EXISTS \(unescaped: try identifier(name)) WITH (FORCE)", server: server, logger: logger)
    }

    /// `name`, checked to be a plain identifier: database names cannot be bound as parameters.
    private static func identifier(_ name: String) throws -> String {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        guard allowed, !name.isEmpty, name.count <= 63, name.first?.isNumber == false else {
            throw StoreError.invalid("database name `\(name)` must be 1–63 lower-case letters, digits or `_`, not starting with a digit")
        }
        return name
    }

    /// Runs one statement on its own short-lived client (CREATE/DROP DATABASE cannot run in a transaction).
    private static func run(_ statement: PostgresQuery, server: PostgresURL, logger: Logger) async throws {
        let client = PostgresClient(configuration: server.configuration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.withConnection { connection in try await connection.run(statement, logger: logger) }
        }
    }
}

/// Throwaway PostgreSQL databases, for tests and benchmarks outside this module.
public enum PostgresThrowaway {
    /// Creates a new database on the server of `serverURL`, runs `body` with a migrated store on it
    /// (its connection pool running), then drops the database — also when `body` throws.
    public static func withStore<T: Sendable>(
        serverURL: String,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis,
        _ body: @escaping @Sendable (PostgresStore) async throws -> T
    ) async throws -> T {
        let server = try PostgresURL(serverURL)
        var location = server
        location.database = "siyu_tmp_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        try await PostgresMaintenance.createDatabase(location.database, server: server, logger: logger)
        let store = PostgresStore(location: location, logger: logger, clock: clock, maximumConnections: 4)
        let result: Result<T, any Error>
        do {
            let value = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    await store.client.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await store.migrate()
                return try await body(store)
            }
            result = .success(value)
        } catch {
            result = .failure(error)
        }
        try await PostgresMaintenance.dropDatabase(location.database, server: server, logger: logger)
        return try result.get()
    }
}
