import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SiyuServer
import SiyuStore
import SiyuTools

/// Options of the HTTP server.
struct ServerOptions: ParsableArguments {
    @Option(help: "Address to listen on (env SIYU_HOST).")
    var host: String?

    @Option(help: "Port to listen on (env SIYU_PORT).")
    var port: Int?

    @Option(name: .customLong("rate-limit"), help: "Ingestion requests per second per workspace; 0 turns the limit off (env SIYU_RATE_LIMIT).")
    var rateLimit: Double?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env SIYU_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .customLong("password-cost"), help: "bcrypt cost of console passwords, 4–31; default 12 (env SIYU_PASSWORD_COST).")
    var passwordCost: Int?

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "A reverse proxy (address or CIDR range, comma-separated, repeatable) whose X-Forwarded-For is believed; none by default (env SIYU_TRUSTED_PROXIES)."
    )
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("idle-timeout"),
        help:
            "Seconds after which a connection that sends nothing is closed (and the longest a request body may take); default 30 (env SIYU_IDLE_TIMEOUT)."
    )
    var idleTimeout: Int?

    @Option(
        name: .customLong("analytics-dir"),
        help:
            "Where analytics datasets are saved so that a restart reads them instead of rebuilding; default DATA-DIR/analytics, `none` to not save (env SIYU_ANALYTICS_DIR)."
    )
    var analyticsDirectory: String?

    /// The settings, with analytics snapshots kept under `dataDirectory` unless told otherwise.
    func settings(dataDirectory: String) throws -> ServerSettings {
        var settings = try settings()
        let directory =
            analyticsDirectory ?? ProcessInfo.processInfo.environment["SIYU_ANALYTICS_DIR"]
            ?? (dataDirectory as NSString).appendingPathComponent("analytics")
        settings.analyticsSnapshotDirectory = directory == "none" ? nil : directory
        return settings
    }

    func settings() throws -> ServerSettings {
        let environment = ProcessInfo.processInfo.environment
        var settings = ServerSettings()
        settings.host = host ?? environment["SIYU_HOST"] ?? settings.host
        if let port = try port
            ?? environment["SIYU_PORT"].map({ text in
                guard let value = Int(text) else { throw CommandFailure("SIYU_PORT `\(text)` is not a number") }
                return value
            })
        {
            guard (0...65535).contains(port) else { throw CommandFailure("port \(port) is out of range") }
            settings.port = port
        }
        if let rate = rateLimit ?? environment["SIYU_RATE_LIMIT"].flatMap(Double.init) { settings.rateLimitPerSecond = rate }
        if let cost = passwordCost ?? environment["SIYU_PASSWORD_COST"].flatMap({ Int($0) }) {
            guard (4...31).contains(cost) else { throw CommandFailure("the password cost must be 4 to 31") }
            settings.passwordCost = UInt8(cost)
        }
        if let level = logLevel ?? environment["SIYU_LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level) else { throw CommandFailure("unknown log level `\(level)`") }
            settings.logLevel = parsed
        }
        if let seconds = try idleTimeout
            ?? environment["SIYU_IDLE_TIMEOUT"].map({ text in
                guard let value = Int(text) else { throw CommandFailure("SIYU_IDLE_TIMEOUT `\(text)` is not a number") }
                return value
            })
        {
            guard (1...3600).contains(seconds) else { throw CommandFailure("the idle timeout must be 1 to 3600 seconds") }
            settings.idleTimeoutSeconds = seconds
        }
        let proxies = trustedProxies.isEmpty ? environment["SIYU_TRUSTED_PROXIES"].map { [$0] } ?? [] : trustedProxies
        do {
            settings.trustedProxies = try TrustedProxies.parse(proxies.joined(separator: ","))
        } catch {
            throw CommandFailure("--trusted-proxy: \(error)")
        }
        return settings
    }
}

/// `siyu serve`: runs the server on an existing store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Siyu server on an existing store.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let opened = try await store.open()
        let settings = try server.settings(dataDirectory: store.filesDirectory)
        try await Server.run(opened, settings: settings) { port in
            "Siyu is listening on http://\(settings.host):\(port) (\(opened.description))"
        }
    }
}

/// Running the server from the command line.
enum Server {
    /// Runs until SIGINT/SIGTERM; `banner` is printed once the socket listens.
    static func run(_ opened: OpenedStore, settings: ServerSettings, banner: (@Sendable (_ port: Int) -> String)?) async throws {
        var logger = Logger(label: "siyu")
        logger.logLevel = settings.logLevel
        logger.info("starting", metadata: ["store": "\(opened.description)", "address": "\(settings.host):\(settings.port)"])
        let app = try buildApplication(
            store: opened.store,
            settings: settings,
            storeServices: opened.services,
            logger: logger,
            beforeStart: opened.prepare,
            onServerRunning: { port in
                // Unbuffered: scripts and tests wait for this line.
                if let banner { FileHandle.standardOutput.write(Data((banner(port) + "\n").utf8)) }
            }
        )
        try await app.runService()
    }
}
