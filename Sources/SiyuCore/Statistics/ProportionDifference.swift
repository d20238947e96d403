import Foundation

/// The difference of two proportions with Newcombe's hybrid score interval (Newcombe 1998,
/// "Interval estimation for the difference between independent proportions", method 10): each
/// proportion's Wilson score interval, combined. Unlike the Wald interval it stays inside [−1, 1]
/// and behaves with small counts and proportions near 0 or 1, as a journey's holdout often has.
public struct ProportionDifference: Sendable, Equatable {
    public var treated: (successes: Int, total: Int)
    public var control: (successes: Int, total: Int)
    /// treated − control.
    public var difference: Double
    public var lower: Double
    public var upper: Double

    public static func == (a: Self, b: Self) -> Bool {
        a.treated == b.treated && a.control == b.control && a.difference == b.difference && a.lower == b.lower && a.upper == b.upper
    }

    /// nil when either group is empty.
    public init?(treated: (successes: Int, total: Int), control: (successes: Int, total: Int), z: Double = 1.959963984540054) {
        guard treated.total > 0, control.total > 0 else { return nil }
        self.treated = treated
        self.control = control
        let p1 = Double(treated.successes) / Double(treated.total)
        let p2 = Double(control.successes) / Double(control.total)
        let (l1, u1) = Self.wilson(treated.successes, treated.total, z: z)
        let (l2, u2) = Self.wilson(control.successes, control.total, z: z)
        difference = p1 - p2
        lower = difference - ((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)).squareRoot()
        upper = difference + ((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)).squareRoot()
    }

    /// The Wilson score interval of `successes` out of `total`.
    public static func wilson(_ successes: Int, _ total: Int, z: Double = 1.959963984540054) -> (lower: Double, upper: Double) {
        let n = Double(total)
        let p = Double(successes) / n
        let z2 = z * z
        let centre = p + z2 / (2 * n)
        let spread = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        let denominator = 1 + z2 / n
        return (max(0, (centre - spread) / denominator), min(1, (centre + spread) / denominator))
    }
}
