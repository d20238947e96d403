import SiyuCore

/// The seeded random source of the demo brand: SplitMix64 (Steele, Lea & Flood 2014) with the
/// distributions the simulation draws from.
///
/// Everything is computed with integer arithmetic, IEEE `+ - * /` and `squareRoot()`, plus the
/// portable ``DemoMath`` logarithm and exponential, so that one seed gives the same brand on every
/// platform and every run. `SystemRandomNumberGenerator` and the standard library's
/// `random(in:using:)` are deliberately not used: their algorithms are not promised to stay fixed.
public struct DemoRandom: Sendable {
    private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// An independent stream for a numbered part of the brand (a person, the calendar, …).
    init(seed: UInt64, stream: UInt64) {
        var mixer = DemoRandom(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        mixer.state &+= stream &* 0x2545_F491_4F6C_DD1D
        state = mixer.next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<bound` (Lemire's multiply-shift; `bound` must be positive).
    mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in a closed range.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        uniform() < p
    }

    /// A random element of a non-empty array.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        elements[below(elements.count)]
    }

    /// An index drawn with probability proportional to the weights whose running totals are
    /// `cumulative` (see ``cumulative(_:)``), among the first `count` of them (all when `nil`).
    mutating func index(cumulative: [Double], count: Int? = nil) -> Int {
        let n = min(count ?? cumulative.count, cumulative.count)
        guard n > 1 else { return 0 }
        let target = uniform() * cumulative[n - 1]
        var low = 0
        var high = n - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > target { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Running totals of `weights`, for ``index(cumulative:count:)``.
    static func cumulative(_ weights: [Double]) -> [Double] {
        var total = 0.0
        return weights.map { weight in
            total += weight
            return total
        }
    }

    /// A standard normal deviate (Marsaglia's polar method, which needs no trigonometry).
    public mutating func normal() -> Double {
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0, s < 1 { return u * (-2 * DemoMath.log(s) / s).squareRoot() }
        }
    }

    /// A log-normal deviate with the given median and log-scale standard deviation.
    mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * DemoMath.exp(sigma * normal())
    }

    /// An exponential deviate with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * DemoMath.log(1 - uniform())
    }

    /// A gamma deviate (Marsaglia & Tsang 2000; shapes below 1 use the `U^(1/shape)` boost).
    public mutating func gamma(shape: Double, scale: Double) -> Double {
        if shape < 1 {
            let boost = DemoMath.exp(DemoMath.log(1 - uniform()) / shape)
            return gamma(shape: shape + 1, scale: scale) * boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x = 0.0
            var v = 0.0
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v * scale }
            if DemoMath.log(u) < 0.5 * x * x + d * (1 - v + DemoMath.log(v)) { return d * v * scale }
        }
    }

    /// A gamma deviate given by its mean and shape (smaller shapes spread people further apart).
    mutating func gamma(mean: Double, shape: Double) -> Double {
        gamma(shape: shape, scale: mean / shape)
    }

    /// A beta deviate with the given mean and concentration `a + b`.
    mutating func beta(mean: Double, concentration: Double) -> Double {
        let x = gamma(shape: mean * concentration, scale: 1)
        let y = gamma(shape: (1 - mean) * concentration, scale: 1)
        return x + y > 0 ? x / (x + y) : mean
    }

    /// A Poisson count (Knuth's product method for small means, a rounded normal above 30).
    mutating func poisson(_ mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 { return max(0, Int((mean + mean.squareRoot() * normal()).rounded())) }
        let limit = DemoMath.exp(-mean)
        var product = uniform()
        var count = 0
        while product > limit {
            count += 1
            product *= uniform()
        }
        return count
    }

    /// Lower-case hexadecimal text of `count` random digits.
    mutating func hex(_ count: Int) -> String {
        var text = ""
        text.reserveCapacity(count)
        var bits = next()
        var left = 16
        for _ in 0..<count {
            if left == 0 {
                bits = next()
                left = 16
            }
            text.unicodeScalars.append(DemoMath.hexDigits[Int(bits & 0xF)])
            bits >>= 4
            left -= 1
        }
        return text
    }

    /// A random version-4 UUID in lower case, as analytics SDKs write anonymous ids.
    mutating func uuid() -> String {
        let variant = ["8", "9", "a", "b"][below(4)]
        return hex(8) + "-" + hex(4) + "-4" + hex(3) + "-" + variant + hex(3) + "-" + hex(12)
    }
}

/// Portable elementary functions, so that generated data does not depend on the platform's libm.
enum DemoMath {
    /// ln 2 split Cody–Waite style (as in fdlibm): `ln2Hi` has trailing zero bits, so `n · ln2Hi` is
    /// exact for the exponents that occur, and `ln2Lo` carries the rest.
    static let ln2Hi = 6.931_471_803_691_238_164_90e-01
    static let ln2Lo = 1.908_214_929_270_587_700_02e-10
    static let hexDigits: [Unicode.Scalar] = Array("0123456789abcdef".unicodeScalars)

    /// Natural logarithm, accurate to a few units in the last place; `-infinity` for 0 and NaN below.
    static func log(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        // x = m · 2^e with m in [√½, √2), then ln m = 2·atanh(s) with s = (m − 1)/(m + 1), |s| < 0.172.
        var m = x.significand
        var e = Double(Int(x.exponent))
        if m > 1.414_213_562_373_095 {
            m /= 2
            e += 1
        }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s
        var sum = 0.0
        var k = 1.0
        while k < 24 {
            sum += term / k
            term *= s2
            k += 2
        }
        return e * ln2Hi + (e * ln2Lo + 2 * sum)
    }

    /// The exponential function, accurate to a few units in the last place.
    static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.7 { return .infinity }
        if x < -745 { return 0 }
        // x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series.
        let n = (x / (ln2Hi + ln2Lo)).rounded()
        let r = (x - n * ln2Hi) - n * ln2Lo
        var term = 1.0
        var sum = 1.0
        var k = 1.0
        while k < 15 {
            term *= r / k
            sum += term
            k += 1
        }
        let power = Int(n)
        if power < -1020 {
            return Double(sign: .plus, exponent: power + 60, significand: sum) * 0x1p-60
        }
        return Double(sign: .plus, exponent: power, significand: sum)
    }
}
