import Testing

@testable import SiyuCore

/// Newcombe's hybrid score interval for a difference of proportions against the published table:
/// Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10, to four decimals.
@Suite struct ProportionDifferenceTests {
    @Test(arguments: [
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ])
    func newcombesTable(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int, _ lower: Double, _ upper: Double) throws {
        let interval = try #require(ProportionDifference(treated: (x1, n1), control: (x2, n2)))
        #expect(abs(interval.difference - (Double(x1) / Double(n1) - Double(x2) / Double(n2))) < 1e-12)
        #expect(abs(interval.lower - lower) < 0.00005, "\(interval.lower)")
        #expect(abs(interval.upper - upper) < 0.00005, "\(interval.upper)")
    }

    @Test func anEmptyGroupHasNoInterval() {
        #expect(ProportionDifference(treated: (0, 0), control: (1, 2)) == nil)
        #expect(ProportionDifference(treated: (1, 2), control: (0, 0)) == nil)
    }
}
