import Testing

@testable import SiyuCore
@testable import SiyuDemo

/// The kernels split people into chunks evaluated on every core; the answer must not depend on it.
@Suite struct PersonChunksTests {
    @Test func chunksCoverEveryPersonOnceInOrder() {
        // 10,000 people, at least 2,048 per chunk: 10,000 / 2,048 = 4 chunks of ⌈10,000 / 4⌉ = 2,500.
        #expect(PersonChunks.ranges(10_000) == [0..<2_500, 2_500..<5_000, 5_000..<7_500, 7_500..<10_000])
        // Fewer than two chunks' worth of people stay in one chunk; none gives none.
        #expect(PersonChunks.ranges(4_000) == [0..<4_000])
        #expect(PersonChunks.ranges(0).isEmpty)
        // The cap: 1,000,000 people in at most 32 chunks of ⌈1,000,000 / 32⌉ = 31,250.
        let many = PersonChunks.ranges(1_000_000)
        #expect(many.count == 32 && many.first == 0..<31_250 && many.last == 968_750..<1_000_000)
        #expect(PersonChunks.$maximumChunks.withValue(1) { PersonChunks.ranges(1_000_000) } == [0..<1_000_000])
    }

    @Test func parallelAnswersEqualOneThreadAnswers() {
        // 12,000 shoppers (5 chunks) with 120,000 events over 60 days.
        let shop = SyntheticShop(people: 12_000, events: 120_000, days: 60, end: AnalyticsFixture.t0 + 60 * AnalyticsFixture.day, seed: 7)
        let dataset = Self.dataset(shop)
        let range = TimeRange(from: shop.start, to: shop.end)
        let now = shop.end
        func answers() -> (FunnelResult, RetentionResult, RFMResult, [Int]) {
            let funnel = FunnelQuery(
                steps: SyntheticShop.eventNames.map { FunnelQuery.Step(EventMatcher($0)) },
                range: range,
                window: 7 * AnalyticsFixture.day,
                breakdown: .firstTouchChannel,
                trend: .week
            )
            let retention = RetentionQuery(
                start: EventMatcher(nil),
                returning: EventMatcher("Order Completed"),
                range: range,
                periods: 8,
                breakdown: .firstTouchChannel
            )
            let segment = PersonRule.all([.orderCount(.gte, 2, within: .lastDays(30)), .firstChannel(.in, ["douyin", "app"])])
            return (
                FunnelEngine(dataset: dataset, query: funnel, calendar: .shanghai, now: now).run(),
                RetentionEngine(dataset: dataset, query: retention, calendar: .shanghai, now: now).run(),
                RFMEngine(dataset: dataset, query: RFMQuery(range: range)).run(),
                PersonRuleEvaluator(segment, dataset: dataset, now: now).members()
            )
        }
        #expect(PersonChunks.ranges(dataset.personCount).count == 5)
        let parallel = answers()
        let serial = PersonChunks.$maximumChunks.withValue(1) { answers() }
        #expect(parallel.0 == serial.0)
        #expect(parallel.1 == serial.1)
        #expect(parallel.2 == serial.2)
        #expect(parallel.3 == serial.3)
        // The data is not degenerate: people convert, return and buy.
        #expect(serial.0.groups[0].steps[3].count > 0 && serial.1.tables[0].cohorts[0].counts[1] ?? 0 > 0 && serial.2.rows.count > 1_000)
    }

    /// The shop as a dataset, built directly (no store).
    static func dataset(_ shop: SyntheticShop) -> Dataset {
        var builder = DatasetBuilder()
        var people: [DatasetBuilder.Person] = []
        var events: [[SyntheticShop.Event]] = []
        for p in 0..<shop.people {
            let own = shop.events(of: p)
            events.append(own)
            people.append(
                DatasetBuilder.Person(
                    id: Int64(p + 1),
                    firstSeen: own.first?.timestamp,
                    lastSeen: own.last?.timestamp,
                    firstChannel: own.first.map { SyntheticShop.channels[$0.channel] }
                )
            )
        }
        builder.addPeople(people)
        var seq: Int64 = 0
        for (p, own) in events.enumerated() {
            for event in own {
                seq += 1
                builder.addEvent(
                    person: Int64(p + 1),
                    timestamp: event.timestamp,
                    name: SyntheticShop.eventNames[event.name],
                    type: .track,
                    channel: SyntheticShop.channels[event.channel],
                    revenue: event.revenueMinor,
                    isOrder: event.name == 3,
                    seq: seq
                )
            }
        }
        return builder.build()
    }
}
