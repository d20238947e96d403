import Testing

@testable import SiyuCore

/// Hand-made people for funnel and retention cases.
struct AnalyticsFixture {
    /// 2024-05-01T00:00:00Z.
    static let t0: Int64 = 1_714_521_600_000
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// One event: (name, minutes after t0, channel, properties).
    typealias Event = (String, Int64, String, JSONObject)

    /// A dataset of people (id → events), all events of a person given in minutes after t0.
    static func dataset(_ people: [Int64: [Event]], traits: [Int64: JSONObject] = [:]) -> Dataset {
        var builder = DatasetBuilder()
        builder.addPeople(
            people.keys.map { id in
                let events = people[id] ?? []
                let first = events.min { $0.1 < $1.1 }
                return DatasetBuilder.Person(
                    id: id,
                    firstSeen: first.map { t0 + $0.1 * minute },
                    lastSeen: events.map { t0 + $0.1 * minute }.max(),
                    firstChannel: first?.2,
                    traits: traits[id] ?? [:]
                )
            }
        )
        var seq: Int64 = 0
        for id in people.keys.sorted() {
            for (name, minutes, channel, properties) in people[id] ?? [] {
                seq += 1
                builder.addEvent(
                    person: id,
                    timestamp: t0 + minutes * minute,
                    name: name,
                    type: .track,
                    channel: channel,
                    revenue: name == "Order Completed" ? (properties["revenue"]?.int64Value ?? 0) : 0,
                    isOrder: name == "Order Completed",
                    seq: seq,
                    properties: properties
                )
            }
        }
        return builder.build()
    }

    static func steps(_ names: String...) -> [FunnelQuery.Step] { names.map { FunnelQuery.Step(EventMatcher($0)) } }
}

@Suite struct FunnelTests {
    typealias F = AnalyticsFixture
    let everything = TimeRange(from: F.t0, to: F.t0 + 30 * F.day)

    func run(_ query: FunnelQuery, _ dataset: Dataset) -> FunnelResult {
        FunnelEngine(dataset: dataset, query: query, calendar: .shanghai, now: F.t0 + 60 * F.day).run()
    }

    func counts(_ result: FunnelResult, group: Int = 0) -> [Int] { result.groups[group].steps.map(\.count) }

    /// Person 1 does A, x, B, C; person 2 does A, C, B; person 3 does A then B after the window;
    /// person 4 does only B.
    var basic: Dataset {
        F.dataset([
            1: [("A", 0, "douyin", [:]), ("x", 1, "douyin", [:]), ("B", 2, "douyin", [:]), ("C", 3, "app", [:])],
            2: [("A", 10, "zhihu", [:]), ("C", 11, "zhihu", [:]), ("B", 12, "zhihu", [:])],
            3: [("A", 20, "douyin", [:]), ("B", 20 + 61, "douyin", [:])],
            4: [("B", 5, "app", [:])],
        ])
    }

    @Test func orderedStrictAndUnorderedDiffer() {
        let query = FunnelQuery(steps: F.steps("A", "B", "C"), range: everything, window: F.hour)
        // Ordered: 1 reaches C; 2 does B after C, so stops at B; 3's B is 61 min after A (window 60): entered only.
        #expect(counts(run(query, basic)) == [3, 2, 1])
        var strict = query
        strict.order = .strict
        // Strict: 1 has "x" between A and B; 2's next event after A is C. Nobody goes past A.
        #expect(counts(run(strict, basic)) == [3, 0, 0])
        var unordered = query
        unordered.order = .unordered
        // Unordered: 1 and 2 do all three within an hour of starting; 3 has only A in the window;
        // 4 starts with B and does nothing else (1 step).
        #expect(counts(run(unordered, basic)) == [4, 2, 2])
    }

    @Test func conversionRatesDropsAndTimes() {
        let query = FunnelQuery(steps: F.steps("A", "B", "C"), range: everything, window: F.hour)
        let steps = run(query, basic).groups[0].steps
        #expect(steps[1].conversionFromStart == 2.0 / 3.0 && steps[1].dropped == 1)
        #expect(steps[2].conversionFromPrevious == 0.5 && steps[2].dropped == 1)
        // A→B took 2 min (person 1) and 2 min (person 2: A at 10, B at 12): median 120,000 ms.
        #expect(steps[1].medianTime == 120_000 && steps[1].meanTime == 120_000)
        // B→C: person 1 only, 1 min.
        #expect(steps[2].medianTime == 60_000)
        #expect(steps[0].medianTime == nil)
    }

    @Test func theMostSuccessfulAttemptCounts() {
        // A at 0 leads nowhere within 30 minutes; a second A at 100 is followed by B at 110.
        let dataset = F.dataset([1: [("A", 0, "app", [:]), ("A", 100, "app", [:]), ("B", 110, "app", [:])]])
        let query = FunnelQuery(steps: F.steps("A", "B"), range: everything, window: 30 * F.minute)
        let outcomes = FunnelEngine(dataset: dataset, query: query, calendar: .shanghai, now: F.t0).outcomes()
        #expect(outcomes.map(\.reached) == [1])
        // The attempt used starts at the second A (event index 1).
        #expect(outcomes.first?.events == [1, 2])
    }

    @Test func windowEdgesAreInclusive() {
        // B exactly 60 minutes after A is inside a 60-minute window; 60 minutes and 1 ms is not.
        var builder = DatasetBuilder()
        builder.addPeople([DatasetBuilder.Person(id: 1), DatasetBuilder.Person(id: 2)])
        builder.addEvent(person: 1, timestamp: F.t0, name: "A", type: .track, channel: "app", revenue: 0, isOrder: false, seq: 1)
        builder.addEvent(person: 1, timestamp: F.t0 + F.hour, name: "B", type: .track, channel: "app", revenue: 0, isOrder: false, seq: 2)
        builder.addEvent(person: 2, timestamp: F.t0, name: "A", type: .track, channel: "app", revenue: 0, isOrder: false, seq: 3)
        builder.addEvent(person: 2, timestamp: F.t0 + F.hour + 1, name: "B", type: .track, channel: "app", revenue: 0, isOrder: false, seq: 4)
        let query = FunnelQuery(steps: F.steps("A", "B"), range: everything, window: F.hour)
        #expect(counts(run(query, builder.build())) == [2, 1])
    }

    @Test func entryMustFallInTheRange() {
        // Person 1's A is before the range (it started on April 30th): not counted, even though B is inside.
        let dataset = F.dataset([1: [("A", -10, "app", [:]), ("B", 5, "app", [:])], 2: [("A", 1, "app", [:]), ("B", 5, "app", [:])]])
        let query = FunnelQuery(steps: F.steps("A", "B"), range: TimeRange(from: F.t0, to: F.t0 + F.day), window: F.hour)
        #expect(counts(run(query, dataset)) == [1, 1])
    }

    @Test func perStepWindows() {
        // A→B must happen within 5 minutes: person 1 (2 min) passes, person 2 (6 min) does not.
        let dataset = F.dataset([
            1: [("A", 0, "app", [:]), ("B", 2, "app", [:]), ("C", 50, "app", [:])],
            2: [("A", 0, "app", [:]), ("B", 6, "app", [:]), ("C", 7, "app", [:])],
        ])
        var steps = F.steps("A", "B", "C")
        steps[1].window = 5 * F.minute
        #expect(counts(run(FunnelQuery(steps: steps, range: everything, window: F.hour), dataset)) == [2, 1, 1])
    }

    @Test func optionalStepsNeverBlockThePath() {
        // Coupon is optional between A and B: person 1 uses it, person 2 does not; both buy.
        let dataset = F.dataset([
            1: [("A", 0, "app", [:]), ("Coupon", 1, "app", [:]), ("B", 2, "app", [:])],
            2: [("A", 0, "app", [:]), ("B", 3, "app", [:]), ("Coupon", 4, "app", [:])],
        ])
        var steps = F.steps("A", "Coupon", "B")
        steps[1].isOptional = true
        let result = run(FunnelQuery(steps: steps, range: everything, window: F.hour), dataset)
        // Person 2's coupon comes after B, so it does not count for the optional step.
        #expect(counts(result) == [2, 1, 2])
        // B's conversion is measured from A (the previous required step): 2 of 2.
        #expect(result.groups[0].steps[2].conversionFromPrevious == 1)
        #expect(result.groups[0].steps[1].dropped == 0)
    }

    @Test func exclusionsDropPeopleOut() {
        // Anyone who opens "Refund Policy" between A and C drops out at the last step before it.
        let dataset = F.dataset([
            1: [("A", 0, "app", [:]), ("B", 1, "app", [:]), ("Refund Policy", 2, "app", [:]), ("C", 3, "app", [:])],
            2: [("A", 0, "app", [:]), ("B", 1, "app", [:]), ("C", 3, "app", [:]), ("Refund Policy", 4, "app", [:])],
            3: [("A", 0, "app", [:]), ("Refund Policy", 1, "app", [:]), ("B", 2, "app", [:]), ("C", 3, "app", [:])],
        ])
        let query = FunnelQuery(
            steps: F.steps("A", "B", "C"),
            range: everything,
            window: F.hour,
            exclusions: [FunnelQuery.Exclusion(EventMatcher("Refund Policy"), fromStep: 0, toStep: 2)]
        )
        // 1 drops out at B (the policy came before C), 2 converts (policy after C), 3 drops out at A.
        #expect(counts(run(query, dataset)) == [3, 2, 1])
    }

    @Test func firstTimeSteps() {
        // Step 2 is "first-ever Order Completed": person 2 had ordered before the funnel started.
        let dataset = F.dataset([
            1: [("Viewed", 0, "app", [:]), ("Order Completed", 5, "app", ["revenue": 100])],
            2: [("Order Completed", -100, "app", ["revenue": 50]), ("Viewed", 0, "app", [:]), ("Order Completed", 5, "app", ["revenue": 80])],
        ])
        var steps = F.steps("Viewed", "Order Completed")
        steps[1].occurrence = .firstEver
        #expect(counts(run(FunnelQuery(steps: steps, range: everything, window: F.hour), dataset)) == [2, 1])
        // First order above ¥60: person 2's first such order is the one at minute 5.
        steps[1] = FunnelQuery.Step(EventMatcher("Order Completed", where: [PropertyCondition("revenue", .gt, 60)]), occurrence: .firstMatching)
        #expect(counts(run(FunnelQuery(steps: steps, range: everything, window: F.hour), dataset)) == [2, 2])
    }

    @Test func breakdownAttribution() {
        // Person 1 enters on douyin and converts on app; person 2 enters and converts on zhihu.
        let dataset = F.dataset([
            1: [("A", 0, "douyin", [:]), ("B", 1, "app", [:])],
            2: [("A", 0, "zhihu", [:]), ("B", 1, "zhihu", [:])],
            3: [("A", 0, "douyin", [:])],
        ])
        var query = FunnelQuery(steps: F.steps("A", "B"), range: everything, window: F.hour, breakdown: .channel)
        let first = run(query, dataset)
        #expect(first.groups.map(\.value) == ["all", "douyin", "zhihu"])
        #expect(first.groups.map { $0.steps.map(\.count) } == [[3, 2], [2, 1], [1, 1]])
        query.attribution = .lastTouch
        // Last touch: 1 counts under app (where it converted), 3 under douyin (last step reached: A).
        #expect(
            run(query, dataset).groups.map { "\($0.value):\($0.steps.map(\.count))" } == [
                "all:[3, 2]", "app:[1, 1]", "douyin:[1, 0]", "zhihu:[1, 1]",
            ]
        )
    }

    @Test func propertyFiltersOnSteps() {
        let dataset = F.dataset([
            1: [("Viewed", 0, "app", ["category": "tea"]), ("Bought", 1, "app", [:])],
            2: [("Viewed", 0, "app", ["category": "Coffee"]), ("Bought", 1, "app", [:])],
        ])
        let steps = [
            FunnelQuery.Step(EventMatcher("Viewed", where: [PropertyCondition("category", .eq, "tea")])), FunnelQuery.Step(EventMatcher("Bought")),
        ]
        #expect(counts(run(FunnelQuery(steps: steps, range: everything, window: F.hour), dataset)) == [1, 1])
        let contains = [FunnelQuery.Step(EventMatcher("Viewed", where: [PropertyCondition("category", .contains, "coff")])), steps[1]]
        #expect(counts(run(FunnelQuery(steps: contains, range: everything, window: F.hour), dataset)) == [1, 1])
    }

    @Test func trendByLocalDay() {
        // Entries at 2024-05-01T15:00Z (May 1st 23:00 in Shanghai) and 16:00Z (May 2nd 00:00).
        let dataset = F.dataset([
            1: [("A", 15 * 60, "app", [:]), ("B", 15 * 60 + 1, "app", [:])],
            2: [("A", 16 * 60, "app", [:])],
        ])
        let query = FunnelQuery(
            steps: F.steps("A", "B"),
            range: TimeRange(from: F.t0 - 8 * F.hour, to: F.t0 + 40 * F.hour),
            window: F.hour,
            trend: .day
        )
        let trend = run(query, dataset).trend
        #expect(trend.map(\.label) == ["2024-05-01", "2024-05-02"])
        #expect(trend.map(\.entered) == [1, 1] && trend.map(\.converted) == [1, 0])
    }

    @Test func invalidQueriesAreExplained() {
        #expect(!FunnelQuery(steps: F.steps("A"), range: everything, window: F.hour).problems().isEmpty)
        #expect(!FunnelQuery(steps: F.steps("A", "B"), range: everything, window: 1000).problems().isEmpty)
        #expect(!FunnelQuery(steps: F.steps("A", "B"), range: everything, window: 91 * F.day).problems().isEmpty)
        var optionalLast = FunnelQuery(steps: F.steps("A", "B"), range: everything, window: F.hour)
        optionalLast.steps[1].isOptional = true
        #expect(!optionalLast.problems().isEmpty)
        #expect(FunnelQuery(steps: F.steps("A", "B"), range: everything, window: F.hour).problems().isEmpty)
    }
}
