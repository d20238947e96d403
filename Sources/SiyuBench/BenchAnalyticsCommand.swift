import ArgumentParser
import Foundation
import Logging
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTools

extension BenchCommand {
    /// `siyu bench analytics`: the four analytics questions of issue 3 on a generated shop, by
    /// Siyu's engines and by DuckDB on the same data, with identical answers required.
    struct Analytics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time a funnel, a retention table, RFM and a segment on a generated shop, in Siyu and in DuckDB."
        )

        @Option(help: "Events to generate.") var events = 10_000_000
        @Option(help: "People to generate.") var people = 500_000
        @Option(help: "Days the traffic spans.") var days = 90
        @Option(help: "Seed of the generator.") var seed: UInt64 = 42
        @Option(help: "Store and export directory (kept, and reused when it already holds the same data set).") var dataDir: String?
        @Flag(help: "Only time Siyu.") var skipDuckdb = false

        func run() async throws {
            let directory = dataDir ?? FileManager.default.temporaryDirectory.appendingPathComponent("siyu-bench-analytics").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let shop = SyntheticShop(people: people, events: events, days: days, end: AnalyticsBenchmark.end, seed: seed)
            print("Siyu analytics benchmark — \(events) events, \(people) people, \(days) days, seed \(seed), data in \(directory)")
            print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")
            let siyu = try await AnalyticsBenchmark.siyu(shop: shop, directory: directory)
            var duck: [String: Any]?
            if !skipDuckdb { duck = try AnalyticsBenchmark.duckdb(directory: directory) }
            AnalyticsBenchmark.printTable(siyu: siyu, duckdb: duck)
        }
    }
}

/// What `siyu bench analytics` measures on Siyu's side.
struct SiyuAnalyticsTimes: Sendable {
    var load: Double?
    var build: Double
    /// Seconds until a restarted cache answers from the snapshot file.
    var restart: Double
    var queries: [(name: String, seconds: Double)]
    var peakBytes: Int
}

/// The steps of `siyu bench analytics`.
enum AnalyticsBenchmark {
    /// Every generated event is before 2025-11-01 00:00 in Shanghai; the queries are asked then.
    static let end: Int64 = 1_761_926_400_000
    static let day: Int64 = 86_400_000
    static let names = ["funnel", "retention", "rfm", "segment"]

    /// Loads the shop into the SQLite store (unless already there), builds the dataset, times the
    /// four questions (best of 3), exports the events and writes Siyu's answers for DuckDB.
    static func siyu(shop: SyntheticShop, directory: String) async throws -> SiyuAnalyticsTimes {
        var quiet = Logger(label: "siyu-bench")
        quiet.logLevel = .warning
        let logger = quiet
        let opened = try await StoreLocation.sqlite(directory: directory + "/store").open(logger: logger)
        return try await opened.withRunning { store in
            let name = "bench-shop-\(shop.seed)-\(shop.people)-\(shop.events)-\(shop.days)"
            var load: Double?
            if try await store.workspace(named: name) == nil {
                _ = try await store.createWorkspace(name: name, timeZone: "Asia/Shanghai", currency: "CNY")
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("workspace vanished") }
                load = try await ingest(shop, into: store, workspace: workspace)
            }
            guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("workspace vanished") }
            let stored = try await store.eventCount(workspaceId: workspace.id)
            guard stored == shop.events else {
                throw CommandFailure("the store holds \(stored) events of \(name), not \(shop.events): delete \(directory) and run again")
            }
            // The build from the store (no snapshot file yet), then a restart: a new cache reads the
            // file the first one saved, as a server does at start.
            let snapshots = directory + "/analytics"
            try? FileManager.default.removeItem(atPath: snapshots)
            let configuration = AnalyticsCache.Configuration(snapshotDirectory: snapshots)
            let cache = AnalyticsCache(store: store, clock: { end }, logger: logger, configuration: configuration)
            let started = ContinuousClock.now
            let dataset = try await cache.dataset(workspaceId: workspace.id)
            let build = seconds(since: started)
            print(String(format: "dataset built from the store in %.2f s: %d people, %d events", build, dataset.personCount, dataset.eventCount))
            let saving = ContinuousClock.now
            await cache.saveSnapshots()
            let saved = seconds(since: saving)
            let restarted = AnalyticsCache(store: store, clock: { end }, logger: logger, configuration: configuration)
            let reading = ContinuousClock.now
            _ = try await restarted.dataset(workspaceId: workspace.id)
            let restart = seconds(since: reading)
            let status = await restarted.status(workspaceId: workspace.id)
            guard status?.loadedFromSnapshot == true else { throw CommandFailure("the restarted cache did not read the snapshot file") }
            let size =
                ((try? FileManager.default.attributesOfItem(atPath: snapshots + "/\(workspace.id).dataset"))?[.size] as? NSNumber)?.intValue ?? 0
            print(
                String(
                    format: "snapshot file written in %.2f s (%.0f MB); a restart reads it and is ready in %.2f s",
                    saved,
                    Double(size) / 1e6,
                    restart
                )
            )
            if let status, status.events > 0 {
                print(
                    String(
                        format: "memory: event columns %.1f bytes/event, resident %.1f bytes/event",
                        Double(status.eventColumnBytes) / Double(status.events),
                        Double(status.residentBytes) / Double(status.events)
                    )
                )
            }
            let questions = Questions(shop: shop)
            var answers: JSONObject = [:]
            var times: [(String, Double)] = []
            for name in names {
                var best = Double.infinity
                for _ in 0..<3 {
                    // Timed: the kernel's answer as values (DuckDB's is a materialised table);
                    // not timed: turning it into JSON for the comparison.
                    let started = ContinuousClock.now
                    let answer = questions.answer(name, dataset)
                    best = min(best, seconds(since: started))
                    answers[name] = answer.json()
                }
                times.append((name, best))
                print(String(format: "  %@: %.3f s", name, best))
            }
            answers["parameters"] = questions.parameters
            try write(answers, to: directory + "/siyu_answers.json")
            let peak = peakResidentBytes()
            let exportStarted = ContinuousClock.now
            try exportEvents(dataset, to: directory + "/events.csv")
            print(String(format: "exported events.csv in %.2f s", seconds(since: exportStarted)))
            return SiyuAnalyticsTimes(load: load, build: build, restart: restart, queries: times, peakBytes: peak)
        }
    }

    /// Writes the shop through the store's ingestion, 5,000 events per transaction, preparing the
    /// next batch while the store writes the current one. Returns the seconds taken.
    static func ingest(_ shop: SyntheticShop, into store: any SiyuStore, workspace: Workspace) async throws -> Double {
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: "CNY", channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        let perBatch = max(1, 5_000 * shop.people / shop.events)
        let receivedAt = end
        @Sendable func batch(_ first: Int) throws -> [PreparedEvent] {
            var prepared: [PreparedEvent] = []
            for person in first..<min(first + perBatch, shop.people) {
                for event in shop.events(of: person) { prepared.append(try preparer.prepare(shop.message(event, receivedAt: receivedAt))) }
            }
            return prepared
        }
        let started = ContinuousClock.now
        var first = 0
        var pending = try batch(0)
        var written = 0
        var reported = 0
        while !pending.isEmpty {
            let next = first + perBatch
            async let upcoming = next < shop.people ? try batch(next) : []
            _ = try await store.ingest([IngestBatch(workspaceId: workspace.id, events: pending)])
            written += pending.count
            if written - reported >= 1_000_000 {
                reported = written
                print(String(format: "  loaded %d events (%.0f events/s)", written, Double(written) / seconds(since: started)))
            }
            pending = try await upcoming
            first = next
        }
        let elapsed = seconds(since: started)
        print(String(format: "loaded %d events into SQLite through ingestion in %.1f s (%.0f events/s)", written, elapsed, Double(written) / elapsed))
        return elapsed
    }

    /// The four questions, and their answers as JSON (the shape the DuckDB script produces).
    struct Questions {
        let range: TimeRange
        let funnel: FunnelQuery
        let retention: RetentionQuery
        let rfm: RFMQuery
        let segment: PersonRule

        init(shop: SyntheticShop) {
            range = TimeRange(from: shop.start, to: shop.end)
            funnel = FunnelQuery(
                steps: SyntheticShop.eventNames.map { FunnelQuery.Step(EventMatcher($0)) },
                range: range,
                window: 7 * day,
                order: .ordered,
                breakdown: .firstTouchChannel
            )
            retention = RetentionQuery(
                start: EventMatcher(nil),
                returning: EventMatcher("Order Completed"),
                kind: .firstTime,
                period: .week,
                range: range,
                periods: 12
            )
            rfm = RFMQuery(range: range)
            segment = .all([.orderCount(.gte, 2, within: .lastDays(30)), .firstChannel(.in, ["douyin", "xiaohongshu"]), .lastSeenDaysAgo(.lte, 14)])
        }

        var parameters: JSONValue {
            let calendar = LocalCalendar.shanghai
            return [
                "from": .int(range.from), "to": .int(range.to), "now": .int(end), "window": .int(funnel.window),
                "first_week": .int(Int64(calendar.bucket(range.from, .week))), "last_week": .int(Int64(calendar.bucket(range.to - 1, .week))),
                "current_week": .int(Int64(calendar.bucket(end, .week))),
            ]
        }

        /// One question's answer, as the kernel returns it.
        enum Answer {
            case funnel(FunnelResult)
            case retention(RetentionResult)
            case rfm(RFMResult)
            case segment([Int64])

            /// The answer in the shape the DuckDB script produces.
            func json() -> JSONValue {
                switch self {
                case .funnel(let result):
                    var object: JSONObject = [:]
                    for group in result.groups { object[group.value] = .array(group.steps.map { .int(Int64($0.count)) }) }
                    return .object(object)
                case .retention(let result):
                    var object: JSONObject = [:]
                    for cohort in result.tables.first?.cohorts ?? [] {
                        object[String(cohort.bucket)] = .array(cohort.counts.map { $0.map { .int(Int64($0)) } ?? .null })
                    }
                    return .object(object)
                case .rfm(let result):
                    return .array(
                        result.rows.map { row in
                            [
                                .int(row.personId), .int(Int64(row.recencyDays)), .int(Int64(row.frequency)), .int(row.monetary),
                                .int(Int64(row.r)), .int(Int64(row.f)), .int(Int64(row.m)), .string(row.rfmClass.rawValue),
                            ]
                        }
                    )
                case .segment(let ids):
                    return .array(ids.map { .int($0) })
                }
            }
        }

        func answer(_ name: String, _ dataset: Dataset) -> Answer {
            switch name {
            case "funnel": return .funnel(FunnelEngine(dataset: dataset, query: funnel, calendar: .shanghai, now: end).run())
            case "retention": return .retention(RetentionEngine(dataset: dataset, query: retention, calendar: .shanghai, now: end).run())
            case "rfm": return .rfm(RFMEngine(dataset: dataset, query: rfm).run())
            default: return .segment(PersonRuleEvaluator(segment, dataset: dataset, now: end).members().map { dataset.personIds[$0] })
            }
        }
    }

    /// events.csv: person_id, seq, ts, name, channel, revenue (fen, orders only). `seq` numbers the
    /// events in the dataset's order (person, time, arrival), which is all the queries use it for.
    static func exportEvents(_ dataset: Dataset, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw CommandFailure("cannot write \(path)") }
        defer { try? handle.close() }
        let names = dataset.nameDictionary.map { Array($0.utf8) }
        let channels = dataset.channelDictionary.map { Array($0.utf8) }
        var buffer: [UInt8] = Array("person_id,seq,ts,name,channel,revenue\n".utf8)
        buffer.reserveCapacity(1 << 22)
        func number(_ value: Int64) {
            var digits: [UInt8] = []
            var v = value
            if v < 0 {
                buffer.append(UInt8(ascii: "-"))
                v = -v
            }
            repeat {
                digits.append(UInt8(ascii: "0") + UInt8(v % 10))
                v /= 10
            } while v > 0
            buffer.append(contentsOf: digits.reversed())
        }
        var ordinal: Int64 = 0
        for person in 0..<dataset.personCount {
            for e in dataset.eventStart(person)..<dataset.eventEnd(person) {
                ordinal += 1
                number(dataset.personIds[person])
                buffer.append(UInt8(ascii: ","))
                number(ordinal)
                buffer.append(UInt8(ascii: ","))
                number(dataset.timestamps[e])
                buffer.append(UInt8(ascii: ","))
                if dataset.names[e] >= 0 { buffer.append(contentsOf: names[Int(dataset.names[e])]) }
                buffer.append(UInt8(ascii: ","))
                if dataset.channels[e] >= 0 { buffer.append(contentsOf: channels[Int(dataset.channels[e])]) }
                buffer.append(UInt8(ascii: ","))
                number(dataset.revenue[e])
                buffer.append(UInt8(ascii: "\n"))
            }
            if buffer.count > 1 << 22 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
    }

    static func write(_ object: JSONObject, to path: String) throws {
        var bytes: [UInt8] = []
        JSONWriter.write(.object(object), into: &bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// Runs scripts/bench/duckdb_analytics.py in `.bench-env` (created, with DuckDB from PyPI, when missing).
    static func duckdb(directory: String) throws -> [String: Any] {
        let environment = ".bench-env"
        if !FileManager.default.fileExists(atPath: environment + "/bin/python") {
            print("creating \(environment) and installing duckdb from PyPI")
            try shell(["python3", "-m", "venv", environment])
            try shell([environment + "/bin/pip", "install", "--quiet", "duckdb"])
        }
        print("DuckDB:")
        try shell([environment + "/bin/python", "scripts/bench/duckdb_analytics.py", directory])
        let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/duckdb_results.json"))
        guard let results = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw CommandFailure("unreadable DuckDB results") }
        return results
    }

    static func shell(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure("\(arguments.joined(separator: " ")) failed (\(process.terminationStatus))")
        }
    }

    static func printTable(siyu: SiyuAnalyticsTimes, duckdb: [String: Any]?) {
        let times = duckdb?["times"] as? [String: Double] ?? [:]
        let matches = duckdb?["match"] as? [String: Bool] ?? [:]
        print("")
        if let load = siyu.load { print(String(format: "Siyu load (ingestion into SQLite): %.1f s", load)) }
        let duckLoad = (duckdb?["load_seconds"] as? Double).map { String(format: "%.2f", $0) } ?? "-"
        print("| query | Siyu (s) | DuckDB (s) | Siyu / DuckDB | answers |")
        print("|---|---|---|---|---|")
        print(String(format: "| dataset build / CSV load | %.2f | %@ | | |", siyu.build, duckLoad))
        print(String(format: "| restart from the snapshot file | %.2f | | | |", siyu.restart))
        for (name, seconds) in siyu.queries {
            let duck = times[name]
            let ratio = duck.map { String(format: "%.2f", seconds / $0) } ?? "-"
            let same = matches[name].map { $0 ? "identical" : "MISMATCH" } ?? "-"
            print(String(format: "| %@ | %.3f | %@ | %@ | %@ |", name, seconds, duck.map { String(format: "%.3f", $0) } ?? "-", ratio, same))
        }
        let duckPeak = (duckdb?["max_rss_bytes"] as? Double) ?? (duckdb?["max_rss_bytes"] as? Int).map(Double.init)
        print(
            String(
                format: "peak memory (max RSS): Siyu %.0f MiB (load, dataset and queries), DuckDB %@",
                Double(siyu.peakBytes) / 1_048_576,
                duckPeak.map { String(format: "%.0f MiB (Python process)", $0 / 1_048_576) } ?? "-"
            )
        )
        if matches.values.contains(false) { print("MISMATCH: Siyu and DuckDB disagree (details above)") }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Peak resident set size of this process (getrusage; kilobytes on Linux).
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
