import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore

extension BenchCommand {
    /// `siyu bench journeys`: people waiting in delays found by due time, segment entry, and outbox
    /// delivery to a local webhook receiver, against the same receiver fed by a plain HTTP client.
    struct Journeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Journeys at scale: instances waiting, segment entry, webhook delivery and how late due messages go."
        )

        @Option(help: "Instances waiting in a delay.") var waiting = 1_000_000
        @Option(help: "People entering by segment (each walked to its first delay).") var entrants = 100_000
        @Option(help: "Webhook messages delivered to a local receiver.") var messages = 100_000
        @Option(name: .customLong("database-url"), help: "Measure PostgreSQL at this URL instead (a throwaway database: the benchmark writes to it).")
        var databaseURL: String?

        func run() async throws {
            print("Siyu journeys benchmark — \(waiting) waiting, \(entrants) entering by segment, \(messages) webhook messages")
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let location: StoreLocation = databaseURL.map { .postgres(url: $0) } ?? .sqlite(directory: directory)
            var quiet = Logger(label: "siyu-bench")
            quiet.logLevel = .error
            let logger = quiet
            let opened = try await location.open(logger: logger)
            try await opened.withRunning { store in
                try await opened.prepare()
                let name = "bench-journeys-\(UUID().uuidString.prefix(8))"
                _ = try await store.createWorkspace(name: name, timeZone: "Asia/Shanghai", currency: "CNY")
                guard let workspace = try await store.workspace(named: name) else { throw BenchFailure("the workspace vanished") }
                print("store: \(databaseURL == nil ? "SQLite" : "PostgreSQL")")
                try await JourneyBenchmark(store: store, workspace: workspace, logger: logger).run(
                    waiting: waiting,
                    entrants: entrants,
                    messages: messages
                )
            }
        }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The measurements of `siyu bench journeys`, on one store.
struct JourneyBenchmark {
    let store: any SiyuStore
    let workspace: Workspace
    let logger: Logger

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Each part runs when its count is above 0.
    func run(waiting: Int, entrants: Int, messages: Int) async throws {
        if waiting > 0 { try await waitingInDelays(waiting) }
        if entrants > 0 { try await segmentEntry(entrants) }
        if messages > 0 { try await delivery(messages) }
    }

    /// Instances that wait a week: entered in chunks of 10,000, then the due lookup the job makes
    /// four times a second, with none due and with a batch due.
    func waitingInDelays(_ count: Int) async throws {
        let journey = try await store.createJourney(
            workspaceId: workspace.id,
            name: "wait",
            definition: #"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "exit": {}}]}"#
        )
        _ = try await store.publishJourney(id: journey.id, workspaceId: workspace.id)
        // Paused: the rows stay as they are while the lookups are measured.
        _ = try await store.setJourneyStatus(id: journey.id, workspaceId: workspace.id, status: .paused)
        let now = SystemClock.nowMillis()
        let week: Int64 = 7 * 86_400_000
        let started = ContinuousClock.now
        for start in stride(from: 0, to: count, by: 10_000) {
            let entrants = (start..<min(start + 10_000, count)).map { JourneyEntrant(personId: Int64($0 + 1), entryKey: "p\($0)", heldOut: false) }
            // Due over the coming week, spread evenly: the index holds a million future instants.
            _ = try await store.enterJourney(
                workspaceId: workspace.id,
                journeyId: journey.id,
                version: 1,
                start: "a",
                entrants: entrants,
                oneAtATime: false,
                now: now + week * Int64(start) / Int64(max(1, count))
            )
        }
        let entered = Self.seconds(ContinuousClock.now - started)
        print(String(format: "waiting: %d instances stored in %.1f s (%.0f/s)", count, entered, Double(count) / entered))
        var none: [Double] = []
        var batch: [Double] = []
        for _ in 0..<20 {
            var clock = ContinuousClock.now
            let found = try await store.dueJourneyInstances(now: now - 1, limit: 500)
            none.append(Self.seconds(ContinuousClock.now - clock) * 1000)
            guard found.isEmpty else { throw BenchFailure("instances due before any was") }
            clock = ContinuousClock.now
            let due = try await store.dueJourneyInstances(now: now + week / 2, limit: 500)
            batch.append(Self.seconds(ContinuousClock.now - clock) * 1000)
            guard due.count == 500 else { throw BenchFailure("expected a batch of 500 due, found \(due.count)") }
        }
        print(
            String(
                format: "waiting: due lookup among %d: none due %.2f ms, 500 due %.2f ms (medians of 20)",
                count,
                none.sorted()[10],
                batch.sorted()[10]
            )
        )
        _ = try await store.setJourneyStatus(id: journey.id, workspaceId: workspace.id, status: .stopped)
    }

    /// People who exist (identified through the store's ingestion), a static segment of them, and a
    /// journey that enters the segment and holds everyone in a delay: one job pass enters them all and
    /// walks each to the delay.
    func segmentEntry(_ count: Int) async throws {
        let shop = SyntheticShop(people: count, events: count, days: 30, end: SystemClock.nowMillis())
        let ingest = try await AnalyticsBenchmark.ingest(shop, into: store, workspace: workspace)
        print(String(format: "entry: %d people stored in %.1f s", count, ingest))
        var people: [Int64] = []
        while true {
            let page = try await store.exportPeople(workspaceId: workspace.id, afterId: people.last ?? 0, limit: 10_000, seenSince: nil)
            guard !page.isEmpty else { break }
            people += page.map(\.profile.id)
        }
        let segment = try await store.createSegment(
            workspaceId: workspace.id,
            draft: SegmentDraft(name: "everyone", description: "", kind: .static, rule: nil, refreshMinutes: nil)
        )
        _ = try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: people)
        let definition =
            #"{"entry": {"segment": \#(segment.id)}, "start": "hold", "nodes": [{"id": "hold", "delay": {"value": 7, "unit": "day"}, "next": "done"}, {"id": "done", "exit": {}}]}"#
        let journey = try await store.createJourney(workspaceId: workspace.id, name: "entry", definition: definition)
        _ = try await store.publishJourney(id: journey.id, workspaceId: workspace.id)
        let cache = AnalyticsCache(store: store, clock: SystemClock.nowMillis, logger: logger)
        let worker = JourneyWorker(store: store, cache: cache, clock: SystemClock.nowMillis, logger: logger)
        _ = try await cache.dataset(workspaceId: workspace.id)
        var started = ContinuousClock.now
        let entered = try await worker.enterAudiences()
        let entry = Self.seconds(ContinuousClock.now - started)
        print(String(format: "entry: %d people entered by segment in %.2f s (%.0f people/s)", entered, entry, Double(entered) / entry))
        started = ContinuousClock.now
        let moved = try await worker.pass()
        let seconds = Self.seconds(ContinuousClock.now - started)
        let counts = try await store.journeyNodeCounts(journeyId: journey.id, workspaceId: workspace.id)
        let held = counts.filter { $0.node == "hold" }.reduce(0) { $0 + $1.count }
        print(
            String(
                format: "walk: %d walked from the start to their delay in %.1f s (%.0f people/s; %d counted at the delay)",
                moved,
                seconds,
                Double(moved) / seconds,
                held
            )
        )
        _ = try await store.setJourneyStatus(id: journey.id, workspaceId: workspace.id, status: .stopped)
    }

    /// Webhook rows delivered by the outbox worker (signed, leased, recorded one by one) to a local
    /// receiver, against the same receiver fed the same bodies by a plain HTTP client with the same
    /// parallelism; then how late messages due at set instants go with the job's four passes a second.
    func delivery(_ count: Int) async throws {
        let received = ReceiverCount()
        let router = Router()
        router.post("hook") { request, _ -> Response in
            _ = try await request.body.collect(upTo: 1 << 20)
            await received.add()
            return Response(status: .ok)
        }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                await received.setPort(channel.localAddress?.port ?? 0)
            }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            let port = await received.waitPort()
            let url = "http://127.0.0.1:\(port)/hook"
            let now = SystemClock.nowMillis()
            var drafts: [OutboxDraft] = []
            for index in 0..<count {
                drafts.append(
                    OutboxDraft(
                        key: "bench:\(index)",
                        channel: "webhook",
                        payload: #"{"url": "\#(url)", "person": \#(index + 1), "node": "hook"}"#,
                        notBefore: now,
                        journeyId: nil,
                        personId: Int64(index + 1)
                    )
                )
                if drafts.count == 10_000 {
                    try await store.enqueueOutbox(workspaceId: workspace.id, drafts, now: now)
                    drafts = []
                }
            }
            try await store.enqueueOutbox(workspaceId: workspace.id, drafts, now: now)
            let cache = AnalyticsCache(store: store, clock: SystemClock.nowMillis, logger: logger)
            let worker = JourneyWorker(store: store, cache: cache, clock: SystemClock.nowMillis, logger: logger)
            var started = ContinuousClock.now
            var attempted = 0
            while attempted < count { attempted += try await worker.deliver() }
            let outbox = Self.seconds(ContinuousClock.now - started)
            let delivered = await received.count

            // The reference: the same number of POSTs of a similar body, 16 at a time, straight to the receiver.
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { posts in
                var next = 0
                func post(_ index: Int) {
                    posts.addTask {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.body = .bytes(ByteBuffer(string: #"{"person": \#(index), "node": "hook", "key": "bench:\#(index)"}"#))
                        _ = try await client.execute(request, timeout: .seconds(10))
                    }
                }
                while next < min(16, count) {
                    post(next)
                    next += 1
                }
                while try await posts.next() != nil, next < count {
                    post(next)
                    next += 1
                }
                try await posts.waitForAll()
            }
            let plain = Self.seconds(ContinuousClock.now - started)
            try await client.shutdown()
            print(
                String(
                    format:
                        "delivery: %d webhooks through the outbox in %.1f s (%.0f/s; receiver got %d); plain HTTP client %.1f s (%.0f/s); outbox/plain %.2f",
                    count,
                    outbox,
                    Double(count) / outbox,
                    delivered,
                    plain,
                    Double(count) / plain,
                    plain / outbox
                )
            )

            // Lateness: 200 messages due over the next 10 s, delivered by passes every 250 ms.
            let base = SystemClock.nowMillis() + 500
            let timed = (0..<200).map { index in
                OutboxDraft(
                    key: "late:\(index)",
                    channel: "webhook",
                    payload: #"{"url": "\#(url)"}"#,
                    notBefore: base + Int64(index) * 50,
                    journeyId: nil,
                    personId: nil
                )
            }
            try await store.enqueueOutbox(workspaceId: workspace.id, timed, now: SystemClock.nowMillis())
            let deadline = ContinuousClock.now + .seconds(30)
            var lateness: [Int64] = []
            while lateness.count < 200, ContinuousClock.now < deadline {
                try await worker.deliver()
                try await Task.sleep(for: .milliseconds(250))
                let rows = try await store.outboxMessages(workspaceId: workspace.id, status: .delivered, limit: 400).filter {
                    $0.key.hasPrefix("late:")
                }
                lateness = rows.compactMap { row in
                    guard let index = Int(row.key.dropFirst(5)), let at = row.deliveredAt else { return nil }
                    return at - (base + Int64(index) * 50)
                }
            }
            let sorted = lateness.sorted()
            if !sorted.isEmpty {
                print(
                    "lateness: \(sorted.count) messages due over 10 s, passes every 250 ms: median \(sorted[sorted.count / 2]) ms, "
                        + "p99 \(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) ms, max \(sorted.last!) ms after their time"
                )
            }
            group.cancelAll()
        }
    }
}

/// Requests a local receiver got, and its port once it listens.
actor ReceiverCount {
    private(set) var count = 0
    private var port: Int?
    private var waiting: [CheckedContinuation<Int, Never>] = []

    func add() { count += 1 }

    func setPort(_ port: Int) {
        self.port = port
        for continuation in waiting { continuation.resume(returning: port) }
        waiting = []
    }

    func waitPort() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiting.append($0) }
    }
}
