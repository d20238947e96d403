import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTools

/// `siyu bench …`: measurements written into docs/benchmarks.md (never asserted by tests).
public struct BenchCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        subcommands: [Ingest.self, Analytics.self, Value.self, Live.self, Journeys.self]
    )

    /// `siyu bench ingest`: HTTP ingestion throughput against the raw store insert rate.
    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send events over HTTP in batches of 100 from concurrent clients and compare with writing them straight to the store."
        )

        @Option(help: "Events to send.") var events = 300_000
        @Option(help: "Events per HTTP request.") var batchSize = 100
        @Option(help: "Concurrent client connections.") var concurrency = 16
        @Option(help: "Distinct people in the synthetic traffic.") var people = 20_000
        @Option(name: .customLong("database-url"), help: "Also measure PostgreSQL at this URL (a throwaway database: the benchmark writes to it).")
        var databaseURL: String?
        @Option(help: "devices: each request is one or two devices' events (client SDKs); random: every event a random person (worst case).")
        var mix: IngestTraffic.Mix = .devices
        @Flag(help: "Measure only the HTTP path (for profiling).") var httpOnly = false
        @Flag(help: "Print where the store writer's time went (snapshot, plan, apply, commit).") var showPhases = false

        func run() async throws {
            print(
                "Siyu ingestion benchmark — \(events) events, batches of \(batchSize), \(concurrency) concurrent connections, \(people) people, mix \(mix.rawValue)"
            )
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
            let bodies = IngestTraffic.requests(events: events, batchSize: batchSize, people: people, mix: mix, seed: 7)
            var locations: [(String, StoreLocation)] = []
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-\(UUID().uuidString)").path
            locations.append(("SQLite", .sqlite(directory: directory + "/http")))
            if let databaseURL { locations.append(("PostgreSQL", .postgres(url: databaseURL))) }
            defer { try? FileManager.default.removeItem(atPath: directory) }
            for (name, location) in locations {
                let http = try await IngestBenchmark.http(location: location, bodies: bodies, concurrency: concurrency, showPhases: showPhases)
                let rawLocation: StoreLocation =
                    if case .sqlite = location { .sqlite(directory: directory + "/raw") } else { location }
                if httpOnly {
                    print(String(format: "%@  HTTP: %8.0f events/s (%.2f s)", name, Double(events) / http, http))
                    continue
                }
                let raw = try await IngestBenchmark.raw(
                    location: rawLocation,
                    bodies: bodies,
                    workspaceName: "bench-raw-\(Int.random(in: 0..<1_000_000))"
                )
                print(
                    String(
                        format: "%@  HTTP: %8.0f events/s (%.2f s)   direct store insert: %8.0f events/s (%.2f s)   HTTP/direct = %.2f",
                        name,
                        Double(events) / http,
                        http,
                        Double(events) / raw,
                        raw,
                        raw / http
                    )
                )
            }
        }
    }
}

/// Synthetic Segment traffic for the benchmark, with UUID message ids as real SDKs send.
enum IngestTraffic {
    /// How the events of a request are spread over people.
    enum Mix: String, ExpressibleByArgument, CaseIterable {
        /// Each request is one or two devices' queues, as client SDKs (web, mini-program, app) send them.
        case devices
        /// Every event is a random person: a server-side library relaying many users' events (worst case).
        case random
    }

    /// Request bodies of `batchSize` events each (`/v1/batch`).
    static func requests(events: Int, batchSize: Int, people: Int, mix: Mix, seed: UInt64) -> [[UInt8]] {
        var random = DemoRandom(seed: seed)
        let names = ["Product Viewed", "Product Viewed", "Product Added", "Checkout Started", "Order Completed", "Group Message Sent", "Checked In"]
        let channels = ["douyin", "xiaohongshu", "wechat_miniprogram", "wecom_group", "app"]
        var bodies: [[UInt8]] = []
        var produced = 0
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        func uuid() -> String {
            let a = random.next()
            let b = random.next()
            let hex = String(a, radix: 16).leftPadded(16) + String(b, radix: 16).leftPadded(16)
            let c = Array(hex)
            return String(c[0..<8]) + "-" + String(c[8..<12]) + "-4" + String(c[13..<16]) + "-" + String(c[16..<20]) + "-" + String(c[20..<32])
        }
        while produced < events {
            let count = min(batchSize, events - produced)
            let devices = (0..<2).map { _ in Int(random.next() % UInt64(people)) }
            var items: [JSONValue] = []
            for k in 0..<count {
                let person = mix == .devices ? devices[k * devices.count / count] : Int(random.next() % UInt64(people))
                let name = names[Int(random.next() % UInt64(names.count))]
                let time = start + Int64(produced + k) * 10
                var item: JSONObject = [
                    "type": "track", "event": .string(name), "messageId": .string(uuid()), "anonymousId": .string("anon-\(person)"),
                    "properties": [
                        "product_id": .string("sku-\(random.next() % 500)"), "price": .double(Double(random.next() % 50_000) / 100),
                        "category": "tea", "currency": "CNY",
                    ],
                    "context": [
                        "channel": .string(channels[person % channels.count]), "ip": "203.0.113.7", "locale": "zh-CN",
                        "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0",
                        "library": ["name": "analytics-miniprogram", "version": "2.3.0"],
                    ],
                    "originalTimestamp": .string(Timestamp.iso8601(time)),
                ]
                if person % 3 == 0 { item["userId"] = .string("user-\(person)") }
                if name == "Order Completed" {
                    item["properties"] = [
                        "order_id": .string("o-\(produced + k)"), "revenue": .double(Double(5_000 + random.next() % 30_000) / 100), "currency": "CNY",
                    ]
                }
                items.append(.object(item))
            }
            let body: JSONValue = ["batch": .array(items), "sentAt": .string(Timestamp.iso8601(start + Int64(produced + count) * 10))]
            var bytes: [UInt8] = []
            JSONWriter.write(body, into: &bytes)
            bodies.append(bytes)
            produced += count
        }
        return bodies
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// The two measurements of `siyu bench ingest`.
enum IngestBenchmark {
    /// Seconds to send every body over HTTP to a server on a fresh store.
    static func http(location: StoreLocation, bodies: [[UInt8]], concurrency: Int, showPhases: Bool) async throws -> Double {
        var logger = Logger(label: "siyu-bench")
        logger.logLevel = .warning
        let opened = try await location.open(logger: logger)
        let settings = ServerSettings(host: "127.0.0.1", port: 0, rateLimitPerSecond: 0, logLevel: .warning)
        return try await LocalServer.serving(opened, settings: settings, logger: logger) { port in
            let workspaceName = "bench-http-\(Int.random(in: 0..<1_000_000))"
            let credentials = try await opened.store.createWorkspace(name: workspaceName, timeZone: "Asia/Shanghai", currency: "CNY")
            let authorization = "Basic " + Data((credentials.writeKey + ":").utf8).base64EncodedString()
            let requests = bodies.map { LoadClient.request(path: "/v1/batch", host: "127.0.0.1", authorization: authorization, body: $0) }
            let busyBefore = IngestBenchmark.storeWriteSeconds()
            let ioBefore = IngestBenchmark.writtenBytes()
            let seconds = try await LoadClient.run(host: "127.0.0.1", port: port, requests: requests, connections: concurrency)
            let busy = IngestBenchmark.storeWriteSeconds() - busyBefore
            let written = IngestBenchmark.writtenBytes() - ioBefore
            if written > 0 { print(String(format: "  %.0f bytes written to disk per event", Double(written) / Double(bodies.count * 100))) }
            print(String(format: "  the single store writer was busy %.2f s of %.2f s (%.0f%%)", busy, seconds, 100 * busy / seconds))
            if showPhases {
                for line in SiyuMetrics.process.registry.emitToString().split(separator: "\n")
                where line.hasPrefix("siyu_store_phase_seconds_sum") || line.hasPrefix("siyu_store_phase_seconds_count") {
                    print("  " + line)
                }
            }
            return seconds
        }
    }

    /// Bytes this process has caused to be written to storage (Linux `/proc/self/io`), or 0.
    static func writtenBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int64(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// Seconds the group-commit writer has spent in store transactions so far (from the metrics).
    static func storeWriteSeconds() -> Double {
        let text = SiyuMetrics.process.registry.emitToString()
        for line in text.split(separator: "\n") where line.hasPrefix("siyu_store_write_seconds_sum") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// Seconds to write the same events straight to a store (identity resolution included), 5,000 per transaction.
    static func raw(location: StoreLocation, bodies: [[UInt8]], workspaceName: String) async throws -> Double {
        var logger = Logger(label: "siyu-bench")
        logger.logLevel = .warning
        return try await location.open(logger: logger).withRunning { store in
            let credentials = try await store.createWorkspace(name: workspaceName, timeZone: "Asia/Shanghai", currency: "CNY")
            guard let workspace = try await store.workspace(named: credentials.workspace) else { throw CommandFailure("workspace vanished") }
            let channels = try await store.channels(workspaceId: workspace.id)
            let preparer = EventPreparer(
                settings: WorkspaceIngestSettings(currency: "CNY", channels: channels),
                extractor: Secrets.extractor(for: workspace)
            )
            var prepared: [PreparedEvent] = []
            let now = SystemClock.nowMillis()
            for body in bodies {
                let request = try TrackingRequest.decode(body: body, endpoint: .batch, receivedAt: now, makeMessageId: { UUID().uuidString })
                for case .accepted(let message) in request.items { prepared.append(try preparer.prepare(message)) }
            }
            let start = ContinuousClock.now
            var offset = 0
            while offset < prepared.count {
                let slice = Array(prepared[offset..<min(offset + 5000, prepared.count)])
                _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: slice)])
                offset += slice.count
            }
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }
    }
}

/// Hands out request indexes to concurrent senders.
actor Counter {
    private var value = 0
    func take(limit: Int) -> Int? {
        guard value < limit else { return nil }
        defer { value += 1 }
        return value
    }
}

/// A server on a free local port for the length of `body`, which gets the port; stopped after.
enum LocalServer {
    static func serving<T: Sendable>(
        _ opened: OpenedStore,
        settings: ServerSettings,
        logger: Logger,
        _ body: @escaping @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        let portBox = PortBox()
        let app = try buildApplication(
            store: opened.store,
            settings: settings,
            storeServices: opened.services,
            logger: logger,
            beforeStart: opened.prepare,
            onServerRunning: { port in await portBox.set(port) }
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let result: T
            do {
                result = try await body(await portBox.wait())
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
