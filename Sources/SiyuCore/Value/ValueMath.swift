#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The special functions the customer-value models need: log-gamma, digamma, the Gauss
/// hypergeometric function and a few numerically careful compositions of `log` and `exp`.
///
/// They come from the C maths library (not Foundation), and every one is exact to a few units in
/// the last place over the arguments the models use.
enum ValueMath {
    /// ln Γ(x) for x > 0.
    @inline(__always) static func logGamma(_ x: Double) -> Double { lgamma(x) }

    /// Natural logarithm.
    @inline(__always) static func log(_ x: Double) -> Double { cLog(x) }

    /// e^x.
    @inline(__always) static func exp(_ x: Double) -> Double { cExp(x) }

    /// ln(1 + x), accurate for small x.
    @inline(__always) static func log1p(_ x: Double) -> Double { cLog1p(x) }

    /// e^x − 1, accurate for small x.
    @inline(__always) static func expm1(_ x: Double) -> Double { cExpm1(x) }

    /// x^y.
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }

    /// ln(e^a + e^b) without overflow.
    @inline(__always) static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let m = max(a, b)
        return m + log1p(exp(-abs(a - b)))
    }

    /// ln(e^a − e^b) for a ≥ b; NaN when a < b.
    @inline(__always) static func logSubExp(_ a: Double, _ b: Double) -> Double {
        if b == -.infinity { return a }
        return a + log1p(-exp(b - a))
    }

    /// ln(1 + e^x) without overflow.
    @inline(__always) static func softplus(_ x: Double) -> Double {
        x > 0 ? x + log1p(exp(-x)) : log1p(exp(x))
    }

    /// 1 / (1 + e^−x).
    @inline(__always) static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series (error below 1e-16).
    static func digamma(_ x: Double) -> Double {
        var x = x
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        // Bernoulli-number series: 1/12, −1/120, 1/252, −1/240, 1/132, −691/32760, 1/12.
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760 - f / 12))))))
        return result + log(x) - 0.5 / x - series
    }

    /// ln ₂F₁(a, b; c; z) for 0 ≤ z < 1 and c > 0, for arguments where the function is positive.
    ///
    /// When Euler's transformation ₂F₁(a, b; c; z) = (1 − z)^(c−a−b) ₂F₁(c − a, c − b; c; z) gives
    /// smaller upper parameters, the series is summed in that form: the BG/NBD expectations have
    /// a, b ≈ x and c ≈ x for a customer with many purchases, where the plain series has terms
    /// that grow like (xz)ⁿ/n! before they fall and overflow for large x; the transformed series has
    /// small upper parameters and a factor that is computed as a logarithm.
    static func logHypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        if z == 0 { return 0 }
        let ea = c - a
        let eb = c - b
        if abs(ea) + abs(eb) < abs(a) + abs(b) {
            return (c - a - b) * log1p(-z) + log(hypergeometricSeries(ea, eb, c, z))
        }
        return log(hypergeometricSeries(a, b, c, z))
    }

    /// 1 − ₂F₁(a, b; c; z)·eˢ, the form the BG/NBD and MBG/NBD expectations take: through `expm1`
    /// of the logarithm when ₂F₁ is positive (accurate when the product is close to 1), directly
    /// when it is not — with c < 0 (BG/NBD fits where a + b < 1, as on sparse shop data) the series'
    /// first terms are negative and ₂F₁ can be negative, which has no logarithm.
    static func oneMinusScaledHypergeometric(_ a: Double, _ b: Double, _ c: Double, _ z: Double, logScale: Double) -> Double {
        let logValue = logHypergeometric2F1(a, b, c, z)
        if logValue.isFinite { return -expm1(logValue + logScale) }
        return 1 - hypergeometric2F1(a, b, c, z) * exp(logScale)
    }

    /// ₂F₁(a, b; c; z) for 0 ≤ z < 1 (see ``logHypergeometric2F1(_:_:_:_:)``).
    static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        let ea = c - a
        let eb = c - b
        if z != 0, abs(ea) + abs(eb) < abs(a) + abs(b) {
            return pow(1 - z, c - a - b) * hypergeometricSeries(ea, eb, c, z)
        }
        return hypergeometricSeries(a, b, c, z)
    }

    /// The Gauss series Σ (a)ₙ(b)ₙ / ((c)ₙ n!) zⁿ, summed until a term no longer changes the sum.
    static func hypergeometricSeries(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        var term = 1.0
        var sum = 1.0
        var n = 0.0
        while n < 1_000_000 {
            let ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            term *= ratio
            sum += term
            n += 1
            // Once the ratio of successive terms is below 1 it stays so (it tends to z), and the tail
            // is bounded by a geometric series.
            if abs(term) <= abs(sum) * 1e-17 * max(1 - abs(ratio), 1e-3), abs(ratio) < 1 { break }
        }
        return sum
    }
}

// The C functions under names that do not collide with the static members above.
@inline(__always) private func cLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func cExp(_ x: Double) -> Double { exp(x) }
@inline(__always) private func cLog1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func cExpm1(_ x: Double) -> Double { expm1(x) }
@inline(__always) private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
