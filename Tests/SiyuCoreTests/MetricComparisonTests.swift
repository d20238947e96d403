import Testing

@testable import SiyuCore

/// The ±15 % rule of the reports' moves.
@Suite struct MetricComparisonTests {
    func move(_ metric: KPIMetric, _ current: Double?, _ baseline: Double?, threshold: Double = 0.15) -> MetricComparison {
        MetricComparison(metric: metric, current: current, baseline: baseline, threshold: threshold)
    }

    @Test func exactlyTheThresholdIsFlat() {
        // 115 and 85 against 100: ±15 % exactly, flat; 116 and 84 are beyond.
        #expect(move(.orders, 115, 100).move == .flat)
        #expect(move(.orders, 85, 100).move == .flat)
        #expect(move(.orders, 116, 100).move == .up)
        #expect(move(.orders, 84, 100).move == .down)
        // Rates whose 15 % lands off by floating-point noise: 17/20 against 1 computes −0.15000000000000002,
        // 23/60 against 1/3 computes 0.15000000000000013. Both are exactly 15 %: flat.
        #expect(move(.conversionRate, 17.0 / 20, 1).move == .flat)
        #expect(move(.conversionRate, 23.0 / 60, 1.0 / 3).move == .flat)
        #expect(move(.conversionRate, 0.849, 1).move == .down)
        // The threshold is a parameter.
        #expect(move(.orders, 130, 100, threshold: 0.5).move == .flat)
        #expect(move(.orders, 130, 100, threshold: 0.25).move == .up)
    }

    @Test func goodAndBadDependOnTheMetric() {
        // Churn up from 25 % to 50 %: +100 % relative, +25 points, bad news.
        let churn = move(.churnRate, 0.5, 0.25)
        #expect(churn.move == .up)
        #expect(churn.isGood == false)
        #expect(churn.relative == 1)
        #expect(churn.percentagePoints == 25)
        #expect(move(.churnRate, 0.2, 0.25).isGood == true)
        #expect(move(.revenue, 200, 100).isGood == true)
        #expect(move(.revenue, 50, 100).isGood == false)
        #expect(move(.revenue, 110, 100).isGood == nil)
        // Money and counts have no points.
        #expect(move(.arpu, 200, 100).percentagePoints == nil)
    }

    @Test func noBaseNoMove() {
        #expect(move(.orders, 5, 0).move == nil)
        #expect(move(.orders, 5, 0).relative == nil)
        #expect(move(.ctr, 0.1, nil).move == nil)
        #expect(move(.ctr, nil, 0.1).move == nil)
        #expect(move(.ctr, 0.1, 0).percentagePoints == 10)
    }
}
