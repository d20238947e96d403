import Testing

@testable import SiyuCore

/// A small deterministic generator (SplitMix64) for the cross-checks of the person-level kernels.
struct KernelCheckRandom {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ConcentrationTests {
    typealias F = AnalyticsFixture

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test func topSharesOfTenBuyers() {
        // Revenues 1…10, total 55. Top 10 % = 1 person (10): 10/55. Top 20 % = 2 people (10 + 9): 19/55.
        // Top 1 % and 5 % of 10 people round up to 1 person: 10/55 too.
        let result = RevenueConcentration.summarize(Array(1...10))
        #expect(result.people == 10 && result.buyers == 10 && result.revenue == 55)
        #expect(result.top.map(\.people) == [1, 1, 1, 2])
        #expect(result.top.map(\.revenue) == [10, 10, 10, 19])
        #expect(result.top[2].share == 10.0 / 55.0)
        #expect(result.top[3].share == 19.0 / 55.0)
    }

    @Test func giniFromTheSortedValues() {
        // G = Σ(2i − n − 1)xᵢ / (n Σx): [1, 2, 3, 4] → (−3·1 − 1·2 + 1·3 + 3·4) / (4 · 10) = 10/40.
        #expect(RevenueConcentration.summarize([4, 1, 3, 2]).gini == 0.25)
        // 1…10: Σ(2i − 11)i = 2·385 − 11·55 = 165; 165 / (10 · 55) = 0.3.
        #expect(close(RevenueConcentration.summarize(Array(1...10)).gini, 0.3))
        // Equal values: no inequality. One person holds everything among 4: (3·8) / (4·8) = 0.75.
        #expect(RevenueConcentration.summarize([5, 5, 5]).gini == 0)
        #expect(RevenueConcentration.summarize([0, 0, 0, 8]).gini == 0.75)
        #expect(RevenueConcentration.summarize([]).gini == 0)
    }

    @Test func lorenzCurvePerPersonWhenSmall() {
        // [1, 2, 3, 4], total 10: cumulative 0, 1, 3, 6, 10 at population 0, ¼, ½, ¾, 1.
        let lorenz = RevenueConcentration.summarize([1, 2, 3, 4]).lorenz
        #expect(lorenz.map(\.population) == [0, 0.25, 0.5, 0.75, 1])
        #expect(lorenz.map(\.revenue) == [0, 0.1, 0.3, 0.6, 1])
    }

    @Test func lorenzCurveEvenlySpacedWhenLarge() {
        // Four points over [1, 2, 3, 4]: population ⅓ is 1⅓ people: 1 + ⅓·2 = 5/3 of 10;
        // ⅔ is 2⅔ people: 3 + ⅔·3 = 5 of 10.
        let lorenz = RevenueConcentration.summarize([1, 2, 3, 4], lorenzPoints: 4).lorenz
        #expect(lorenz.count == 4)
        #expect(close(lorenz[1].revenue, 1.0 / 6.0))
        #expect(close(lorenz[2].revenue, 0.5))
        #expect(lorenz[0].revenue == 0 && lorenz[3].revenue == 1)
    }

    /// Buyers 1, 2, 3 spend 100, 300, 600 in May (person 1 also 5000 in April, outside the range);
    /// people 4 and 5 only browse.
    var dataset: Dataset {
        F.dataset([
            1: [("Order Completed", -10 * 1440, "app", ["revenue": 5000]), ("Order Completed", 60, "app", ["revenue": 100])],
            2: [("Order Completed", 120, "app", ["revenue": 300])],
            3: [("Order Completed", 180, "app", ["revenue": 200]), ("Order Completed", 240, "app", ["revenue": 400])],
            4: [("Product Viewed", 60, "app", [:])],
            5: [("Product Viewed", 60, "app", [:])],
        ])
    }

    @Test func buyersOnlyOrEveryone() {
        let range = TimeRange(from: F.t0, to: F.t0 + 31 * F.day)
        let buyers = ConcentrationEngine(dataset: dataset, query: ConcentrationQuery(range: range, topFractions: [0.2, 0.5])).run()
        // [100, 300, 600]: top 20 % = ⌈0.6⌉ = 1 person (600 of 1000); top 50 % = ⌈1.5⌉ = 2 (900).
        #expect(buyers.people == 3 && buyers.revenue == 1000)
        #expect(buyers.top.map(\.share) == [0.6, 0.9])
        // (−2·100 + 0·300 + 2·600) / (3 · 1000) = 1/3.
        #expect(buyers.gini == 1.0 / 3.0)
        let everyone = ConcentrationEngine(
            dataset: dataset,
            query: ConcentrationQuery(range: range, population: .everyone, topFractions: [0.2, 0.5])
        )
        .run()
        // [0, 0, 100, 300, 600]: top 20 % = 1 person (0.6); top 50 % = ⌈2.5⌉ = 3 people (all of it).
        #expect(everyone.people == 5 && everyone.buyers == 3)
        #expect(everyone.top.map(\.share) == [0.6, 1.0])
        // (0·100 + 2·300 + 4·600) / (5 · 1000) = 0.6.
        #expect(everyone.gini == 0.6)
    }

    @Test func peopleFilterNarrowsTheCustomers() {
        let range = TimeRange(from: F.t0, to: F.t0 + 31 * F.day)
        // Only people with an order of their own before May: person 1 alone.
        let query = ConcentrationQuery(range: range, people: .orderCount(.gte, 1, within: .range(TimeRange(from: .min, to: F.t0))))
        let result = ConcentrationEngine(dataset: dataset, query: query).run()
        #expect(result.people == 1 && result.revenue == 100 && result.gini == 0)
        #expect(query.problems().isEmpty)
        #expect(!ConcentrationQuery(range: range, topFractions: [0]).problems().isEmpty)
    }

    @Test func giniAgreesWithTheMeanAbsoluteDifference() {
        // Independent definition: G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² μ), on pseudo-random revenues.
        var generator = KernelCheckRandom(seed: 7)
        for size in [2, 3, 17, 150] {
            let values = (0..<size).map { _ in Int64(generator.next() % 100_000) }
            let mean = Double(values.reduce(0, +)) / Double(size)
            var differences = 0.0
            for x in values { for y in values { differences += Double(abs(x - y)) } }
            let expected = differences / (2 * Double(size * size) * mean)
            #expect(abs(RevenueConcentration.summarize(values).gini - expected) < 1e-9)
        }
    }

    @Test func topSharesAgreeWithSortingByHand() {
        var generator = KernelCheckRandom(seed: 11)
        let values = (0..<250).map { _ in Int64(generator.next() % 10_000) + 1 }
        let descending = values.sorted(by: >)
        let total = values.reduce(0, +)
        let result = RevenueConcentration.summarize(values)
        // 1 % of 250 = 2.5 → 3 people; 5 % = 12.5 → 13; 10 % = 25; 20 % = 50.
        #expect(result.top.map(\.people) == [3, 13, 25, 50])
        #expect(result.top.map(\.revenue) == [3, 13, 25, 50].map { descending.prefix($0).reduce(0, +) })
        #expect(result.top.allSatisfy { $0.share == Double($0.revenue) / Double(total) })
        // 250 people, 101 points: the curve at 0.2 holds the poorest 50 people exactly.
        #expect(result.lorenz.count == 101)
        #expect(abs(result.lorenz[20].revenue - Double(values.sorted().prefix(50).reduce(0, +)) / Double(total)) < 1e-12)
    }

    @Test func nobodyAtAll() {
        let result = RevenueConcentration.summarize([])
        #expect(result.people == 0 && result.revenue == 0 && result.lorenz.isEmpty)
        #expect(result.top.map(\.people) == [0, 0, 0, 0] && result.top.map(\.share) == [0, 0, 0, 0])
    }
}
