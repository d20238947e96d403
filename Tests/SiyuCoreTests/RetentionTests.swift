import Testing

@testable import SiyuCore

@Suite struct RetentionTests {
    typealias F = AnalyticsFixture
    /// Minutes after t0 (2024-05-01T00:00Z = 08:00 in Shanghai) of local day `d` at 12:00.
    func noon(_ d: Int64) -> Int64 { d * 1440 + 4 * 60 }

    /// Four people who sign up on May 1st or 2nd and come back on various days.
    var dataset: Dataset {
        F.dataset([
            // Signs up day 0, returns day 1 and day 3.
            1: [("Signed Up", noon(0), "app", [:]), ("Viewed", noon(1), "app", [:]), ("Viewed", noon(3), "app", [:])],
            // Signs up day 0, returns day 2 (twice).
            2: [("Signed Up", noon(0), "douyin", [:]), ("Viewed", noon(2), "douyin", [:]), ("Viewed", noon(2) + 5, "douyin", [:])],
            // Signs up day 1, returns day 2.
            3: [("Signed Up", noon(1), "app", [:]), ("Viewed", noon(2), "app", [:])],
            // Signed up before the range: not in any cohort (first-time).
            4: [("Signed Up", noon(-5), "app", [:]), ("Signed Up", noon(0), "app", [:]), ("Viewed", noon(1), "app", [:])],
        ])
    }

    /// Daily cohorts for May 1–2 (local), 3 periods, as of day 10.
    func query(_ configure: (inout RetentionQuery) -> Void = { _ in }) -> RetentionQuery {
        var query = RetentionQuery(
            start: EventMatcher("Signed Up"),
            period: .day,
            range: TimeRange(from: F.t0 - 8 * F.hour, to: F.t0 + 40 * F.hour),
            periods: 3
        )
        configure(&query)
        return query
    }

    func run(_ query: RetentionQuery, now: Int64 = AnalyticsFixture.t0 + 10 * AnalyticsFixture.day) -> RetentionResult {
        RetentionEngine(dataset: dataset, query: query, calendar: .shanghai, now: now).run()
    }

    @Test func firstTimeCohortsOn() {
        let table = run(query()).tables[0]
        #expect(table.cohorts.map(\.label) == ["2024-05-01", "2024-05-02"])
        // May 1st: people 1 and 2 (person 4 signed up first on April 26th). Day 1: person 1; day 2: person 2;
        // day 3: person 1 (returned on May 4th).
        #expect(table.cohorts[0].counts == [2, 1, 1, 1])
        // May 2nd: person 3, back on May 3rd (day 1).
        #expect(table.cohorts[1].counts == [1, 1, 0, 0])
        // Weighted day 1: (1 + 1) / (2 + 1); simple day 1: (1/2 + 1/1) / 2.
        #expect(table.weighted[1] == 2.0 / 3.0)
        #expect(table.simple[1] == 0.75)
    }

    @Test func onOrAfterCountsLaterReturns() {
        let table = run(query { $0.criterion = .onOrAfter }).tables[0]
        // Person 1 qualified on days 1 and 3, person 2 on day 2: on-or-after day 1 both, day 2 both, day 3 person 1.
        #expect(table.cohorts[0].counts == [2, 2, 2, 1])
    }

    @Test func minimumReturnsPerPeriod() {
        let table = run(query { $0.minimumReturns = 2 }).tables[0]
        // Only person 2 returned twice in one day (day 2).
        #expect(table.cohorts[0].counts == [2, 0, 1, 0])
    }

    @Test func recurringCohortsIncludeRepeatStarts() {
        let table = run(query { $0.kind = .recurring }).tables[0]
        // Person 4's second sign-up on May 1st now counts: May 1st cohort is 1, 2 and 4; 4 is back on day 1.
        #expect(table.cohorts[0].counts == [3, 2, 1, 1])
    }

    @Test func periodsInTheFutureHaveNoNumber() {
        // As of May 3rd 20:00 local (day 2 of May 1st's cohort), day 3 has not begun.
        let table = run(query(), now: F.t0 + 2 * F.day + 12 * F.hour).tables[0]
        #expect(table.cohorts[0].counts == [2, 1, 1, nil])
        #expect(table.cohorts[1].counts == [1, 1, nil, nil])
        #expect(table.weighted[3] == nil)
    }

    @Test func breakdownByFirstTouchChannel() {
        let result = run(query { $0.breakdown = .firstTouchChannel })
        #expect(result.tables.map(\.value) == ["all", "app", "douyin"])
        #expect(result.tables[2].cohorts[0].counts == [1, 0, 1, 0])
    }

    @Test func weeklyCohortsStartOnMonday() {
        // 2024-05-01 was a Wednesday: its week starts Monday April 29th (ISO week 18).
        var weekly = query()
        weekly.period = .week
        weekly.periods = 1
        let table = run(weekly).tables[0]
        #expect(table.cohorts.map(\.label) == ["2024-W18"])
        // People 1, 2 and 3 signed up that week; person 4 first did so on April 26th (week 17).
        #expect(table.cohorts[0].counts == [3, 0])
    }

    @Test func dayOneSevenThirtySummary() {
        let result = run(query())
        // Daily first-time cohorts May 1st (2 people, 1 back next day) and May 2nd (1 of 1): 2 of 3.
        #expect(result.day1 == 2.0 / 3.0)
        #expect(result.day7 == 0)
        #expect(result.day30 == nil)
    }
}
