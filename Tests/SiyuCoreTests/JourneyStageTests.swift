import Testing

@testable import SiyuCore

@Suite struct JourneyStageTests {
    typealias F = AnalyticsFixture

    /// Evaluation instant: 200 days after t0.
    let now = AnalyticsFixture.t0 + 200 * AnalyticsFixture.day

    /// One call: type, name (event or page name; `nil` for identify and group), day after t0,
    /// revenue (an order when not `nil`).
    typealias Call = (MessageType, String?, Int64, Int64?)

    func dataset(_ people: [Int64: [Call]], channels: [Int64: String] = [:]) -> Dataset {
        var builder = DatasetBuilder()
        builder.addPeople(people.keys.map { DatasetBuilder.Person(id: $0, firstChannel: channels[$0] ?? "app") })
        var seq: Int64 = 0
        for id in people.keys.sorted() {
            for (type, name, day, revenue) in people[id] ?? [] {
                seq += 1
                builder.addEvent(
                    person: id,
                    timestamp: F.t0 + day * F.day,
                    name: name,
                    type: type,
                    channel: channels[id] ?? "app",
                    revenue: revenue ?? 0,
                    isOrder: revenue != nil,
                    seq: seq
                )
            }
        }
        return builder.build()
    }

    func order(_ day: Int64) -> Call { (.track, "Order Completed", day, 100) }

    /// 1: identify only → reach.
    /// 2: a page view → awareness.
    /// 3: two product views → interest.
    /// 4: a group call → interest.
    /// 5: a `Group Joined` event → interest.
    /// 6: one order and nothing else (an import) → purchase.
    /// 7: three orders in the last 180 days → loyalty.
    /// 8: three orders, one 199 days ago → purchase.
    /// 9: no events → no stage.
    /// 10: one product view and an identify → awareness.
    var people: Dataset {
        dataset(
            [
                1: [(.identify, nil, 1, nil)],
                2: [(.page, "Home", 1, nil)],
                3: [(.track, "Product Viewed", 1, nil), (.track, "Product Viewed", 2, nil)],
                4: [(.group, nil, 1, nil)],
                5: [(.track, "Group Joined", 3, nil)],
                6: [order(10)],
                7: [order(100), order(150), order(190)],
                8: [order(1), order(100), order(190)],
                9: [],
                10: [(.identify, nil, 1, nil), (.track, "Product Viewed", 2, nil)],
            ],
            channels: [1: "wechat", 2: "wechat", 3: "wechat", 4: "wechat", 5: "wechat"]
        )
    }

    @Test func deepestStageAndCumulativeCounts() {
        let result = JourneyEngine(dataset: people, query: JourneyQuery(), now: now).run()
        let all = result.groups[0]
        #expect(all.value == "all" && all.people == 10 && all.unreached == 1)
        #expect(all.stages.map(\.code) == ["reach", "awareness", "interest", "purchase", "loyalty"])
        // Deepest: reach 1 (p1), awareness 2 (p2, p10), interest 3 (p3, p4, p5), purchase 2 (p6, p8), loyalty 1 (p7).
        #expect(all.stages.map(\.people) == [1, 2, 3, 2, 1])
        // At that stage or deeper: 9, 8, 6, 3, 1.
        #expect(all.stages.map(\.cumulative) == [9, 8, 6, 3, 1])
        #expect(all.stages.map(\.conversionFromPrevious) == [1, 8.0 / 9.0, 6.0 / 8.0, 3.0 / 6.0, 1.0 / 3.0])
        #expect(all.stages[4].conversionFromFirst == 1.0 / 9.0)
        #expect(result.assignments[1] == "reach" && result.assignments[6] == "purchase" && result.assignments[8] == "purchase")
        #expect(result.assignments[7] == "loyalty" && result.assignments[9] == nil)
    }

    @Test func breakdownByFirstChannel() {
        let query = JourneyQuery(breakdown: .firstTouchChannel)
        let result = JourneyEngine(dataset: people, query: query, now: now).run()
        // app: p6–p10 (5 people, p9 unreached); wechat: p1–p5.
        #expect(result.groups.map(\.value) == ["all", "app", "wechat"])
        #expect(result.groups[1].stages.map(\.cumulative) == [4, 4, 3, 3, 1])
        #expect(result.groups[2].stages.map(\.people) == [1, 1, 3, 0, 0])
        #expect(result.groups[2].stages[3].conversionFromPrevious == 0)
    }

    @Test func editedStagesAndFilter() {
        // Two stages: visitor (any event) and repeat buyer (2+ orders ever), among people seen on the app.
        let query = JourneyQuery(
            stages: [
                .init("visitor", english: "Visitor", chinese: "访客", rule: .eventCount(EventMatcher(nil), .gte, 1, within: .ever)),
                .init("repeat", english: "Repeat buyer", chinese: "复购", rule: .orderCount(.gte, 2, within: .ever)),
            ],
            people: .firstChannel(.eq, ["app"])
        )
        let result = JourneyEngine(dataset: people, query: query, now: now).run()
        // p6 (1 order) and p10 are visitors; p7, p8 repeat; p9 nothing.
        #expect(result.groups[0].people == 5)
        #expect(result.groups[0].stages.map(\.people) == [2, 2])
        #expect(result.assignments == [6: "visitor", 10: "visitor", 7: "repeat", 8: "repeat"])
        #expect(query.problems().isEmpty)
        #expect(!JourneyQuery(stages: []).problems().isEmpty)
    }

    @Test func eventTypeColumn() {
        let dataset = people.withEventTypeColumn()
        guard let column = dataset.properties[Dataset.eventTypeKey] else {
            Issue.record("no type column")
            return
        }
        let types = (0..<dataset.eventCount).map { column.value($0) }
        // Person 1's only event is an identify, person 2's a page.
        #expect(types[dataset.eventStart(0)] == .string("identify"))
        #expect(types[dataset.eventStart(1)] == .string("page"))
        #expect(JourneyQuery().propertyKeys.isEmpty)
    }
}
