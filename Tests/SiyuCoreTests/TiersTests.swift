import Testing

@testable import SiyuCore

@Suite struct TiersTests {
    typealias F = AnalyticsFixture

    let may = TimeRange(from: AnalyticsFixture.t0, to: AnalyticsFixture.t0 + 30 * AnalyticsFixture.day)
    /// Instant of the colour and ladder evaluations: May 31st 00:00Z (day 30).
    let now = AnalyticsFixture.t0 + 30 * AnalyticsFixture.day

    /// Minutes after t0 of day `d`.
    func day(_ d: Int64) -> Int64 { d * 1440 }

    func order(_ d: Int64, _ revenue: Int64) -> F.Event { ("Order Completed", day(d), "app", ["revenue": .int(revenue)]) }

    func event(_ name: String, _ d: Int64) -> F.Event { (name, day(d), "app", [:]) }

    /// People whose ids are their May revenue (single orders), plus people with no orders.
    func buyers(_ revenues: [Int64], browsers: [Int64] = []) -> Dataset {
        var people: [Int64: [F.Event]] = [:]
        for revenue in revenues { people[revenue] = [order(1, revenue)] }
        for id in browsers { people[id] = [event("Product Viewed", 1)] }
        return F.dataset(people)
    }

    func tier(_ assignment: TierAssignment, _ code: String) -> TierAssignment.Tier? { assignment.tiers.first { $0.code == code } }

    @Test func standardPyramid() {
        // Ten buyers spending 1…10 and two browsers (ids 11, 12): 12 people. Boundaries:
        // round(0.1·12) = 1, round(0.7·12) = 8. Rank 0 (10) is top, ranks 1–7 (9…3) middle,
        // 2 and 1 bottom, and so are the browsers (no revenue).
        let result = ValuePyramid.standard(range: may).assign(buyers(Array(1...10), browsers: [11, 12]))
        #expect(result.scheme == "pyramid")
        #expect(result.tiers.map(\.code) == ["top", "middle", "bottom"])
        #expect(result.tiers.map(\.people) == [1, 7, 4])
        // Revenue: 10, 9 + … + 3 = 42, 2 + 1 = 3, of 55.
        #expect(result.tiers.map(\.revenue) == [10, 42, 3])
        #expect(result.tiers.map(\.revenueShare) == [10.0 / 55.0, 42.0 / 55.0, 3.0 / 55.0])
        #expect(result.assignments[10] == "top" && result.assignments[3] == "middle" && result.assignments[2] == "bottom")
        #expect(result.assignments[11] == "bottom")
    }

    @Test func fiveThreeTwo() {
        // 20 buyers spending 1…20 (total 210): round(0.05·20) = 1, round(0.35·20) = 7.
        // High value: 20. Potential: 19…14 (99). Ordinary: 13…1 (91).
        let result = ValuePyramid.fiveThreeTwo(range: may).assign(buyers(Array(1...20)))
        #expect(result.tiers.map(\.code) == ["highValue", "potential", "ordinary"])
        #expect(result.tiers.map(\.people) == [1, 6, 13])
        #expect(result.tiers.map(\.revenue) == [20, 99, 91])
        #expect(tier(result, "highValue")?.revenueShare == 20.0 / 210.0)
    }

    @Test func tiesShareTheHigherTier() {
        // Ids 1, 2 spend 5 each, id 3 spends 3, id 4 spends 1; a 25/75 pyramid puts rank 0 on top.
        // Both 5s have rank 0 (nobody spent more), so both are top though the tier holds 1 of 4.
        var dataset = F.dataset([1: [order(1, 5)], 2: [order(2, 5)], 3: [order(1, 3)], 4: [order(1, 1)]])
        let pyramid = ValuePyramid(tiers: [.init("top", 0.25), .init("rest", 0.75)], range: may)
        var result = pyramid.assign(dataset)
        #expect(result.assignments == [1: "top", 2: "top", 3: "rest", 4: "rest"])
        // Without the tie (id 2 spends 4), only id 1 is top.
        dataset = F.dataset([1: [order(1, 5)], 2: [order(2, 4)], 3: [order(1, 3)], 4: [order(1, 1)]])
        result = pyramid.assign(dataset)
        #expect(result.assignments == [1: "top", 2: "rest", 3: "rest", 4: "rest"])
    }

    @Test func noRevenueIsAlwaysBottom() {
        // Three people, one buyer: 50/50 cuts at round(1.5) = 2, so rank 1 would be top,
        // but the two without revenue go to the bottom tier.
        let result = ValuePyramid(tiers: [.init("top", 0.5), .init("bottom", 0.5)], range: may).assign(buyers([7], browsers: [1, 2]))
        #expect(result.assignments == [7: "top", 1: "bottom", 2: "bottom"])
        #expect(tier(result, "top")?.revenueShare == 1)
    }

    @Test func pyramidProblems() {
        #expect(ValuePyramid.standard(range: may).problems().isEmpty)
        #expect(!ValuePyramid(tiers: [.init("a", 0.5), .init("b", 0.4)], range: may).problems().isEmpty)
        #expect(!ValuePyramid(tiers: [.init("a", 0.5), .init("a", 0.5)], range: may).problems().isEmpty)
    }

    /// As of day 30:
    /// 1: viewed a product on days 27 and 28, no order → red.
    /// 2: the same, but ordered on day 29 → yellow (active).
    /// 3: added to cart on day 29 → red.
    /// 4: one view on day 25 → yellow.
    /// 5: three views on day −5 (35 days ago) → green.
    /// 6: two views on days 20 and 21 (older than 7 days) → yellow.
    var intentData: Dataset {
        F.dataset([
            1: [event("Product Viewed", 27), event("Product Viewed", 28)],
            2: [event("Product Viewed", 27), event("Product Viewed", 28), order(29, 800)],
            3: [event("Product Added", 29)],
            4: [event("Product Viewed", 25)],
            5: [event("Product Viewed", -5), event("Product Viewed", -5), event("Product Viewed", -5)],
            6: [event("Product Viewed", 20), event("Product Viewed", 21)],
        ])
    }

    @Test func defaultIntentColours() {
        let result = IntentColours.standard.assign(intentData, now: now)
        #expect(result.assignments == [1: "red", 2: "yellow", 3: "red", 4: "yellow", 5: "green", 6: "yellow"])
        #expect(result.tiers.map(\.code) == ["red", "yellow", "green"])
        #expect(result.tiers.map(\.people) == [2, 3, 1])
        // Person 2's order is all the revenue, in yellow.
        #expect(tier(result, "yellow")?.revenueShare == 1)
    }

    @Test func firstMatchingColourWinsAndFallback() {
        // A rule list where yellow comes first: everyone active in 30 days is yellow, even person 1.
        let colours = IntentColours(
            rules: [
                .init("yellow", .eventCount(EventMatcher(nil), .gte, 1, within: .lastDays(30))),
                .init("red", .eventCount(EventMatcher("Product Viewed"), .gte, 2, within: .lastDays(7))),
            ],
            fallback: "green"
        )
        let result = colours.assign(intentData, now: now)
        #expect(result.assignments == [1: "yellow", 2: "yellow", 3: "yellow", 4: "yellow", 5: "green", 6: "yellow"])
        #expect(result.tiers.map(\.code) == ["yellow", "red", "green"])
        // Without a fallback, person 5 gets no colour.
        let unassigned = IntentColours(rules: colours.rules).assign(intentData, now: now)
        #expect(unassigned.assignments[5] == nil && unassigned.assignments.count == 5)
    }

    /// Rungs: newbie; regular 1+ order; core 2+ orders, 1,000+ and 5+ interactions; loyal 3+ orders,
    /// 5,000+ and 5+ interactions. Every event is an interaction (orders included).
    let ladder = ValueLadder(rungs: [
        .init("newbie"),
        .init("regular", minimumOrders: 1),
        .init("core", minimumRevenue: 1000, minimumOrders: 2, minimumInteractions: 5),
        .init("loyal", minimumRevenue: 5000, minimumOrders: 3, minimumInteractions: 5),
    ])

    /// 1: 3 orders, 6,000, 3 events in all → too few interactions for core: regular.
    /// 2: 2 orders, 1,500, and 3 views (5 events) → core.
    /// 3: 10 views, no order → newbie.
    /// 4: 3 orders, 6,000, and 2 views (5 events) → loyal.
    var ladderData: Dataset {
        F.dataset([
            1: [order(1, 2000), order(2, 2000), order(3, 2000)],
            2: [order(1, 500), order(2, 1000)] + (1...3).map { event("Product Viewed", $0) },
            3: (1...10).map { event("Product Viewed", $0) },
            4: [order(1, 2000), order(2, 2000), order(3, 2000), event("Product Viewed", 4), event("Product Viewed", 5)],
        ])
    }

    @Test func valueLadderHighestRungMet() {
        let result = ladder.assign(ladderData, now: now)
        #expect(result.assignments == [1: "regular", 2: "core", 3: "newbie", 4: "loyal"])
        #expect(result.tiers.map(\.people) == [1, 1, 1, 1])
        // Revenue 6000 + 1500 + 0 + 6000 = 13,500; loyal holds 6000.
        #expect(tier(result, "loyal")?.revenueShare == 6000.0 / 13500.0)
    }

    @Test func valueLadderWindowAndInteractions() {
        // Only the last 28 days (from day 2): person 4 keeps 2 orders (4000) → core needs 5 interactions:
        // orders on days 2, 3 and views on 4, 5 are 4 events → regular.
        // Interactions counted as product views only: person 2 has 3 → regular.
        var narrow = ladder
        narrow.window = .lastDays(28)
        #expect(narrow.assign(ladderData, now: now).assignments[4] == "regular")
        var views = ladder
        views.interactions = EventMatcher("Product Viewed")
        #expect(views.assign(ladderData, now: now).assignments[2] == "regular")
        // A ladder whose lowest rung has a threshold leaves people who meet none without a rung.
        let buyersOnly = ValueLadder(rungs: [.init("regular", minimumOrders: 1)]).assign(ladderData, now: now)
        #expect(buyersOnly.assignments[3] == nil && buyersOnly.assignments.count == 3)
        // The defaults: person 3 never ordered (newbie); person 1 has 3 orders, ¥60 in all (regular).
        let standard = ValueLadder.standard.assign(ladderData, now: now)
        #expect(standard.assignments[3] == "newbie" && standard.assignments[1] == "regular")
    }

    @Test func movementsBetweenEvaluations() {
        let previous: [Int64: String] = [1: "top", 2: "middle", 3: "bottom", 4: "top"]
        let current: [Int64: String] = [1: "top", 2: "top", 3: "middle", 5: "bottom"]
        let movements = TierMovements.compare(previous: previous, current: current)
        #expect(movements.unchanged == 1)
        #expect(
            movements.matrix == [
                "top": ["top": 1, "(none)": 1],
                "middle": ["top": 1],
                "bottom": ["middle": 1],
                "(none)": ["bottom": 1],
            ]
        )
        #expect(movements.changes.map(\.personId) == [2, 3, 4, 5])
        #expect(movements.changes[2].from == "top" && movements.changes[2].to == nil)
        #expect(movements.changes[3].from == nil && movements.changes[3].to == "bottom")
        #expect(TierMovements.compare(previous: current, current: current).changes.isEmpty)
    }

    @Test func pyramidAgreesWithCountingRichers() {
        // Independent: a buyer's tier is the first whose boundary exceeds the number of people
        // with strictly more revenue; people without revenue are bottom.
        var generator = KernelCheckRandom(seed: 5)
        var people: [Int64: [F.Event]] = [:]
        var revenue: [Int64: Int64] = [:]
        for id in Int64(1)...60 {
            let amount = Int64(generator.next() % 8) * 100
            revenue[id] = amount
            people[id] = amount > 0 ? [order(1, amount)] : [event("Product Viewed", 1)]
        }
        let result = ValuePyramid.standard(range: may).assign(F.dataset(people))
        // 60 people: boundaries 6 and 42.
        for (id, amount) in revenue {
            let richer = revenue.values.count(where: { $0 > amount })
            let expected = amount <= 0 ? "bottom" : (richer < 6 ? "top" : (richer < 42 ? "middle" : "bottom"))
            #expect(result.assignments[id] == expected)
        }
        #expect(result.tiers.map(\.people).reduce(0, +) == 60)
    }
}
