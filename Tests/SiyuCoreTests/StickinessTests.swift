import Testing

@testable import SiyuCore

@Suite struct StickinessTests {
    typealias F = AnalyticsFixture
    /// Minutes after t0 (2024-05-01T00:00Z = 08:00 in Shanghai) of local day `d` at 12:00.
    func noon(_ d: Int64) -> Int64 { d * 1440 + 4 * 60 }
    /// Local midnight starting May 1st + `d` in Shanghai, in minutes after t0 (16:00Z the day before).
    func midnight(_ d: Int64) -> Int64 { d * 1440 - 8 * 60 }

    /// Weeks (Monday first): W18 = Apr 29–May 5, W19 = May 6–12, W20 = May 13–19.
    var dataset: Dataset {
        F.dataset(
            [
                // May 1 (twice), 2, 5 in W18; May 6 in W19.
                1: [
                    ("Viewed", noon(0), "app", [:]), ("Viewed", noon(0) + 60, "wechat", [:]), ("Viewed", noon(1), "app", [:]),
                    ("Viewed", noon(4), "app", [:]), ("Viewed", noon(5), "app", [:]),
                ],
                // April 30th (in W18 but before the range); 23:30 May 1st and 00:30 May 2nd local: two local
                // days (one UTC day: May 1st 15:30Z and 16:30Z).
                2: [
                    ("Viewed", noon(-1), "wechat", [:]), ("Viewed", midnight(1) - 30, "wechat", [:]),
                    ("Viewed", midnight(1) + 30, "wechat", [:]),
                ],
                // April 28th (before the two-week range), then May 13th and 14th (W20); a non-matching event.
                3: [
                    ("Viewed", noon(-3), "app", [:]), ("Clicked", noon(1), "app", [:]), ("Viewed", noon(12), "app", [:]),
                    ("Viewed", noon(13), "app", [:]),
                ],
                // Never views.
                4: [("Clicked", noon(0), "app", [:])],
            ],
            traits: [1: ["plan": "gold"], 2: ["plan": "gold"]]
        )
    }

    /// May 1st to 14th, local.
    var twoWeeks: TimeRange { TimeRange(from: F.t0 + midnight(0) * F.minute, to: F.t0 + midnight(14) * F.minute) }

    func run(_ query: StickinessQuery) -> StickinessResult {
        StickinessEngine(dataset: dataset, query: query, calendar: .shanghai, now: F.t0 + 30 * F.day).run()
    }

    @Test func weeklyHistogramsCountDistinctLocalDays() {
        let all = run(StickinessQuery(event: EventMatcher("Viewed"), range: twoWeeks)).groups[0]
        #expect(all.value == "all")
        #expect(all.histograms.map(\.label) == ["2024-W18", "2024-W19", "2024-W20"])
        // W18 is cut by the range to May 1–5 (5 days), W20 to May 13–14 (2 days).
        #expect(all.histograms.map(\.days) == [5, 7, 2])
        // W18: person 1 on 3 days (May 1, 2, 5; two events on May 1 count once), person 2 on 2 days
        // (either side of local midnight; April 30th is before the range).
        #expect(all.histograms[0].counts == [0, 1, 1, 0, 0])
        // W19: person 1 on May 6 only. W20: person 3 on May 13 and 14 (April 28th is outside the range).
        #expect(all.histograms[1].counts == [1, 0, 0, 0, 0, 0, 0])
        #expect(all.histograms[2].counts == [0, 1])
        #expect(all.histograms[0].atLeast == [2, 2, 1, 0, 0])
        #expect(all.histograms[0].meanDays == 2.5)
    }

    @Test func localMidnightSplitsDaysNotUTC() {
        // In UTC person 2's two May events fall on the same day (May 1st 15:30 and 16:30 UTC).
        let utc = StickinessEngine(
            dataset: dataset,
            query: StickinessQuery(event: EventMatcher("Viewed"), range: TimeRange(from: F.t0, to: F.t0 + F.day), window: .range),
            calendar: .utc,
            now: F.t0
        ).run()
        // UTC May 1st alone: people 1 and 2 on 1 day each.
        #expect(utc.groups[0].histograms[0].counts == [2])
        let local = run(StickinessQuery(event: EventMatcher("Viewed"), range: twoWeeks, window: .range))
        #expect(local.groups[0].histograms[0].counts[1] == 2)
    }

    @Test func wholeRangeWindow() {
        let histogram = run(StickinessQuery(event: EventMatcher("Viewed"), range: twoWeeks, window: .range)).groups[0].histograms[0]
        #expect(histogram.label == "2024-05-01…2024-05-14")
        #expect(histogram.bucket == nil)
        #expect(histogram.days == 14)
        // Person 1: May 1, 2, 5, 6 (4 days); person 2: 2 days; person 3: May 13, 14 (2 days).
        var expected = [Int](repeating: 0, count: 14)
        expected[1] = 2
        expected[3] = 1
        #expect(histogram.counts == expected)
    }

    @Test func monthlyWindowsAcrossAMonthEnd() {
        // April 27th to May 2nd local: April 27–30 (4 days), May 1–2 (2 days).
        let range = TimeRange(from: F.t0 + midnight(-4) * F.minute, to: F.t0 + midnight(2) * F.minute)
        let all = run(StickinessQuery(event: EventMatcher("Viewed"), range: range, window: .month)).groups[0]
        #expect(all.histograms.map(\.label) == ["2024-04", "2024-05"])
        // April: person 3 on the 28th, person 2 on the 30th. May: person 1 (1st, 2nd) and person 2 (1st 23:30,
        // 2nd 00:30) on 2 days each.
        #expect(all.histograms[0].counts == [2, 0, 0, 0])
        #expect(all.histograms[1].counts == [0, 2])
    }

    @Test func eventLevelBreakdownCountsDaysPerChannel() {
        let result = run(StickinessQuery(event: EventMatcher("Viewed"), range: twoWeeks, window: .range, breakdown: .channel))
        #expect(result.groups.map(\.value) == ["all", "app", "wechat"])
        // app: person 1 on May 1, 2, 5, 6 (4 days), person 3 on 2 days.
        #expect(Array(result.groups[1].histograms[0].counts.prefix(4)) == [0, 1, 0, 1])
        // wechat: person 1 on May 1 (1 day), person 2 on 2 days.
        #expect(Array(result.groups[2].histograms[0].counts.prefix(4)) == [1, 1, 0, 0])
    }

    @Test func personLevelBreakdownByTrait() {
        let result = run(StickinessQuery(event: EventMatcher("Viewed"), range: twoWeeks, breakdown: .trait("plan")))
        #expect(result.groups.map(\.value) == ["all", "gold", "(none)"])
        // gold = people 1 and 2: W18 as for everyone; (none) = person 3, only in W20.
        #expect(result.groups[1].histograms[0].counts == [0, 1, 1, 0, 0])
        #expect(result.groups[2].histograms.map(\.people) == [0, 0, 1])
    }

    @Test func filtersAndProblems() {
        var query = StickinessQuery(
            event: EventMatcher("Viewed"),
            range: twoWeeks,
            window: .range,
            people: .trait(PropertyCondition("plan", .eq, "gold"))
        )
        #expect(query.problems().isEmpty)
        // People 1 and 2 only.
        #expect(run(query).groups[0].histograms[0].people == 2)
        query.range = TimeRange(from: 10, to: 10)
        #expect(query.problems() == ["the date range is empty"])
    }
}
