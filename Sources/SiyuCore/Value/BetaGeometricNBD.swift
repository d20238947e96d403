/// The BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"): while
/// alive a customer buys at a Poisson rate λ ~ Gamma(r, α), and after each purchase drops out
/// with probability p ~ Beta(a, b).
public struct BetaGeometricNBD: PurchaseModel, Equatable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    /// Maximum-likelihood fit, as `BetaGeoFitter(penalizer_coef).fit(frequency, recency, T)`.
    public static func fit(
        _ customers: [CustomerSummary],
        options: FitOptions = FitOptions()
    ) throws -> (
        model: BetaGeometricNBD, diagnostics: FitDiagnostics
    ) {
        let (theta, diagnostics) = try BetaGeometricFit.fit(customers, options: options, negativeLogLikelihood: negativeLogLikelihood)
        return (BetaGeometricNBD(r: theta[0], alpha: theta[1], a: theta[2], b: theta[3]), diagnostics)
    }

    /// Total log-likelihood of the customers under this model, in their time unit.
    public func logLikelihood(_ customers: [CustomerSummary]) -> Double {
        -Self.negativeLogLikelihood([r, alpha, a, b], PurchasePatterns(customers)).value
    }

    /// −Σ log L and its gradient in (r, α, a, b), over the distinct patterns weighted by their counts.
    ///
    /// log L = A₁ + A₂ + log(e^A₃ + δ(x>0) e^A₄) with
    /// A₁ = lnΓ(r+x) − lnΓ(r) + r ln α, A₂ = lnΓ(a+b) + lnΓ(b+x) − lnΓ(b) − lnΓ(a+b+x),
    /// A₃ = −(r+x) ln(α+T), A₄ = ln a − ln(b+x−1) − (r+x) ln(α+tₓ) (note 004, eq. 6).
    static func negativeLogLikelihood(_ theta: [Double], _ data: PurchasePatterns) -> (value: Double, gradient: [Double]) {
        let (r, alpha, a, b) = (theta[0], theta[1], theta[2], theta[3])
        let logAlpha = ValueMath.log(alpha)
        let lgR = ValueMath.logGamma(r)
        let psiR = ValueMath.digamma(r)
        let lgAB = ValueMath.logGamma(a + b)
        let lgB = ValueMath.logGamma(b)
        let psiAB = ValueMath.digamma(a + b)
        let psiB = ValueMath.digamma(b)
        let xs = data.distinctFrequencies
        let lgRX = xs.map { ValueMath.logGamma(r + $0) }
        let psiRX = xs.map { ValueMath.digamma(r + $0) }
        let lgBX = xs.map { ValueMath.logGamma(b + $0) }
        let psiBX = xs.map { ValueMath.digamma(b + $0) }
        let lgABX = xs.map { ValueMath.logGamma(a + b + $0) }
        let psiABX = xs.map { ValueMath.digamma(a + b + $0) }
        let logBX1 = xs.map { $0 > 0 ? ValueMath.log(b + $0 - 1) : 0 }
        let logA = ValueMath.log(a)
        var total = 0.0
        var gr = 0.0
        var gAlpha = 0.0
        var ga = 0.0
        var gb = 0.0
        for i in data.count.indices {
            let x = data.frequency[i]
            let tx = data.recency[i]
            let T = data.T[i]
            let w = data.count[i]
            let f = data.frequencyIndex[i]
            let rx = r + x
            let logAT = ValueMath.log(alpha + T)
            let a1 = lgRX[f] - lgR + r * logAlpha
            let a2 = lgAB + lgBX[f] - lgB - lgABX[f]
            let a3 = -rx * logAT
            // Derivatives of A₁ + A₂ + A₃.
            var dr = psiRX[f] - psiR + logAlpha - logAT
            var dAlpha = r / alpha - rx / (alpha + T)
            var da = psiAB - psiABX[f]
            var db = psiAB + psiBX[f] - psiB - psiABX[f]
            var mix = a3
            if x > 0 {
                let logATx = ValueMath.log(alpha + tx)
                let a4 = logA - logBX1[f] - rx * logATx
                mix = ValueMath.logAddExp(a3, a4)
                // Weight of the A₄ branch in the mixture; the A₃ branch's derivatives are already in.
                let w4 = ValueMath.exp(a4 - mix)
                dr += w4 * (-logATx + logAT)
                dAlpha += w4 * (-rx / (alpha + tx) + rx / (alpha + T))
                da += w4 / a
                db -= w4 / (b + x - 1)
            }
            total += w * (a1 + a2 + mix)
            gr += w * dr
            gAlpha += w * dAlpha
            ga += w * da
            gb += w * db
        }
        return (-total, [-gr, -gAlpha, -ga, -gb])
    }

    public func expectedPurchases(in t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double {
        if t == 0 { return 0 }
        if abs(a - 1) < 1e-7 {
            // The formula's 0/0 at a = 1 (data with no repeat purchases fit there): its limit, from both sides.
            let below = BetaGeometricNBD(r: r, alpha: alpha, a: 1 - 1e-5, b: b)
            let above = BetaGeometricNBD(r: r, alpha: alpha, a: 1 + 1e-5, b: b)
            return (below.expectedPurchases(in: t, frequency: x, recency: tx, T: T) + above.expectedPurchases(in: t, frequency: x, recency: tx, T: T))
                / 2
        }
        // E[Y(t) | x, tₓ, T] (note 004 eq. 10); with z = t/(α+T+t) and 1 − z = (α+T)/(α+T+t),
        // ₂F₁(r+x, b+x; a+b+x−1; z)·(1−z)^(r+x) = (1−z)^(a−1)·₂F₁(a+b−1−r, a−1; a+b+x−1; z) (Euler).
        let z = t / (alpha + T + t)
        let c = a + b + x - 1
        let numerator = c / (a - 1) * ValueMath.oneMinusScaledHypergeometric(r + x, b + x, c, z, logScale: (r + x) * ValueMath.log1p(-z))
        let denominator = x > 0 ? 1 + a / (b + x - 1) * ValueMath.exp((r + x) * ValueMath.log((alpha + T) / (alpha + tx))) : 1
        return numerator / denominator
    }

    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        if x == 0 { return 1 }
        let logRatio = (r + x) * ValueMath.log((alpha + T) / (alpha + tx)) + ValueMath.log(a / (b + x - 1))
        return ValueMath.sigmoid(-logRatio)
    }

    /// Expected purchases in (0, t] by a new customer (note 004 eq. 7).
    public func expectedPurchases(in t: Double) -> Double {
        if abs(a - 1) < 1e-7 {
            let below = BetaGeometricNBD(r: r, alpha: alpha, a: 1 - 1e-5, b: b)
            let above = BetaGeometricNBD(r: r, alpha: alpha, a: 1 + 1e-5, b: b)
            return (below.expectedPurchases(in: t) + above.expectedPurchases(in: t)) / 2
        }
        let z = t / (alpha + t)
        return (a + b - 1) / (a - 1)
            * ValueMath.oneMinusScaledHypergeometric(r, b, a + b - 1, z, logScale: r * ValueMath.log(alpha / (alpha + t)))
    }

    /// P(X(t) = n) for a new customer (note 004 eq. 8).
    public func probabilityOfPurchases(_ n: Int, in t: Double) -> Double {
        let x = Double(n)
        let lbeta = { (p: Double, q: Double) in ValueMath.logGamma(p) + ValueMath.logGamma(q) - ValueMath.logGamma(p + q) }
        let logFirst =
            lbeta(a, b + x) - lbeta(a, b) + ValueMath.logGamma(r + x) - ValueMath.logGamma(r) - ValueMath.logGamma(x + 1)
            + r * ValueMath.log(alpha / (alpha + t)) + x * ValueMath.log(t / (alpha + t))
        var result = ValueMath.exp(logFirst)
        if n > 0 {
            // δ(x>0) · B(a+1, b+x−1)/B(a, b) · [1 − (α/(α+t))^r Σ_{j<x} Γ(r+j)/(Γ(r) j!) (t/(α+t))^j].
            var sum = 0.0
            for j in 0..<n {
                let jd = Double(j)
                sum += ValueMath.exp(
                    ValueMath.logGamma(r + jd) - ValueMath.logGamma(r) - ValueMath.logGamma(jd + 1) + jd * ValueMath.log(t / (alpha + t))
                )
            }
            let tail = 1 - ValueMath.exp(r * ValueMath.log(alpha / (alpha + t))) * sum
            result += ValueMath.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * tail
        }
        return result
    }
}
