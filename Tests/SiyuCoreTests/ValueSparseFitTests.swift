import Testing

@testable import SiyuCore

/// BG/NBD fits where a + b < 1 (seen on the demo brand: many one-time buyers, r 0.907, α 8.448,
/// a 0.0875, b 0.675): the hypergeometric function's lower parameter a + b − 1 is negative, the
/// series is negative for customers without repeat purchases, and has no logarithm.
/// Expected values: the closed forms (Fader, Hardie & Lee note 004, eqs. 7 and 10) evaluated with
/// mpmath 1.3.0 `hyp2f1` at 30 digits.
@Suite struct ValueSparseFitTests {
    let model = BetaGeometricNBD(r: 0.907377, alpha: 8.448173, a: 0.087450, b: 0.674572)

    @Test func conditionalExpectationsStayFiniteAndMatchTheClosedForm() {
        let cases: [(t: Double, x: Double, tx: Double, T: Double, expected: Double)] = [
            (90.0 / 7, 0, 0, 5, 0.807711771844545),
            (90.0 / 7, 0, 0, 12, 0.541454742639162),
            (90.0 / 7, 2, 3, 10, 1.62026413031197),
            (39, 1, 1, 4, 4.40677168318175),
        ]
        for c in cases {
            let value = model.expectedPurchases(in: c.t, frequency: c.x, recency: c.tx, T: c.T)
            #expect(abs(value - c.expected) <= 1e-9 * c.expected, "x=\(c.x) T=\(c.T): \(value) vs \(c.expected)")
        }
    }

    @Test func unconditionalExpectationMatchesTheClosedForm() {
        let value = model.expectedPurchases(in: 39)
        #expect(abs(value - 3.51007846477802) <= 1e-9 * 3.51007846477802)
    }
}
