import ArgumentParser
import Foundation
import Logging
import SiyuStore
import SiyuTools

/// Options every command that touches the store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite store (env SIYU_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://user:password@host:port/database to use PostgreSQL instead (env SIYU_DATABASE_URL).")
    var databaseURL: String?

    var location: StoreLocation {
        StoreLocation(dataDirectory: filesDirectory, databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["SIYU_DATABASE_URL"])
    }

    /// The data directory: the SQLite store's, and where files kept beside any store go (analytics snapshots).
    var filesDirectory: String { dataDirectory ?? ProcessInfo.processInfo.environment["SIYU_DATA_DIR"] ?? "./siyu-data" }

    func open(logger: Logger = Logger(label: "siyu")) async throws -> OpenedStore {
        try await location.open(logger: logger)
    }
}
