import Foundation
import GRDB
import SiyuCore
import SiyuDemo
import Testing

@testable import SiyuStore

/// The analytics engines against plain SQL: a generated shop (3,000 people, 60,000 events over
/// 90 days, six channels) goes into a real SQLite store through ingestion, the engines answer
/// from a ``Dataset`` built from the store as the server builds it, and the same four questions
/// are answered by SQL written from the engines' documented semantics, on the same file.
///
/// Days and weeks are cut in Asia/Shanghai (UTC+8, no daylight saving since 1991): the SQL
/// local day is `(timestamp + 28,800,000) / 86,400,000` and the Monday-based week
/// `(day + 3) / 7` (1970-01-01 was a Thursday); every timestamp here is positive, so SQLite's
/// truncating division is a floor.
@Suite struct AnalyticsSQLReferenceTests {
    static let day: Int64 = 86_400_000
    static let shop = SyntheticShop(people: 1_500, events: 30_000, days: 90, end: testNow, seed: 11)
    static let range = TimeRange(from: testNow - 90 * day, to: testNow)

    @Test func enginesMatchPlainSQLOnAGeneratedShop() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-sqlref-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory, clock: { testNow })
        let acme = try await TestWorkspace.create(store)
        let workspaceId = acme.workspace.id
        var batch: [Message] = []
        for person in 0..<Self.shop.people {
            for event in Self.shop.events(of: person) { batch.append(Self.shop.message(event, receivedAt: testNow)) }
            if batch.count >= 5_000 || person == Self.shop.people - 1 {
                let result = try await acme.ingest(store, batch)
                #expect(result.outcomes.allSatisfy { $0 == .stored })
                batch.removeAll(keepingCapacity: true)
            }
        }
        let dataset = try await Self.dataset(store, workspaceId: workspaceId)
        #expect(dataset.personCount == 1_500 && dataset.eventCount == 30_000)

        var configuration = Configuration()
        configuration.readonly = true
        let pool = try DatabasePool(path: directory + "/siyu.sqlite", configuration: configuration)
        try await checkFunnel(dataset, pool, workspaceId)
        try await checkRetention(dataset, pool, workspaceId)
        try await checkRFM(dataset, pool, workspaceId)
        try await checkSegment(dataset, pool, workspaceId)
    }

    /// The dataset the analytics cache would build: the whole event log, the people, merges.
    static func dataset(_ store: SQLiteStore, workspaceId: Int64) async throws -> Dataset {
        var log = EventLog()
        var after: Int64 = 0
        while true {
            let chunk = try await store.analyticsEvents(workspaceId: workspaceId, afterSeq: after, limit: 250_000)
            guard let last = chunk.seqs.last else { break }
            log.append(chunk)
            after = last
            if chunk.count < 250_000 { break }
        }
        let people = try await store.analyticsPeople(workspaceId: workspaceId)
        let canonical = try await store.canonicalMap(workspaceId: workspaceId)
        return LiveDataset.build(people: people, events: log, canonical: canonical).snapshot()
    }

    /// Every event with its canonical person and its position among the person's events
    /// (time, then arrival).
    static let eventsSQL = """
        SELECT p.canonical_id AS pid, e.id, e.timestamp AS ts, e.event AS name, e.channel, e.revenue_minor, e.currency,
               ROW_NUMBER() OVER (PARTITION BY p.canonical_id ORDER BY e.timestamp, e.id) AS rn
        FROM events e JOIN persons p ON p.id = e.person_id WHERE e.workspace_id = :ws
        """

    // MARK: - (a) Funnel

    /// 4-step ordered funnel, 7-day window from the attempt's start, attempts starting in the
    /// range, broken down by first-touch channel.
    ///
    /// SQL: `n1`/`n2`/`n3` are, for each event, the position of the person's next `Product Added` /
    /// `Checkout Started` / `Order Completed` at or after it (a running MIN over the person's events
    /// in reverse order). An attempt starts at a `Product Viewed` in the range; step k is the next
    /// step-k event after step k−1's event, and counts only if it is within 7 days of the start
    /// (if the next one is too late, every later one is too). A person reaches the most steps of
    /// any of their attempts; step k's count is the number of people who reached at least k.
    func checkFunnel(_ dataset: Dataset, _ pool: DatabasePool, _ workspaceId: Int64) async throws {
        let window = 7 * Self.day
        let query = FunnelQuery(
            steps: SyntheticShop.eventNames.map { FunnelQuery.Step(EventMatcher($0)) },
            range: Self.range,
            window: window,
            order: .ordered,
            breakdown: .firstTouchChannel
        )
        let result = FunnelEngine(dataset: dataset, query: query, calendar: .shanghai, now: testNow).run()
        let engine = Dictionary(uniqueKeysWithValues: result.groups.map { ($0.value, $0.steps.map(\.count)) })

        let sql = """
            WITH ev AS MATERIALIZED (\(Self.eventsSQL)),
            nx AS MATERIALIZED (
                SELECT pid, rn, ts, name,
                       MIN(CASE WHEN name = 'Product Added' THEN rn END) OVER w AS n1,
                       MIN(CASE WHEN name = 'Checkout Started' THEN rn END) OVER w AS n2,
                       MIN(CASE WHEN name = 'Order Completed' THEN rn END) OVER w AS n3
                FROM ev WINDOW w AS (PARTITION BY pid ORDER BY rn DESC ROWS UNBOUNDED PRECEDING)
            ),
            attempts AS (
                SELECT a.pid, a.ts AS t0, b.ts AS t1, c.ts AS t2, d.ts AS t3
                FROM nx a
                LEFT JOIN nx b ON b.pid = a.pid AND b.rn = a.n1
                LEFT JOIN nx c ON c.pid = a.pid AND c.rn = b.n2
                LEFT JOIN nx d ON d.pid = a.pid AND d.rn = c.n3
                WHERE a.name = 'Product Viewed' AND a.ts >= :from AND a.ts < :to
            ),
            reached AS (
                SELECT pid, MAX(CASE WHEN t1 IS NULL OR t1 > t0 + :window THEN 0
                                     WHEN t2 IS NULL OR t2 > t0 + :window THEN 1
                                     WHEN t3 IS NULL OR t3 > t0 + :window THEN 2
                                     ELSE 3 END) AS steps
                FROM attempts GROUP BY pid
            )
            SELECT f.channel, COUNT(*), SUM(r.steps >= 1), SUM(r.steps >= 2), SUM(r.steps >= 3)
            FROM reached r JOIN ev f ON f.pid = r.pid AND f.rn = 1
            GROUP BY f.channel
            """
        let arguments: StatementArguments = ["ws": workspaceId, "from": Self.range.from, "to": Self.range.to, "window": window]
        let rows = try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        var expected: [String: [Int]] = [:]
        var all = [0, 0, 0, 0]
        for row in rows {
            let counts: [Int] = (1...4).map { row[$0] }
            expected[row[0]] = counts
            for k in 0..<4 { all[k] += counts[k] }
        }
        expected["all"] = all
        #expect(engine == expected)
        #expect(all[3] > 100 && expected.count == SyntheticShop.channels.count + 1)
        print("funnel (SQL): \(expected.sorted { $0.key < $1.key })")
    }

    // MARK: - (b) Retention

    /// First-time weekly retention, 12 weeks: a person's cohort is the local week of their first
    /// event (of any name), and they count in week N when they placed an order in week N.
    func checkRetention(_ dataset: Dataset, _ pool: DatabasePool, _ workspaceId: Int64) async throws {
        let query = RetentionQuery(
            start: EventMatcher(nil),
            returning: EventMatcher("Order Completed"),
            kind: .firstTime,
            period: .week,
            range: Self.range,
            periods: 12
        )
        let table = try #require(RetentionEngine(dataset: dataset, query: query, calendar: .shanghai, now: testNow).run().tables.first)

        let week = "((ts + 28800000) / 86400000 + 3) / 7"
        let sql = """
            WITH ev AS (SELECT pid, name, \(week) AS week FROM (\(Self.eventsSQL))),
            cohorts AS (SELECT pid, MIN(week) AS cohort FROM ev GROUP BY pid),
            bounds AS (SELECT ((:from + 28800000) / 86400000 + 3) / 7 AS first, ((:to - 1 + 28800000) / 86400000 + 3) / 7 AS last)
            SELECT c.cohort, 0, COUNT(*) FROM cohorts c, bounds b WHERE c.cohort BETWEEN b.first AND b.last GROUP BY c.cohort
            UNION ALL
            SELECT c.cohort, e.week - c.cohort, COUNT(DISTINCT e.pid)
            FROM cohorts c JOIN ev e ON e.pid = c.pid, bounds b
            WHERE c.cohort BETWEEN b.first AND b.last AND e.name = 'Order Completed' AND e.week - c.cohort BETWEEN 1 AND 12
            GROUP BY c.cohort, e.week - c.cohort
            """
        let currentSQL = "SELECT ((:now + 28800000) / 86400000 + 3) / 7"
        let arguments: StatementArguments = ["ws": workspaceId, "from": Self.range.from, "to": Self.range.to]
        let (rows, current) = try await pool.read { db in
            (try Row.fetchAll(db, sql: sql, arguments: arguments), try Int.fetchOne(db, sql: currentSQL, arguments: ["now": testNow]) ?? 0)
        }
        var expected: [Int: [Int]] = [:]
        for row in rows {
            let cohort: Int = row[0]
            var counts = expected[cohort] ?? [Int](repeating: 0, count: 13)
            counts[row[1] as Int] = row[2]
            expected[cohort] = counts
        }
        // The engine lists every week of the range; the SQL only weeks in which somebody arrived.
        #expect(Set(expected.keys).isSubset(of: table.cohorts.map(\.bucket)))
        for cohort in table.cohorts {
            let counts = expected[cohort.bucket] ?? [Int](repeating: 0, count: 13)
            // Weeks that have not begun at `now` have no number.
            let visible = counts.enumerated().map { offset, count in cohort.bucket + offset <= current ? count : nil }
            #expect(cohort.size == counts[0] && cohort.counts == visible, "cohort \(cohort.label)")
        }
        #expect(expected.values.reduce(0) { $0 + $1[0] } == 1_500 && expected.values.reduce(0) { $0 + $1[4] } > 50)
        print("retention (SQL): \(expected.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })")
    }

    // MARK: - (c) RFM

    /// RFM over the range, recency measured at its end: recency is whole days since the last
    /// order, scores are `1 + ⌊5 × (RANK − 1) / n⌋` (RANK over worse-to-better values, ties
    /// sharing the lowest rank), and the 8 classes compare R, F, M with the buyers' means
    /// (exactly, in integers: `value × n` against the sum).
    func checkRFM(_ dataset: Dataset, _ pool: DatabasePool, _ workspaceId: Int64) async throws {
        let result = RFMEngine(dataset: dataset, query: RFMQuery(range: Self.range)).run()

        let sql = """
            WITH o AS (
                SELECT pid, COUNT(*) AS f, SUM(CASE WHEN currency = 'CNY' THEN revenue_minor ELSE 0 END) AS m, MAX(ts) AS last
                FROM (\(Self.eventsSQL)) WHERE name = 'Order Completed' AND ts >= :from AND ts < :to GROUP BY pid
            ),
            r AS (SELECT pid, MAX(0, (:to - last) / 86400000) AS rec, f, m FROM o),
            n AS (SELECT COUNT(*) AS n, SUM(rec) AS sr, SUM(f) AS sf, SUM(m) AS sm FROM r),
            scored AS (
                SELECT pid, rec, f, m,
                       1 + 5 * (RANK() OVER (ORDER BY rec DESC) - 1) / n AS rs,
                       1 + 5 * (RANK() OVER (ORDER BY f) - 1) / n AS fs,
                       1 + 5 * (RANK() OVER (ORDER BY m) - 1) / n AS ms,
                       rec * n < sr AS rh, f * n > sf AS fh, m * n > sm AS mh
                FROM r, n
            )
            SELECT pid, rec, f, m, rs, fs, ms,
                   CASE (rh * 4 + fh * 2 + mh)
                       WHEN 7 THEN 'importantValue' WHEN 5 THEN 'importantDevelopment' WHEN 3 THEN 'importantRetention'
                       WHEN 1 THEN 'importantWinBack' WHEN 6 THEN 'generalValue' WHEN 4 THEN 'generalDevelopment'
                       WHEN 2 THEN 'generalRetention' ELSE 'generalWinBack' END
            FROM scored ORDER BY pid
            """
        let arguments: StatementArguments = ["ws": workspaceId, "from": Self.range.from, "to": Self.range.to]
        let rows = try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        struct Line: Equatable {
            var person: Int64
            var recency: Int
            var frequency: Int
            var monetary: Int64
            var scores: [Int]
            var rfmClass: String
        }
        let expected = rows.map { row in
            Line(person: row[0], recency: row[1], frequency: row[2], monetary: row[3], scores: [row[4], row[5], row[6]], rfmClass: row[7])
        }
        let engine = result.rows.map {
            Line(
                person: $0.personId,
                recency: $0.recencyDays,
                frequency: $0.frequency,
                monetary: $0.monetary,
                scores: [$0.r, $0.f, $0.m],
                rfmClass: $0.rfmClass.rawValue
            )
        }
        #expect(engine.count == expected.count && expected.count > 500)
        #expect(engine == expected)
        var classSizes: [String: Int] = [:]
        for line in expected { classSizes[line.rfmClass, default: 0] += 1 }
        let engineSizes = try #require(result.groups.first).classes.map { ($0.code, $0.people) }
        #expect(
            engineSizes.filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }
                == classSizes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        )
        print("RFM (SQL): \(expected.count) buyers, classes \(classSizes.sorted { $0.key < $1.key })")
    }

    // MARK: - (d) Segment

    /// Orders ≥ 2 in the 30 × 24 hours before now, first-touch channel douyin or xiaohongshu,
    /// last seen at most 14 whole days ago.
    func checkSegment(_ dataset: Dataset, _ pool: DatabasePool, _ workspaceId: Int64) async throws {
        let rule = PersonRule.all([
            .orderCount(.gte, 2, within: .lastDays(30)),
            .firstChannel(.in, ["douyin", "xiaohongshu"]),
            .lastSeenDaysAgo(.lte, 14),
        ])
        let members = PersonRuleEvaluator(rule, dataset: dataset, now: testNow).members().map { dataset.personIds[$0] }

        let sql = """
            WITH ev AS MATERIALIZED (\(Self.eventsSQL)),
            orders AS (SELECT pid, COUNT(*) AS n FROM ev WHERE name = 'Order Completed' AND ts >= :now - 30 * 86400000 AND ts <= :now GROUP BY pid),
            seen AS (SELECT pid, MAX(ts) AS last FROM ev GROUP BY pid)
            SELECT f.pid FROM ev f JOIN orders o ON o.pid = f.pid JOIN seen s ON s.pid = f.pid
            WHERE f.rn = 1 AND f.channel IN ('douyin', 'xiaohongshu') AND o.n >= 2 AND (:now - s.last) / 86400000 <= 14
            ORDER BY f.pid
            """
        let expected = try await pool.read { db in try Int64.fetchAll(db, sql: sql, arguments: ["ws": workspaceId, "now": testNow]) }
        #expect(members == expected)
        #expect(expected.count > 20)
        print("segment (SQL): \(expected.count) members")
    }
}
