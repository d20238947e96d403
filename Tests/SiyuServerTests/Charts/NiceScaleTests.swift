import Testing

@testable import SiyuServer

@Suite struct NiceScaleTests {
    @Test func maximum87GivesTicksOf20UpTo100() {
        // Rough step 87 / 5 = 17.4; the next 1-2-5 step is 20; ⌈87 / 20⌉ = 5 steps → 0…100.
        let scale = NiceScale(minimum: 0, maximum: 87)
        #expect(scale.ticks == [0, 20, 40, 60, 80, 100])
        #expect(scale.step == 20)
    }

    @Test func positiveDataStartsAtZero() {
        // Data 30…87 still starts at 0: bars and lines are read from zero.
        #expect(NiceScale(minimum: 30, maximum: 87).ticks == [0, 20, 40, 60, 80, 100])
    }

    @Test func stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        // 100 / 5 = 20 → step 20. 10 / 5 = 2 → step 2. 7 / 5 = 1.4 → step 2, ⌈7 / 2⌉ = 4 → 0…8.
        #expect(NiceScale(minimum: 0, maximum: 100).ticks == [0, 20, 40, 60, 80, 100])
        #expect(NiceScale(minimum: 0, maximum: 10).ticks == [0, 2, 4, 6, 8, 10])
        #expect(NiceScale(minimum: 0, maximum: 7).ticks == [0, 2, 4, 6, 8])
        // 2,400 / 5 = 480 → step 500, ⌈2400 / 500⌉ = 5 → 0…2,500.
        #expect(NiceScale(minimum: 0, maximum: 2400).ticks == [0, 500, 1000, 1500, 2000, 2500])
        // 0.7 / 5 = 0.14 → step 0.2, ⌈0.7 / 0.2⌉ = 4 → 0…0.8, each tick exactly the decimal.
        #expect(NiceScale(minimum: 0, maximum: 0.7).ticks == [0, 0.2, 0.4, 0.6, 0.8])
        // Boundaries: a rough step of exactly 1 or 2 keeps it; just above 2 goes to 5; 7 goes to 10.
        #expect(NiceScale.niceStep(for: 1) == (1, 0))
        #expect(NiceScale.niceStep(for: 2) == (2, 0))
        #expect(NiceScale.niceStep(for: 2.01) == (5, 0))
        #expect(NiceScale.niceStep(for: 7) == (10, 0))
        #expect(NiceScale.niceStep(for: 0.03) == (5, -2))
    }

    @Test func negativeDataReachesBelowZero() {
        // Range −37…87 = 124; 124 / 5 = 24.8 → step 50; ⌊−37 / 50⌋ = −1, ⌈87 / 50⌉ = 2.
        #expect(NiceScale(minimum: -37, maximum: 87).ticks == [-50, 0, 50, 100])
        // Only negative data: −20…0, 20 / 5 = 4 → step 5.
        #expect(NiceScale(minimum: -20, maximum: -3).ticks == [-20, -15, -10, -5, 0])
    }

    @Test func allZeroOrInvalidDataGivesZeroToOne() {
        #expect(NiceScale(minimum: 0, maximum: 0).ticks == [0, 1])
        #expect(NiceScale(minimum: .nan, maximum: .infinity).ticks == [0, 1])
    }

    @Test func valuesMapIntoThePlotArea() {
        // A 400-high plot starting at y = 20 with ticks 0…100: 25 is a quarter up from the
        // bottom, i.e. 300 below the top: y = 20 + 300 = 320. 100 is the top, 0 the bottom.
        let plot = PlotArea(left: 50, top: 20, width: 500, height: 400)
        let scale = NiceScale(minimum: 0, maximum: 87)
        #expect(plot.y(25, on: scale) == 320)
        #expect(plot.y(100, on: scale) == 20)
        #expect(plot.y(0, on: scale) == 420)
        // Horizontally 25 of 100 is a quarter of the 500 width from the left edge at 50.
        #expect(plot.x(25, on: scale) == 175)
    }
}
