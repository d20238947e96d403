import Foundation
import Logging
import PostgresNIO

/// The production store: PostgreSQL through one `PostgresClient` connection pool.
///
/// The client is a `Service`: it must run (in the application's `ServiceGroup`, or a task of a
/// test) while the store is used, and ``migrate()`` must have been called once it runs.
/// Every write of people or events takes one transaction-scoped advisory lock, so several
/// processes writing the same database (two servers, or an import while a server runs) are
/// serialized exactly as SQLite's single writer serializes them.
public struct PostgresStore: Sendable {
    public let client: PostgresClient
    let location: PostgresURL
    let logger: Logger
    let clock: @Sendable () -> Int64

    /// Connects (lazily, once ``client`` runs) to the database at `url`,
    /// `postgres://user:password@host:port/database?sslmode=disable|require`.
    public init(url: String, logger: Logger, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) throws {
        self.init(location: try PostgresURL(url), logger: logger, clock: clock)
    }

    /// Connects to a parsed location; `maximumConnections` bounds the pool (tests open many stores at once).
    init(location: PostgresURL, logger: Logger, clock: @escaping @Sendable () -> Int64, maximumConnections: Int = 20) {
        var configuration = location.configuration
        configuration.options.maximumConnections = maximumConnections
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.location = location
        self.logger = logger
        self.clock = clock
    }

    /// `url` with the password replaced by `***`, for logs.
    public static func redacted(_ url: String) -> String {
        PostgresURL.redacted(url)
    }

    /// Opens one connection outside the pool and closes it, so that a wrong address, user, password
    /// or database fails at once with PostgreSQL's reason (the pool would retry for a minute first).
    func checkConnection() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            try await connection.close()
        } catch {
            throw PostgresConnectionError(description: "cannot connect to PostgreSQL as \(location.summary): \(String(reflecting: error))")
        }
    }

    /// The advisory lock every writer of people and events holds until it commits.
    static let writerLock: Int64 = 0x5369_7975_0001  // "Siyu" and 1

    /// Runs `body` in a transaction on one pooled connection; errors thrown by `body` come out unchanged.
    ///
    /// Returning means committed, and with the server's default `synchronous_commit = on` flushed to the WAL:
    /// what the caller acknowledges next survives a crash.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await connection.run("BEGIN", logger: logger)
            let result: T
            do {
                result = try await body(connection)
            } catch {
                // A failed ROLLBACK leaves the connection broken; the pool discards it. The caller's error matters.
                try? await connection.run("ROLLBACK", logger: logger)
                throw error
            }
            try await connection.run("COMMIT", logger: logger)
            return result
        }
    }

    /// Runs `body` in a transaction that first takes ``writerLock``, so writers of people and events go one at a time.
    func serializedWrite<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.writerLock))", logger: logger)
            return try await body(connection)
        }
    }

    /// A `LIMIT` value: negative means no limit, as in SQLite.
    static func limit(_ limit: Int) -> Int64? {
        limit < 0 ? nil : Int64(limit)
    }

    /// Runs `body` with one pooled connection, outside any explicit transaction.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection) }
    }
}

extension PostgresConnection {
    /// All rows of `query`.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }

    /// Runs a statement and discards any rows.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }

    /// The first column of the first row, or nil when there is no row or the value is NULL.
    func value<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, logger: Logger) async throws -> T?
    where T._DecodableType == T {
        try await rows(query, logger: logger).first?.decode(T?.self)
    }

    /// The first column of every row.
    func values<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery, logger: Logger) async throws -> [T] {
        try await rows(query, logger: logger).map { try $0.decode(T.self) }
    }
}

/// The PostgreSQL server could not be reached or refused the connection.
public struct PostgresConnectionError: Error, CustomStringConvertible {
    public var description: String
}
