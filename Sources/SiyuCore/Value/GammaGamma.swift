/// The Gamma-Gamma spend model (Fader & Hardie 2013, note 025): a customer's purchase amounts are
/// Gamma(p, ν) around their own mean, with ν ~ Gamma(q, γ) across customers (γ is `v`). It assumes
/// spend is independent of purchase frequency: check ``frequencyMonetaryCorrelation(_:)`` is small.
public struct GammaGamma: Sendable, Equatable {
    public var p: Double
    public var q: Double
    public var v: Double

    public init(p: Double, q: Double, v: Double) {
        self.p = p
        self.q = q
        self.v = v
    }

    /// Maximum-likelihood fit on the repeat customers (frequency > 0) whose repeat purchases have a
    /// positive mean value, as `GammaGammaFitter(penalizer_coef).fit(frequency, monetary_value)` on
    /// those customers (lifetimes refuses values ≤ 0 and its documentation filters them out). Repeat
    /// customers who spent nothing (gifts, free samples, full refunds) are left out — see
    /// ``nonPositiveSpenders(_:)`` — and ``expectedAverageValue(frequency:monetaryValue:)`` gives them
    /// the population mean. Throws only when no repeat customer spent anything.
    public static func fit(
        _ customers: [CustomerSummary],
        options: FitOptions = FitOptions()
    ) throws -> (
        model: GammaGamma, diagnostics: FitDiagnostics
    ) {
        let repeaters = customers.filter { $0.frequency > 0 && hasPositiveSpend($0) }
        guard !repeaters.isEmpty else {
            throw ValueModelError("no repeat customers with a positive spend: the spend model needs frequency > 0 and monetary value > 0")
        }
        let x = repeaters.map(\.frequency)
        let m = repeaters.map(\.monetaryValue)
        let n = Double(repeaters.count)
        let (theta, result) = LogParameterFit.minimize(start: options.start ?? [1, 1, 1], options: options) {
            let (value, gradient) = negativeLogLikelihood($0, frequency: x, monetaryValue: m)
            return (value / n, gradient.map { $0 / n })
        }
        let model = GammaGamma(p: theta[0], q: theta[1], v: theta[2])
        let diagnostics = FitDiagnostics(
            logLikelihood: -negativeLogLikelihood(theta, frequency: x, monetaryValue: m).value,
            libraryObjective: result.value,
            customers: repeaters.count,
            iterations: result.iterations,
            converged: result.converged,
            standardErrors: standardErrors(at: theta) { negativeLogLikelihood($0, frequency: x, monetaryValue: m).gradient }
        )
        return (model, diagnostics)
    }

    /// −Σ ln f(m̄ | x) and its gradient in (p, q, v), where
    /// ln f = lnΓ(px+q) − lnΓ(px) − lnΓ(q) + q ln v + (px−1) ln m̄ + px ln x − (px+q) ln(x m̄ + v).
    static func negativeLogLikelihood(
        _ theta: [Double],
        frequency: [Double],
        monetaryValue: [Double]
    ) -> (
        value: Double, gradient: [Double]
    ) {
        let (p, q, v) = (theta[0], theta[1], theta[2])
        let lgQ = ValueMath.logGamma(q)
        let psiQ = ValueMath.digamma(q)
        let logV = ValueMath.log(v)
        // The gamma-function terms depend on x only, and x takes few distinct values.
        var cache: [Double: (lg: Double, psi: Double, psiPXQ: Double)] = [:]
        var total = 0.0
        var gp = 0.0
        var gq = 0.0
        var gv = 0.0
        for i in frequency.indices {
            let x = frequency[i]
            let m = monetaryValue[i]
            let px = p * x
            let terms: (lg: Double, psi: Double, psiPXQ: Double)
            if let cached = cache[x] {
                terms = cached
            } else {
                // lnΓ(px+q) − lnΓ(px), ψ(px+q) − ψ(px) and ψ(px+q).
                let psiPXQ = ValueMath.digamma(px + q)
                terms = (ValueMath.logGamma(px + q) - ValueMath.logGamma(px), psiPXQ - ValueMath.digamma(px), psiPXQ)
                cache[x] = terms
            }
            let logM = ValueMath.log(m)
            let logX = ValueMath.log(x)
            let logXMV = ValueMath.log(x * m + v)
            total += terms.lg - lgQ + q * logV + (px - 1) * logM + px * logX - (px + q) * logXMV
            gp += x * (terms.psi + logM + logX - logXMV)
            gq += terms.psiPXQ - psiQ + logV - logXMV
            gv += q / v - (px + q) / (x * m + v)
        }
        return (-total, [-gp, -gq, -gv])
    }

    /// Whether a customer's repeat purchases have a positive, finite mean value (the customers the
    /// spend model is fitted on, among the repeat customers).
    public static func hasPositiveSpend(_ customer: CustomerSummary) -> Bool {
        customer.monetaryValue > 0 && customer.monetaryValue.isFinite
    }

    /// The ids of the repeat customers whose repeat purchases add up to nothing (or less), left out
    /// of the fit.
    public static func nonPositiveSpenders(_ customers: [CustomerSummary]) -> [String] {
        customers.filter { $0.frequency > 0 && !hasPositiveSpend($0) }.map(\.id)
    }

    /// E[M | x, m̄]: a weighted mean of the customer's own average and the population mean pv/(q−1)
    /// (`conditional_expected_average_profit`); the population mean for customers without repeats,
    /// and for repeat customers whose repeats were worth nothing (their average says nothing about
    /// what a paid order would be worth).
    public func expectedAverageValue(frequency x: Double, monetaryValue m: Double) -> Double {
        guard x <= 0 || (m > 0 && m.isFinite) else { return populationMean }
        let weight = p * x / (p * x + q - 1)
        return (1 - weight) * populationMean + weight * m
    }

    /// The mean spend per purchase across customers, pv/(q−1).
    public var populationMean: Double { v * p / (q - 1) }
}

/// Pearson's correlation between frequency and monetary value over the repeat customers the spend
/// model is fitted on (a positive spend): the
/// Gamma-Gamma model assumes they are independent, so a value far from 0 (say beyond ±0.3) means
/// its spend estimates should not be trusted. `nil` with fewer than two repeat customers or no spread.
public func frequencyMonetaryCorrelation(_ customers: [CustomerSummary]) -> Double? {
    let repeaters = customers.filter { $0.frequency > 0 && GammaGamma.hasPositiveSpend($0) }
    guard repeaters.count > 1 else { return nil }
    let n = Double(repeaters.count)
    let meanX = repeaters.reduce(0) { $0 + $1.frequency } / n
    let meanY = repeaters.reduce(0) { $0 + $1.monetaryValue } / n
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for c in repeaters {
        let dx = c.frequency - meanX
        let dy = c.monetaryValue - meanY
        sxy += dx * dy
        sxx += dx * dx
        syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
}
