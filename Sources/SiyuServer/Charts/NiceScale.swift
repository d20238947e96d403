/// A value axis whose ticks are round numbers: a step of 1, 2 or 5 × 10ⁿ, about `targetTickCount`
/// intervals, from a multiple of the step at or below the data to one at or above it.
///
/// The range always includes zero (bars and lines are read from zero), so it starts at zero
/// unless the data has negative values. All-zero data gives the ticks 0 and 1.
struct NiceScale: Equatable {
    /// The tick values, lowest first; at least two.
    let ticks: [Double]
    /// Distance between neighbouring ticks.
    let step: Double

    var lower: Double { ticks[0] }
    var upper: Double { ticks[ticks.count - 1] }

    /// The scale for data from `minimum` to `maximum` (NaN or infinite bounds count as 0).
    init(minimum: Double, maximum: Double, targetTickCount: Int = 5) {
        let low = min(minimum.isFinite ? minimum : 0, 0)
        let high = max(maximum.isFinite ? maximum : 0, 0)
        guard high > low else {
            ticks = [0, 1]
            step = 1
            return
        }
        let (mantissa, exponent) = Self.niceStep(for: (high - low) / Double(max(targetTickCount, 1)))
        // A step of mantissa / 10ⁿ (not mantissa × 0.1ⁿ) keeps ticks such as 0.2 and 0.6 exact.
        let power = Self.powerOfTen(abs(exponent))
        let value: (Int) -> Double = { exponent >= 0 ? Double($0) * mantissa * power : Double($0) * mantissa / power }
        step = value(1)
        let first = Int(Self.snapped(low / step).rounded(.down))
        let last = Int(Self.snapped(high / step).rounded(.up))
        ticks = (first...last).map(value)
    }

    /// Where `value` sits between `lower` (0) and `upper` (1); not clamped.
    func fraction(_ value: Double) -> Double {
        (value - lower) / (upper - lower)
    }

    /// The nice step at or above `rough` as `mantissa × 10^exponent`, mantissa 1, 2, 5 or 10.
    static func niceStep(for rough: Double) -> (mantissa: Double, exponent: Int) {
        guard rough.isFinite, rough > 0 else { return (1, 0) }
        var exponent = 0
        while rough >= magnitude(exponent + 1) && exponent < 300 { exponent += 1 }
        while rough < magnitude(exponent) && exponent > -300 { exponent -= 1 }
        let residual = rough / magnitude(exponent)
        let mantissa: Double = residual <= 1 ? 1 : residual <= 2 ? 2 : residual <= 5 ? 5 : 10
        return (mantissa, exponent)
    }

    /// 10^exponent for a positive or negative exponent.
    private static func magnitude(_ exponent: Int) -> Double {
        exponent >= 0 ? powerOfTen(exponent) : 1 / powerOfTen(-exponent)
    }

    /// 10ⁿ for n ≥ 0.
    private static func powerOfTen(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }

    /// `quotient` rounded to the nearest whole number when within 1e-9 of it, so that floating-point
    /// noise (0.6 / 0.2 = 2.9999999999999996) does not add a tick.
    private static func snapped(_ quotient: Double) -> Double {
        let nearest = quotient.rounded()
        return abs(quotient - nearest) < 1e-9 ? nearest : quotient
    }
}
