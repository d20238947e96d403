/// The MBG/NBD model (Batislam, Denizel & Filiztekin 2007): BG/NBD, except that a customer may
/// also drop out at time 0, right after the first purchase, so one-time buyers can be dead.
public struct ModifiedBetaGeometricNBD: PurchaseModel, Equatable {
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

    /// Maximum-likelihood fit, as `ModifiedBetaGeoFitter(penalizer_coef).fit(frequency, recency, T)`.
    public static func fit(
        _ customers: [CustomerSummary],
        options: FitOptions = FitOptions()
    ) throws -> (
        model: ModifiedBetaGeometricNBD, diagnostics: FitDiagnostics
    ) {
        let (theta, diagnostics) = try BetaGeometricFit.fit(customers, options: options, negativeLogLikelihood: negativeLogLikelihood)
        return (ModifiedBetaGeometricNBD(r: theta[0], alpha: theta[1], a: theta[2], b: theta[3]), diagnostics)
    }

    /// Total log-likelihood of the customers under this model, in their time unit.
    public func logLikelihood(_ customers: [CustomerSummary]) -> Double {
        -Self.negativeLogLikelihood([r, alpha, a, b], PurchasePatterns(customers)).value
    }

    /// −Σ log L and its gradient in (r, α, a, b), as `ModifiedBetaGeoFitter._negative_log_likelihood`:
    /// log L = A₁ + A₂ + A₃ + ln(1 + e^A₄) with A₁ = lnΓ(r+x) − lnΓ(r) + r ln α,
    /// A₂ = lnΓ(a+b) + lnΓ(b+x+1) − lnΓ(b) − lnΓ(a+b+x+1), A₃ = −(r+x) ln(α+T),
    /// A₄ = ln a − ln(b+x) + (r+x)(ln(α+T) − ln(α+tₓ)).
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
        let lgBX1 = xs.map { ValueMath.logGamma(b + $0 + 1) }
        let psiBX1 = xs.map { ValueMath.digamma(b + $0 + 1) }
        let lgABX1 = xs.map { ValueMath.logGamma(a + b + $0 + 1) }
        let psiABX1 = xs.map { ValueMath.digamma(a + b + $0 + 1) }
        let logBX = xs.map { ValueMath.log(b + $0) }
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
            let logATx = ValueMath.log(alpha + tx)
            let a1 = lgRX[f] - lgR + r * logAlpha
            let a2 = lgAB + lgBX1[f] - lgB - lgABX1[f]
            let a3 = -rx * logAT
            let a4 = logA - logBX[f] + rx * (logAT - logATx)
            let psiABX = psiABX1[f]
            let w4 = ValueMath.sigmoid(a4)
            total += w * (a1 + a2 + a3 + ValueMath.softplus(a4))
            gr += w * (psiRX[f] - psiR + logAlpha - logAT + w4 * (logAT - logATx))
            gAlpha += w * (r / alpha - rx / (alpha + T) + w4 * rx * (1 / (alpha + T) - 1 / (alpha + tx)))
            ga += w * (psiAB - psiABX + w4 / a)
            gb += w * (psiAB + psiBX1[f] - psiB - psiABX - w4 / (b + x))
        }
        return (-total, [-gr, -gAlpha, -ga, -gb])
    }

    public func expectedPurchases(in t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double {
        if t == 0 { return 0 }
        if abs(a - 1) < 1e-7 {
            // The formula's 0/0 at a = 1: its limit, from both sides.
            let below = ModifiedBetaGeometricNBD(r: r, alpha: alpha, a: 1 - 1e-5, b: b)
            let above = ModifiedBetaGeometricNBD(r: r, alpha: alpha, a: 1 + 1e-5, b: b)
            return (below.expectedPurchases(in: t, frequency: x, recency: tx, T: T) + above.expectedPurchases(in: t, frequency: x, recency: tx, T: T))
                / 2
        }
        // ₂F₁(r+x, b+x+1; a+b+x; z)·((α+T)/(α+T+t))^(r+x) with z = t/(α+T+t), as in lifetimes.
        let z = t / (alpha + T + t)
        let numerator =
            (a + b + x) / (a - 1)
            * ValueMath.oneMinusScaledHypergeometric(r + x, b + x + 1, a + b + x, z, logScale: (r + x) * ValueMath.log1p(-z))
        let denominator = 1 + a / (b + x) * ValueMath.exp((r + x) * ValueMath.log((alpha + T) / (alpha + tx)))
        return numerator / denominator
    }

    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        let logOdds = ValueMath.log(a / (b + x)) + (r + x) * ValueMath.log((alpha + T) / (alpha + tx))
        return ValueMath.sigmoid(-logOdds)
    }
}
