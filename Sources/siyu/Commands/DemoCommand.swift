import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import SiyuCore
import SiyuServer
import SiyuStore

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
        let opened = try await store.open()
        let settings = try server.settings(dataDirectory: store.filesDirectory)
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
            services: [traffic]
        )
        try await app.runService()
    }
}

/// What `siyu demo` does before serving: find or generate the demo workspace, issue a token.
struct DemoPlan: Sendable {
    var reset: Bool
    var seed: UInt64
    var people: Int
    var days: Int
    var passwordCost: UInt8 = 12

    /// The demo's console logins: documented in the README, the same on every run (override with SIYU_DEMO_PASSWORD).
    static let ownerEmail = "demo@siyu.local"
    static let viewerEmail = "viewer@siyu.local"
    static var password: String {
        let override = ProcessInfo.processInfo.environment["SIYU_DEMO_PASSWORD"] ?? ""
        return override.count >= 10 ? override : "qinghe-demo"
    }

    func prepare(_ store: any SiyuStore) async throws -> DemoCredentials {
        if let existing = try await store.workspace(named: DemoCommand.workspaceName) {
            if reset {
                printError("Deleting the demo workspace…")
                try await store.deleteWorkspace(id: existing.id)
            } else if try await store.eventCount(workspaceId: existing.id) > 0 {
                printError("Reusing the demo data in the store (run with --reset to generate it again).")
                try await completeDemo(store, existing)
                return try await credentials(store, existing, generated: nil)
            } else {
                // An earlier run stopped before storing anything: start over.
                try await store.deleteWorkspace(id: existing.id)
            }
        }
        _ = try await store.createWorkspace(name: DemoCommand.workspaceName, timeZone: "Asia/Shanghai", currency: "CNY")
        guard let workspace = try await store.workspace(named: DemoCommand.workspaceName) else { throw CommandFailure("the demo workspace vanished") }
        let summary = try await generate(store, workspace)
        try await completeDemo(store, workspace)
        return try await credentials(store, workspace, generated: summary)
    }

    /// Customer value, labels and sample segments for a new demo (once; see ``DemoSetup``).
    func completeDemo(_ store: any SiyuStore, _ workspace: Workspace) async throws {
        guard try await store.segments(workspaceId: workspace.id).isEmpty else { return }
        var logger = Logger(label: "siyu-demo")
        logger.logLevel = .warning
        printError("Fitting customer value, saving tiers, RFM classes and journey stages, creating sample segments…")
        try await DemoSetup.completeIfNew(store: store, workspace: workspace, now: SystemClock.nowMillis(), logger: logger)
    }

    /// Generates the brand into `workspace` with a progress bar.
    func generate(_ store: any SiyuStore, _ workspace: Workspace) async throws -> DemoBrand.Summary {
        // Whole days up to the start of the current hour, so that the brand looks alive today.
        let now = SystemClock.nowMillis()
        let brand = DemoBrand(endingAt: now - now % 3_600_000, people: people, days: days, seed: seed)
        for channel in brand.channels { try await store.saveChannel(channel, workspaceId: workspace.id) }
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: workspace.currency, channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        printError("Generating \(brand.name): \(people) people over \(days) days (seed \(seed))")
        let bar = ProgressBar("Demo brand", total: days)
        var pending: [PreparedEvent] = []
        var batches = brand.batches(batchSize: 1_000)
        var progress: DemoBrand.Progress?
        while let (batch, current) = batches.next() {
            pending += try batch.map { message throws(IngestError) in try preparer.prepare(message) }
            progress = current
            if pending.count >= 5_000 {
                _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: pending)])
                pending.removeAll(keepingCapacity: true)
                bar.update(current.day, note: "day \(current.day)/\(days), \(current.events) events, \(current.people) people")
            }
        }
        if !pending.isEmpty { _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: pending)]) }
        bar.finish(note: "\(progress?.events ?? 0) events, \(progress?.people ?? 0) people")
        return batches.summary
    }

    func credentials(_ store: any SiyuStore, _ workspace: Workspace, generated: DemoBrand.Summary?) async throws -> DemoCredentials {
        var writeKey = try await store.writeKeys(workspaceId: workspace.id).first
        if writeKey == nil { writeKey = try await store.createWriteKey(workspaceId: workspace.id) }
        // A fresh token each run (the previous demo token is revoked): tokens are stored only hashed.
        let token = try await store.createAdminToken(workspaceId: workspace.id, name: "demo", replacing: true)
        let people = try await store.peopleCount(workspaceId: workspace.id)
        let events = try await store.eventCount(workspaceId: workspace.id)
        // The console logins, created or reset to the documented password on every run.
        let users = ConsoleUserAdmin(store: store, passwordCost: passwordCost)
        let password = Self.password
        _ = try await users.ensure(workspaceId: workspace.id, email: Self.ownerEmail, displayName: "Demo Owner", role: .owner, password: password)
        _ = try await users.ensure(workspaceId: workspace.id, email: Self.viewerEmail, displayName: "Demo Viewer", role: .viewer, password: password)
        return DemoCredentials(
            workspace: workspace.name,
            writeKey: writeKey ?? "",
            adminToken: token,
            people: people,
            events: events,
            summary: generated,
            consolePassword: password
        )
    }
}

/// What the demo prints once it serves.
struct DemoCredentials: Sendable {
    var workspace: String
    var writeKey: String
    var adminToken: String
    var people: Int
    var events: Int
    var summary: DemoBrand.Summary?
    var consolePassword: String

    func banner(url: String?) -> String {
        var lines: [String] = []
        lines.append(url.map { "\nSiyu demo is running at \($0)" } ?? "\nSiyu demo data is ready")
        lines.append("  Workspace    \(workspace) — 青禾茶饮 Qinghe Tea: \(people) people, \(events) events")
        if let summary {
            let revenue = Money(minorUnits: summary.revenueMinor, currency: "CNY").decimalText
            lines.append("               \(summary.orders) orders from \(summary.buyers) buyers (\(summary.repeatBuyers) bought again), ¥\(revenue)")
        }
        lines.append("  Console      \(url.map { $0 + "/console" } ?? "/console")")
        lines.append("               owner   \(DemoPlan.ownerEmail)   password \(consolePassword)")
        lines.append("               viewer  \(DemoPlan.viewerEmail) password \(consolePassword)")
        lines.append("  Write key    \(writeKey)")
        lines.append("  Admin token  \(adminToken)")
        if let url {
            lines.append("")
            lines.append("Try:")
            lines.append("  curl -H 'Authorization: Bearer \(adminToken)' '\(url)/api/v1/people?limit=3'")
            lines.append("  curl -u '\(writeKey):' \(url)/v1/track -d '{\"userId\": \"u-1\", \"event\": \"Product Viewed\"}'")
            lines.append("Press Ctrl-C to stop.")
        }
        return lines.joined(separator: "\n")
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
