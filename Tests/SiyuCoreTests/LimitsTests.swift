import Testing

@testable import SiyuCore

/// The bounds on numbers from outside: amounts, totals, rules and answer sizes.
@Suite struct LimitsTests {
    @Test func amountsAreReadWithinTheEventLimit() {
        // 10^13 fen = ¥100,000,000,000.00 is the largest amount an event may carry.
        #expect(Money.read(.int(100_000_000_000), currency: "CNY") == .amount(10_000_000_000_000))
        #expect(Money.read(.int(100_000_000_001), currency: "CNY") == .outOfRange)
        #expect(Money.read(.int(.max), currency: "CNY") == .outOfRange)  // overflows when scaled to fen
        #expect(Money.read(.double(-1e300), currency: "CNY") == .outOfRange)
        #expect(Money.read(.double(99_999_999_999.99), currency: "CNY") == .amount(9_999_999_999_999))
        #expect(Money.read(.string("10,000,000,000,001"), currency: "JPY") == .outOfRange)  // yen have no minor unit
        #expect(Money.read(.string("10,000,000,000,000"), currency: "JPY") == .amount(10_000_000_000_000))
        #expect(Money.read(.string("0000000000000000012.5"), currency: "CNY") == .amount(1250))  // leading zeros are no digits
        #expect(Money.read(.string("twelve"), currency: "CNY") == .notANumber)
        #expect(Money.read(.bool(true), currency: "CNY") == .notANumber)
        #expect(Money.minorUnits(.int(100_000_000_001), currency: "CNY") == nil)
    }

    @Test func sumsSaturateInsteadOfOverflowing() {
        #expect(Int64.max.addingSaturated(1) == .max)
        #expect(Int64.min.addingSaturated(-1) == .min)
        #expect(Int64(5).addingSaturated(-7) == -2)
        #expect(Int64.max.multipliedSaturated(by: 2) == .max)
        #expect(Int64(-3).multipliedSaturated(by: .max) == .min)
        #expect([Int64.max, 1, 1].saturatedSum() == .max)
        // A profile delta of many orders at the limit stops at the total limit of 10^17 fen.
        var delta = ProfileDelta(personId: 1)
        var other = ProfileDelta(personId: 2)
        other.revenueMinor = Money.maximumTotalMinorUnits
        delta.add(other)
        delta.add(other)
        #expect(delta.revenueMinor == Money.maximumTotalMinorUnits)
        var profile = PersonProfile(id: 1, createdAt: 0, revenueMinor: Money.maximumTotalMinorUnits - 1)
        profile.apply(other)
        #expect(profile.revenueMinor == Money.maximumTotalMinorUnits)
    }

    @Test func rulesAreCheckedAgainstTheLimits() {
        let fine = PersonRule.all([.orderCount(.gte, 2, within: .lastDays(30)), .lastSeenDaysAgo(.lte, 14)])
        #expect(fine.problems().isEmpty)
        let paths = { (rule: PersonRule) in rule.problems().map(\.path) }
        #expect(paths(.orderCount(.gte, 1, within: .lastDays(Int.max))) == [".withinDays"])
        #expect(paths(.eventCount(EventMatcher("a"), .gte, 1, within: .lastDays(0))) == [".withinDays"])
        #expect(paths(.any([.tag("vip"), .lastSeenDaysAgo(.gt, 40_000)])) == [".any[1].lastSeenDaysAgo.value"])
        #expect(paths(.trait(PropertyCondition("a\u{0}b", .eq, "x"))) == [".key"])
        #expect(paths(.eventCount(EventMatcher("a", where: [PropertyCondition("", .isSet)]), .gte, 1, within: .ever)) == [".where[0].key"])
        #expect(paths(.attribute("clv", .gt, .infinity)) == [".value"])
        var deep = PersonRule.tag("vip")
        for _ in 0..<11 { deep = .not(deep) }
        #expect(deep.problems().count == 1)
        let wide = PersonRule.any(Array(repeating: .tag("vip"), count: 201))
        #expect(wide.problems().map(\.message) == ["a rule may hold at most 200 conditions; this one has 201"])
        // Evaluated anyway, a window of Int.max days saturates instead of trapping.
        #expect(RuleWindow.lastDays(.max).range(now: 1_000).from == 1_000 - Int64.max)
    }

    @Test func answerSizesAreEstimatedFromTheQuery() {
        // Three years of hours: 1,096 days × 24 = 26,304 hours, and 2 for the partial ends.
        let threeYears = TimeRange(from: 0, to: 1_096 * 86_400_000)
        #expect(AnswerSize.buckets(threeYears, .hour) == 26_306)
        #expect(AnswerSize.buckets(TimeRange(from: 0, to: 7 * 86_400_000), .week) == 3)
        #expect(AnswerSize.buckets(TimeRange(from: 5, to: 5), .day) == 1)
        #expect(AnswerSize.buckets(TimeRange(from: .min, to: .max), .hour) == .max)
        let query = RetentionQuery(start: EventMatcher("a"), period: .hour, range: threeYears, periods: 400)
        #expect(query.answerCells(in: Dataset()) == 26_306 * 401)
        #expect(throws: AnswerSize.TooLarge(cells: 26_306 * 401, limit: 250_000)) { try AnswerSize.check(query.answerCells(in: Dataset())) }
        #expect(AnswerSize.product(.max, 2) == .max)
    }
}
