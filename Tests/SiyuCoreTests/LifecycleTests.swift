import Testing

@testable import SiyuCore

@Suite struct LifecycleTests {
    typealias F = AnalyticsFixture
    /// Minutes after t0 (2024-05-01T00:00Z = 08:00 in Shanghai) of local day `d` at 12:00.
    func noon(_ d: Int64) -> Int64 { d * 1440 + 4 * 60 }
    /// Local midnight starting May 1st + `d` in Shanghai, in minutes after t0.
    func midnight(_ d: Int64) -> Int64 { d * 1440 - 8 * 60 }

    var dataset: Dataset {
        F.dataset([
            // Active April 28th, then May 1st (on wechat), 2nd and 4th.
            1: [
                ("Viewed", noon(-3), "app", [:]), ("Viewed", noon(0), "wechat", [:]), ("Viewed", noon(1), "app", [:]),
                ("Viewed", noon(3), "app", [:]),
            ],
            // First ever at 23:30 on May 1st, again at 00:30 on May 2nd (local; the same UTC day).
            2: [("Viewed", midnight(1) - 30, "app", [:]), ("Viewed", midnight(1) + 30, "app", [:])],
            // Only on April 30th.
            3: [("Viewed", noon(-1), "app", [:])],
            // New on May 3rd (twice that day).
            4: [("Viewed", noon(2), "app", [:]), ("Viewed", noon(2) + 10, "app", [:])],
            // Never views.
            5: [("Clicked", noon(0), "app", [:])],
        ])
    }

    func run(_ query: LifecycleQuery) -> LifecycleResult {
        LifecycleEngine(dataset: dataset, query: query, calendar: .shanghai, now: F.t0 + 30 * F.day).run()
    }

    /// May 1st to `days` later, local.
    func range(days: Int64) -> TimeRange { TimeRange(from: F.t0 + midnight(0) * F.minute, to: F.t0 + midnight(days) * F.minute) }

    @Test func dailyLifecycle() {
        let points = run(LifecycleQuery(event: EventMatcher("Viewed"), period: .day, range: range(days: 5))).groups[0].points
        #expect(points.map(\.label) == ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04", "2024-05-05"])
        // May 1: person 2 new; person 1 resurrecting (April 28th, not April 30th); person 3 (April 30th) dormant.
        // May 2: people 1 and 2 returning (person 2 crossed local midnight).
        // May 3: person 4 new; people 1 and 2 dormant.
        // May 4: person 1 resurrecting; person 4 dormant. May 5: person 1 dormant.
        #expect(points.map(\.new) == [1, 0, 1, 0, 0])
        #expect(points.map(\.returning) == [0, 2, 0, 0, 0])
        #expect(points.map(\.resurrecting) == [1, 0, 0, 1, 0])
        #expect(points.map(\.dormant) == [-1, 0, -2, -1, -1])
        #expect(points.map(\.active) == [2, 2, 1, 1, 0])
    }

    @Test func weeklyLifecycleUsesWholeWeeks() {
        let points = run(LifecycleQuery(event: EventMatcher("Viewed"), period: .week, range: range(days: 14))).groups[0].points
        #expect(points.map(\.label) == ["2024-W18", "2024-W19", "2024-W20"])
        // W18 (April 29th–May 5th): person 1 returning (active April 28th, in W17); people 2, 3 (April 30th) and 4 new.
        // W19: all four dormant. W20: nothing.
        #expect(points[0].new == 3)
        #expect(points[0].returning == 1)
        #expect(points[0].resurrecting == 0)
        #expect(points.map(\.dormant) == [0, -4, 0])
    }

    @Test func channelBreakdownFollowsEachChannel() {
        let result = run(LifecycleQuery(event: EventMatcher("Viewed"), period: .day, range: range(days: 5), breakdown: .channel))
        #expect(result.groups.map(\.value) == ["all", "app", "wechat"])
        let app = result.groups[1].points
        // app: person 1 April 28th, May 2nd, May 4th: resurrecting May 2 and 4, dormant May 3 and 5;
        // person 2 new May 1, returning May 2, dormant May 3; person 3 dormant May 1; person 4 new May 3, dormant May 4.
        #expect(app.map(\.new) == [1, 0, 1, 0, 0])
        #expect(app.map(\.returning) == [0, 1, 0, 0, 0])
        #expect(app.map(\.resurrecting) == [0, 1, 0, 1, 0])
        #expect(app.map(\.dormant) == [-1, 0, -2, -1, -1])
        // wechat: person 1 new on May 1st, dormant on May 2nd.
        let wechat = result.groups[2].points
        #expect(wechat.map(\.new) == [1, 0, 0, 0, 0])
        #expect(wechat.map(\.dormant) == [0, -1, 0, 0, 0])
    }

    @Test func personFilterAndProblems() {
        // All five people's first event was on app: the filter keeps nobody.
        var query = LifecycleQuery(event: EventMatcher("Viewed"), period: .day, range: range(days: 5), people: .firstChannel(.neq, ["app"]))
        #expect(run(query).groups[0].points.map(\.active) == [0, 0, 0, 0, 0])
        query.people = .firstChannel(.eq, ["app"])
        #expect(run(query).groups[0].points.map(\.active) == [2, 2, 1, 1, 0])
        query.period = .hour
        #expect(query.problems() == ["lifecycle periods are days, weeks or months"])
    }
}
