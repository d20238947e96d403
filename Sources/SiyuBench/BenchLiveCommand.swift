import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTools

extension BenchCommand {
    /// `siyu bench live`: the demo brand under steady traffic while people read the console.
    struct Live: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Serve the demo brand, send events at a steady rate over HTTP and read the board, a funnel and the KPI set in a loop; print latencies and how soon events show."
        )

        @Option(name: .customLong("data-dir"), help: "Store of the demo brand (generated there when missing; kept for the next run).")
        var dataDirectory = "./siyu-bench-live"
        @Option(help: "Events per second sent over HTTP.") var rate = 200
        @Option(help: "Seconds of traffic.") var seconds = 60
        @Option(help: "People of the demo brand (when generated).") var people = 24_000
        @Option(help: "Days of the demo brand (when generated).") var days = 90

        func validate() throws {
            guard (1...10_000).contains(rate) else { throw ValidationError("--rate must be 1 to 10,000 events per second") }
            guard (1...3_600).contains(seconds) else { throw ValidationError("--seconds must be 1 to 3,600") }
            guard (1...10_000_000).contains(people) else { throw ValidationError("--people must be 1 to 10,000,000") }
            guard (1...3_660).contains(days) else { throw ValidationError("--days must be 1 to 3,660") }
        }

        func run() async throws {
            var logger = Logger(label: "siyu-bench")
            logger.logLevel = .warning
            print("Siyu live benchmark — \(rate) events/s over HTTP for \(seconds) s while reading the board, a funnel and the KPI set")
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
            let opened = try await StoreLocation.sqlite(directory: dataDirectory).open(logger: logger)
            let plan = DemoPlan(reset: false, seed: 42, people: people, days: days, passwordCost: 4)
            let credentials = try await opened.withRunning { store in try await plan.prepare(store) }
            print("demo brand: \(credentials.people) people, \(credentials.events) events in \(dataDirectory)")
            var settings = ServerSettings(host: "127.0.0.1", port: 0, rateLimitPerSecond: 0, logLevel: .warning, passwordCost: 4)
            settings.analyticsSnapshotDirectory = (dataDirectory as NSString).appendingPathComponent("analytics")
            let (rate, seconds) = (self.rate, self.seconds)
            try await LocalServer.serving(opened, settings: settings, logger: logger) { port in
                let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
                do {
                    let run = LiveRun(
                        http: http,
                        base: "http://127.0.0.1:\(port)",
                        credentials: credentials,
                        rate: rate,
                        seconds: seconds,
                        members: max(1, credentials.people)
                    )
                    try await run.measure()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
                try await http.shutdown()
            }
        }
    }
}

/// One run of ``BenchCommand/Live``: the writer, the reader and the probe of how soon events show.
struct LiveRun: Sendable {
    let http: HTTPClient
    let base: String
    let credentials: DemoCredentials
    let rate: Int
    let seconds: Int
    let members: Int

    var bearer: String { "Bearer " + credentials.adminToken }
    var basic: String { "Basic " + Data((credentials.writeKey + ":").utf8).base64EncodedString() }

    /// Sends a request; answers the status, the body and the seconds it took.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: String? = nil) async throws -> (UInt, String, Double) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let started = ContinuousClock.now
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (response.status.code, String(buffer: bytes), seconds)
    }

    /// Logs in to the console as the demo owner; answers the session cookie.
    func login() async throws -> String {
        var request = HTTPClientRequest(url: base + "/console/login")
        request.method = .GET
        let form = try await http.execute(request, timeout: .seconds(30))
        let page = String(buffer: try await form.body.collect(upTo: 1 << 20))
        let loginCookie = form.headers["set-cookie"].compactMap { $0.split(separator: ";").first.map(String.init) }.joined(separator: "; ")
        guard let start = page.range(of: "name=\"_csrf\" value=\"")?.upperBound, let end = page[start...].firstIndex(of: "\"") else {
            throw CommandFailure("the login page has no CSRF token")
        }
        let token = String(page[start..<end])
        func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        var post = HTTPClientRequest(url: base + "/console/login")
        post.method = .POST
        post.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        post.headers.add(name: "Cookie", value: loginCookie)
        post.body = .bytes(
            ByteBuffer(
                string: "_csrf=\(encode(token))&next=%2Fconsole&email=\(encode(DemoPlan.ownerEmail))&password=\(encode(credentials.consolePassword))"
            )
        )
        let answer = try await http.execute(post, timeout: .seconds(30))
        _ = try await answer.body.collect(upTo: 1 << 20)
        guard let session = answer.headers["set-cookie"].first(where: { $0.hasPrefix("siyu_session=") })?.split(separator: ";").first else {
            throw CommandFailure("the demo login failed (HTTP \(answer.status.code))")
        }
        return String(session)
    }

    func eventsInDataset() async throws -> Int {
        let (_, body, _) = try await send(.GET, "/api/v1/analytics/status", headers: [("Authorization", bearer)])
        return (try JSONParser.parse(body))["events"]?.int64Value.map(Int.init) ?? 0
    }

    func measure() async throws {
        // The first answer: the dataset read from its snapshot file (or built when there is none).
        let (_, _, first) = try await send(.GET, "/api/v1/analytics/status", headers: [("Authorization", bearer)])
        let status = try JSONParser.parse(try await send(.GET, "/api/v1/analytics/status", headers: [("Authorization", bearer)]).1)
        print(
            String(
                format: "first analytics answer after start: %.2f s (%@)",
                first,
                status["loadedFromSnapshot"] == true ? "read from the snapshot file" : "built from the store"
            )
        )
        let cookie = try await login()
        let funnel =
            #"{"steps": ["Product Viewed", "Product Added", "Order Completed"], "window": {"value": 7, "unit": "day"}, "breakdown": "firstTouchChannel"}"#
        let reads: [(String, HTTPMethod, String, [(String, String)], String?)] = [
            ("board", .GET, "/console", [("Cookie", cookie)], nil),
            ("funnel", .POST, "/api/v1/analytics/funnel", [("Authorization", bearer), ("Content-Type", "application/json")], funnel),
            ("KPI set", .POST, "/api/v1/analytics/kpis", [("Authorization", bearer), ("Content-Type", "application/json")], #"{"period": "day"}"#),
        ]
        for read in reads {
            let (code, _, _) = try await send(read.1, read.2, headers: read.3, body: read.4)
            guard code == 200 else { throw CommandFailure("\(read.0) answered HTTP \(code)") }
        }
        // The traffic: the demo's live visitors and orders, packed to the rate and sent now.
        // As much of the demo's traffic as the run sends, whatever the hour: a day at `rate` events a
        // second, taken a few minutes at a time from now until there is enough.
        let generator = DemoLiveTraffic(members: members, eventsPerDay: Double(rate) * 86_400, seed: UInt64(Date().timeIntervalSince1970))
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let total = rate * seconds
        var items: [JSONObject] = []
        var from = now
        while items.count < total {
            items += generator.batchItems(from: from, to: from + 300_000)
            from += 300_000
        }
        items.removeLast(items.count - total)
        let bodies = items.map { item -> String in
            var item = item
            item["timestamp"] = nil
            return JSONWriter.string(.object(["batch": .array([.object(item)])]))
        }
        let baseline = try await eventsInDataset()
        let acks = AckLog()
        let latencies = LatencyLog()
        let stop = StopFlag()
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The writer: one event every 1/rate s, on schedule.
            group.addTask {
                let interval = Duration.seconds(1) / rate
                for (index, body) in bodies.enumerated() {
                    let due = started + interval * index
                    if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                    let (code, _, seconds) = try await send(
                        .POST,
                        "/v1/batch",
                        headers: [("Authorization", basic), ("Content-Type", "application/json")],
                        body: body
                    )
                    guard code == 200 else { throw CommandFailure("ingestion answered HTTP \(code)") }
                    await latencies.add("ingest", seconds)
                    await acks.acknowledged(index + 1, at: .now)
                }
                await stop.set()
            }
            // The reader: board, funnel, KPI set, again and again.
            group.addTask {
                while await !stop.value {
                    for read in reads {
                        let (code, _, seconds) = try await send(read.1, read.2, headers: read.3, body: read.4)
                        guard code == 200 else { throw CommandFailure("\(read.0) answered HTTP \(code)") }
                        await latencies.add(read.0, seconds)
                    }
                }
            }
            // The probe: how many sent events the analytics dataset shows, ten times a second.
            group.addTask {
                while true {
                    let stopped = await stop.value
                    let pending = await acks.pending
                    if stopped && (!pending || ContinuousClock.now - started > .seconds(seconds + 10)) { break }
                    let shown = try await eventsInDataset() - baseline
                    await acks.shown(shown, at: .now)
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            try await group.waitForAll()
        }
        let lags = await acks.lags
        print("")
        print("| requests | count | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        var all: [Double] = []
        for name in ["board", "funnel", "KPI set", "ingest"] {
            let values = await latencies.values(name)
            if name != "ingest" { all += values }
            print(LatencyLog.row(name, values))
        }
        print(LatencyLog.row("board + funnel + KPI set", all))
        print(LatencyLog.row("freshness lag (ack → in analytics)", lags))
        let after = try JSONParser.parse(try await send(.GET, "/api/v1/analytics/status", headers: [("Authorization", bearer)]).1)
        print("")
        print(
            "dataset: \(after["events"]?.int64Value ?? 0) events, \(after["people"]?.int64Value ?? 0) people; builds \(after["builds"]?.int64Value ?? 0), "
                + "merges \(after["merges"]?.int64Value ?? 0), compactions \(after["compactions"]?.int64Value ?? 0); event columns "
                + String(format: "%.1f", after["eventColumnBytesPerEvent"]?.doubleValue ?? 0) + " bytes/event, resident "
                + String(format: "%.1f", after["residentBytesPerEvent"]?.doubleValue ?? 0) + " bytes/event"
        )
    }
}

/// When each sent event was acknowledged and when the analytics first showed it.
actor AckLog {
    private var acknowledged: [ContinuousClock.Instant] = []
    private var shownCount = 0
    private(set) var lags: [Double] = []

    /// The `count`-th event (1-based) was acknowledged at `time`.
    func acknowledged(_ count: Int, at time: ContinuousClock.Instant) {
        while acknowledged.count < count { acknowledged.append(time) }
    }

    /// The dataset shows `count` of the sent events at `time`.
    func shown(_ count: Int, at time: ContinuousClock.Instant) {
        let visible = min(count, acknowledged.count)
        while shownCount < visible {
            let elapsed = time - acknowledged[shownCount]
            lags.append(max(0, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            shownCount += 1
        }
    }

    var pending: Bool { shownCount < acknowledged.count }
}

/// Latencies by kind of request.
actor LatencyLog {
    private var byName: [String: [Double]] = [:]

    func add(_ name: String, _ seconds: Double) { byName[name, default: []].append(seconds) }
    func values(_ name: String) -> [Double] { byName[name] ?? [] }

    /// A docs/benchmarks.md table row: count, p50, p95, p99 and max in milliseconds.
    static func row(_ name: String, _ values: [Double]) -> String {
        let sorted = values.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "–" }
            let index = min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)
            return String(format: "%.0f", sorted[max(0, index)] * 1000)
        }
        return "| \(name) | \(sorted.count) | \(percentile(0.5)) | \(percentile(0.95)) | \(percentile(0.99)) | \(percentile(1.0)) |"
    }
}

actor StopFlag {
    private(set) var value = false
    func set() { value = true }
}
