import Testing

@testable import SiyuCore

@Suite struct RFMTests {
    typealias F = AnalyticsFixture

    /// Minutes after t0 of day `d`.
    func day(_ d: Int64) -> Int64 { d * 1440 }

    func order(_ d: Int64, _ revenue: Int64, channel: String = "app") -> F.Event {
        ("Order Completed", day(d), channel, ["revenue": .int(revenue)])
    }

    /// Five buyers over May 1–30 (as of May 31 00:00Z = t0 + 30 days) and one browser:
    ///
    /// | person | orders (day: revenue)   | R days | F | M    |
    /// |--------|-------------------------|--------|---|------|
    /// | 1      | 25: 500, 29: 500        | 1      | 2 | 1000 |
    /// | 2      | 20: 3000                | 10     | 1 | 3000 |
    /// | 3      | 26, 27, 28: 100 each    | 2      | 3 | 300  |
    /// | 4      | 5: 200                  | 25     | 1 | 200  |
    /// | 5      | 0: 100 (and −3: 9999)   | 30     | 1 | 100  |
    /// | 6      | none (viewed a product) |        |   |      |
    ///
    /// People 1 and 2 came first through douyin, the others through the app.
    var dataset: Dataset {
        F.dataset([
            1: [order(25, 500, channel: "douyin"), order(29, 500)],
            2: [order(20, 3000, channel: "douyin")],
            3: [order(26, 100), order(27, 100), order(28, 100)],
            4: [order(5, 200)],
            5: [order(-3, 9999), order(0, 100)],
            6: [("Product Viewed", day(3), "app", [:])],
        ])
    }

    let may = TimeRange(from: AnalyticsFixture.t0, to: AnalyticsFixture.t0 + 30 * AnalyticsFixture.day)

    func run(_ query: RFMQuery) -> RFMResult { RFMEngine(dataset: dataset, query: query).run() }

    @Test func quintileScoresByRank() {
        // Ten distinct values: two per score.
        #expect(RFM.quintileScores(Array(1...10)) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        // Order of input does not matter.
        #expect(RFM.quintileScores([10, 1, 5]) == [4, 1, 2])
        // Ties share a score: three 5s have one value below them: 1 + ⌊5·1/4⌋ = 2.
        #expect(RFM.quintileScores([5, 5, 5, 1]) == [2, 2, 2, 1])
        // Eight one-time buyers score 1; 2 orders has 8 of 10 below: 1 + ⌊40/10⌋ = 5; 3 orders: 1 + ⌊45/10⌋ = 5.
        #expect(RFM.quintileScores([1, 1, 1, 1, 1, 1, 1, 1, 2, 3]) == [1, 1, 1, 1, 1, 1, 1, 1, 5, 5])
        #expect(RFM.quintileScores([]) == [])
    }

    @Test func recencyFrequencyMonetaryPerBuyer() {
        let result = run(RFMQuery(range: may))
        #expect(result.rows.map(\.personId) == [1, 2, 3, 4, 5])
        #expect(result.rows.map(\.recencyDays) == [1, 10, 2, 25, 30])
        #expect(result.rows.map(\.frequency) == [2, 1, 3, 1, 1])
        // Person 5's April order (day −3) is outside the window.
        #expect(result.rows.map(\.monetary) == [1000, 3000, 300, 200, 100])
        // R: most recent first 1 (p1), 2 (p3), 10 (p2), 25 (p4), 30 (p5) → 5, 4, 3, 2, 1 (1 + number worse).
        #expect(result.rows.map(\.r) == [5, 3, 4, 2, 1])
        // F: three buyers with 1 order (score 1); 2 orders has 3 below (4); 3 orders has 4 below (5).
        #expect(result.rows.map(\.f) == [4, 1, 5, 1, 1])
        // M: 100 < 200 < 300 < 1000 < 3000.
        #expect(result.rows.map(\.m) == [4, 5, 3, 2, 1])
    }

    @Test func elevenSegments() {
        let result = run(RFMQuery(range: may))
        // FM = ⌈(F + M)/2⌉: p1 (4+4) 4, p2 (1+5) 3, p3 (5+3) 4, p4 (1+2) 2, p5 (1+1) 1.
        // Grid: R5·FM4 Champions, R3·FM3 Need Attention, R4·FM4 Loyal, R2·FM2 Hibernating, R1·FM1 Lost.
        #expect(result.rows.map(\.segment) == [.champions, .needAttention, .loyalCustomers, .hibernating, .lost])
        let all = result.groups[0]
        #expect(all.segments.count == 11)
        #expect(all.segments.first { $0.code == "champions" }?.revenueShare == 1000.0 / 4600.0)
        #expect(all.segments.first { $0.code == "promising" }?.people == 0)
        #expect(all.segments.first { $0.code == "lost" }?.peopleShare == 0.2)
    }

    @Test func segmentGrid() {
        #expect(RFMSegment.frequencyMonetary(4, 5) == 5 && RFMSegment.frequencyMonetary(1, 2) == 2 && RFMSegment.frequencyMonetary(3, 3) == 3)
        let expected: [[RFMSegment]] = [
            // R = 5, FM = 1…5
            [.newCustomers, .potentialLoyalist, .potentialLoyalist, .champions, .champions],
            [.promising, .potentialLoyalist, .potentialLoyalist, .loyalCustomers, .loyalCustomers],
            [.aboutToSleep, .aboutToSleep, .needAttention, .loyalCustomers, .loyalCustomers],
            [.hibernating, .hibernating, .atRisk, .atRisk, .cantLoseThem],
            [.lost, .lost, .atRisk, .atRisk, .cantLoseThem],
        ]
        for (row, segments) in expected.enumerated() {
            #expect((1...5).map { RFMSegment.of(recency: 5 - row, frequencyMonetary: $0) } == segments)
        }
        // Every one of the 11 segments has a cell.
        #expect(Set(expected.joined()).count == 11)
    }

    @Test func eightClassesAgainstTheMeans() {
        let result = run(RFMQuery(range: may))
        // Means: R 68/5 = 13.6 days, F 8/5 = 1.6 orders, M 4600/5 = 920.
        #expect(result.recency.mean == 13.6 && result.frequency.mean == 1.6 && result.monetary.mean == 920)
        // p1: R 1 < 13.6, F 2 > 1.6, M 1000 > 920 → all high. p2: R high, F low, M high.
        // p3: R high, F high, M low. p4 and p5: all low.
        #expect(result.rows.map(\.rfmClass) == [.importantValue, .importantDevelopment, .generalValue, .generalWinBack, .generalWinBack])
        let classes = result.groups[0].classes
        #expect(classes.map(\.code) == RFMClass.allCases.map(\.rawValue))
        let winBack = classes.first { $0.code == "generalWinBack" }
        #expect(winBack?.people == 2 && winBack?.revenue == 300 && winBack?.chinese == "一般挽留客户")
        #expect(classes.first { $0.code == "importantDevelopment" }?.revenueShare == 3000.0 / 4600.0)
        #expect(RFMClass(recencyHigh: false, frequencyHigh: true, monetaryHigh: true) == .importantRetention)
        #expect(RFMClass.importantRetention.chinese == "重要保持客户")
    }

    @Test func valueEqualToTheMeanIsLow() {
        // Two buyers, 1 order each, 100 and 100: F and M equal the mean (low), R 1 and 3 days vs mean 2.
        let dataset = F.dataset([1: [order(29, 100)], 2: [order(27, 100)]])
        let result = RFMEngine(dataset: dataset, query: RFMQuery(range: may)).run()
        #expect(result.rows.map(\.rfmClass) == [.generalDevelopment, .generalWinBack])
        // Equal F and M values share score 1.
        #expect(result.rows.map(\.f) == [1, 1] && result.rows.map(\.m) == [1, 1])
    }

    @Test func scoreBands() {
        let result = run(RFMQuery(range: may))
        #expect(result.frequency.bands.map(\.score) == [1, 4, 5])
        #expect(result.frequency.bands[0].people == 3 && result.frequency.bands[0].min == 1 && result.frequency.bands[0].max == 1)
        // Recency score 5 is 1 day; score 1 is 30 days.
        #expect(result.recency.bands.first { $0.score == 5 }?.max == 1)
        #expect(result.recency.bands.first { $0.score == 1 }?.min == 30)
    }

    @Test func asOfMovesRecency() {
        // Ten days later every recency grows by 10; scores and classes do not change.
        let later = run(RFMQuery(range: may, asOf: F.t0 + 40 * F.day))
        #expect(later.rows.map(\.recencyDays) == [11, 20, 12, 35, 40])
        #expect(later.rows.map(\.r) == [5, 3, 4, 2, 1])
        // 12 hours after the last order is 0 whole days.
        let early = run(RFMQuery(range: may, asOf: F.t0 + 29 * F.day + 12 * F.hour))
        #expect(early.rows.first?.recencyDays == 0)
    }

    @Test func breakdownByFirstChannel() {
        let result = run(RFMQuery(range: may, breakdown: .firstTouchChannel))
        // Scores are over all buyers; groups: all, app (3 buyers: p3, p4, p5), douyin (2).
        #expect(result.groups.map(\.value) == ["all", "app", "douyin"])
        #expect(result.groups.map(\.buyers) == [5, 3, 2])
        let app = result.groups[1]
        // In the app group: general win-back holds p4 + p5 = 300 of 600.
        #expect(app.classes.first { $0.code == "generalWinBack" }?.revenueShare == 0.5)
        #expect(result.rows.map(\.group) == ["douyin", "douyin", "app", "app", "app"])
        #expect(!RFMQuery(range: may, breakdown: .channel).problems().isEmpty)
    }

    @Test func peopleFilter() {
        // Only people who came first through douyin: scores among p1 and p2 alone.
        let result = run(RFMQuery(range: may, people: .firstChannel(.eq, ["douyin"])))
        #expect(result.rows.map(\.personId) == [1, 2])
        // R: p1 (1 day) better than p2 (10): 1 + ⌊5·1/2⌋ = 3 vs 1. M: p2 higher.
        #expect(result.rows.map(\.r) == [3, 1] && result.rows.map(\.m) == [1, 3])
    }

    @Test func classesAsLabelsForRules() {
        var data = dataset
        let result = RFMEngine(dataset: data, query: RFMQuery(range: may)).run()
        data.setLabels("rfm8", result.classLabels)
        data.setLabels("rfm11", result.segmentLabels)
        func members(_ rule: PersonRule) -> [Int64] {
            PersonRuleEvaluator(rule, dataset: data, now: F.t0).members().map { data.personIds[$0] }
        }
        #expect(members(.label("rfm8", .eq, ["generalWinBack"])) == [4, 5])
        // Person 6 bought nothing and has no class: "not general win-back" includes them.
        #expect(members(.label("rfm8", .neq, ["generalWinBack"])) == [1, 2, 3, 6])
        #expect(members(.label("rfm11", .in, ["champions", "loyalCustomers"])) == [1, 3])
    }

    @Test func quintileScoresAgreeWithCountingBelow() {
        // Independent definition: for each value, count the values strictly below it.
        var generator = KernelCheckRandom(seed: 3)
        let values = (0..<200).map { _ in Int64(generator.next() % 40) }
        let expected = values.map { value in 1 + 5 * values.count(where: { $0 < value }) / values.count }
        #expect(RFM.quintileScores(values) == expected)
    }

    @Test func noBuyers() {
        let result = RFMEngine(dataset: dataset, query: RFMQuery(range: TimeRange(from: F.t0 + 100 * F.day, to: F.t0 + 101 * F.day))).run()
        #expect(result.rows.isEmpty && result.groups.count == 1 && result.groups[0].buyers == 0)
        #expect(result.groups[0].segments.allSatisfy { $0.people == 0 && $0.revenueShare == 0 })
        #expect(result.recency.bands.isEmpty && result.monetary.mean == 0)
    }
}
