import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTools

/// `siyu demo`: a believable brand in the embedded store, served at once.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a demo brand (青禾茶饮 Qinghe Tea: 24,000 people, ~1.2M events over 90 days) and serve it.",
        discussion: "The first run generates the data into the store; later runs reuse it. --reset regenerates it."
    )

    @Flag(help: "Delete the demo workspace and generate it again.") var reset = false
    @Option(help: "Seed of the generator: the same seed gives the same brand.") var seed: UInt64 = 42
    @Option(help: "People who arrive over the period.") var people = 24_000
    @Option(help: "Length of the period, in days up to now.") var days = 90
    @Flag(name: .customLong("no-serve"), help: "Generate (or check) the demo data and exit.") var noServe = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var server: ServerOptions

    static let workspaceName = "demo"

    func run() async throws {
        guard people > 0, days > 0 else { throw CommandFailure("--people and --days must be positive") }
        let configuration = try store.configuration(adding: server.arguments)
        let settings = try ServerOptions.settings(configuration)
        let opened = try await StoreOptions.location(configuration).open(logger: Logger(label: "siyu"))
        let plan = DemoPlan(reset: reset, seed: seed, people: people, days: days, passwordCost: settings.passwordCost)
        if noServe {
            let credentials = try await opened.withRunning { store in try await plan.prepare(store) }
            print(credentials.banner(url: nil))
            return
        }
        let credentials = DemoCredentialsBox()
        var logger = Logger(label: "siyu")
        logger.logLevel = settings.logLevel
        let portBox = PortBox()
        let host = settings.host == "0.0.0.0" ? "127.0.0.1" : settings.host
        let traffic = DemoTrafficService(
            host: host,
            port: portBox,
            credentials: credentials,
            store: opened.store,
            days: days,
            seed: seed,
            logger: logger
        )
        let app = try buildApplication(
            store: opened.store,
            settings: settings,
            storeServices: opened.services,
            logger: logger,
            beforeStart: {
                try await opened.prepare()
                await credentials.set(try await plan.prepare(opened.store))
            },
            onServerRunning: { port in
                await portBox.set(port)
                guard let ready = await credentials.value else { return }
                FileHandle.standardOutput.write(Data((ready.banner(url: "http://\(host):\(port)") + "\n").utf8))
            },
            services: [traffic],
            routes: DemoInbox.addRoutes
        )
        try await app.runService()
    }
}

/// The demo brand's visitors and orders, sent to the demo's own tracking API while it serves
/// (``DemoLiveFeed``): the gap since the last run first, then every 10 seconds, at the brand's
/// average daily volume.
struct DemoTrafficService: Service {
    let host: String
    let port: PortBox
    let credentials: DemoCredentialsBox
    let store: any SiyuStore
    let days: Int
    let seed: UInt64
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            let port = await port.wait()
            guard let ready = await credentials.value, let workspace = try await store.workspace(named: DemoCommand.workspaceName) else { return }
            // The brand's SMS provider and WeCom robot are this server's demo inboxes, on this run's port.
            try await DemoInbox.configure(store: store, workspace: workspace, base: "http://\(host):\(port)")
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
            let url = "http://\(host):\(port)/v1/batch"
            let authorization = "Basic " + Data((ready.writeKey + ":").utf8).base64EncodedString()
            let feed = DemoLiveFeed(
                traffic: DemoLiveTraffic(members: max(1, ready.people), eventsPerDay: Double(ready.events) / Double(max(1, days)), seed: seed),
                store: store,
                workspaceId: workspace.id,
                clock: SystemClock.nowMillis,
                logger: logger
            ) { items in
                var request = HTTPClientRequest(url: url)
                request.method = .POST
                request.headers.add(name: "Authorization", value: authorization)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(string: JSONWriter.string(.object(["batch": .array(items.map(JSONValue.object))]))))
                let response = try await http.execute(request, timeout: .seconds(30))
                _ = try await response.body.collect(upTo: 1 << 20)
                guard response.status == .ok else { throw CommandFailure("the tracking API answered HTTP \(response.status.code)") }
            }
            await feed.run(every: .seconds(10))
            try? await http.shutdown()
        }
    }
}

/// Hands the credentials from the start-up step to the banner.
actor DemoCredentialsBox {
    var value: DemoCredentials?
    func set(_ credentials: DemoCredentials) { value = credentials }
}
