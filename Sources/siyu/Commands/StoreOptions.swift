import ArgumentParser
import Foundation
import Logging
import SiyuStore
import SiyuTools

/// Options every command that touches the store takes. Each falls back to its `SIYU_*`
/// environment variable, then to the configuration file, then to the default (``SiyuConfiguration``).
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite store; default ./siyu-data (env SIYU_DATA_DIR).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres://user:password@host:port/database to use PostgreSQL instead (env SIYU_DATABASE_URL).")
    var databaseURL: String?

    @Option(
        name: .customLong("config"),
        help: "A JSON file of settings ({\"dataDir\": …, \"port\": …}), read after the command line and the environment (env SIYU_CONFIG)."
    )
    var configFile: String?

    /// The settings of this command: its options (and `more` of another option group), the environment and the file.
    func configuration(adding more: [String: String] = [:]) throws -> SiyuConfiguration {
        let given = ["dataDir": dataDirectory, "databaseUrl": databaseURL].compactMapValues { $0 }
        return try SiyuConfiguration(arguments: given.merging(more) { $1 }, file: configFile)
    }

    /// The data directory: the SQLite store's, and where files kept beside any store go (analytics snapshots).
    static func filesDirectory(_ configuration: SiyuConfiguration) -> String { configuration.string("dataDir") ?? "./siyu-data" }

    static func location(_ configuration: SiyuConfiguration) -> StoreLocation {
        StoreLocation(dataDirectory: filesDirectory(configuration), databaseURL: configuration.string("databaseUrl"))
    }

    func open(logger: Logger = Logger(label: "siyu")) async throws -> OpenedStore {
        try await Self.location(try configuration()).open(logger: logger)
    }
}
