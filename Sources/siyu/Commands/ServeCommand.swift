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

    /// The options given on the command line, by configuration key.
    var arguments: [String: String] {
        var given: [String: String] = [:]
        given["host"] = host
        given["port"] = port.map { String($0) }
        given["rateLimit"] = rateLimit.map { String($0) }
        given["logLevel"] = logLevel
        given["passwordCost"] = passwordCost.map { String($0) }
        given["trustedProxies"] = trustedProxies.isEmpty ? nil : trustedProxies.joined(separator: ",")
        given["idleTimeout"] = idleTimeout.map { String($0) }
        given["analyticsDir"] = analyticsDirectory
        return given
    }

    /// The server's settings from the command line, the environment and the configuration file,
    /// with analytics snapshots kept under the data directory unless told otherwise.
    static func settings(_ configuration: SiyuConfiguration) throws -> ServerSettings {
        var settings = ServerSettings()
        settings.host = configuration.string("host") ?? settings.host
        if let port = try configuration.int("port", in: 0...65_535) { settings.port = port }
        if let rate = try configuration.double("rateLimit", in: 0...1_000_000) { settings.rateLimitPerSecond = rate }
        if let cost = try configuration.int("passwordCost", in: 4...31) { settings.passwordCost = UInt8(cost) }
        if let level = configuration.string("logLevel") {
            guard let parsed = Logger.Level(rawValue: level) else {
                throw CommandFailure(
                    "unknown log level `\(level)` from \(configuration.source("logLevel")): trace, debug, info, notice, warning, error or critical"
                )
            }
            settings.logLevel = parsed
        }
        if let seconds = try configuration.int("idleTimeout", in: 1...3_600) { settings.idleTimeoutSeconds = seconds }
        do {
            settings.trustedProxies = try TrustedProxies.parse(configuration.string("trustedProxies") ?? "")
        } catch {
            throw CommandFailure("trustedProxies from \(configuration.source("trustedProxies")): \(error)")
        }
        let directory =
            configuration.string("analyticsDir") ?? (StoreOptions.filesDirectory(configuration) as NSString).appendingPathComponent("analytics")
        settings.analyticsSnapshotDirectory = directory == "none" ? nil : directory
        return settings
    }
}

/// `siyu serve`: runs the server on an existing store.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the Siyu server on an existing store.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var server: ServerOptions

    func run() async throws {
        let configuration = try store.configuration(adding: server.arguments)
        let settings = try ServerOptions.settings(configuration)
        let opened = try await StoreOptions.location(configuration).open(logger: Logger(label: "siyu"))
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
