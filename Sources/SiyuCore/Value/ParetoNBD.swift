/// The Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while alive a customer buys at a
/// Poisson rate λ ~ Gamma(r, α) and dies at an exponential time with rate μ ~ Gamma(s, β).
public struct ParetoNBD: PurchaseModel, Equatable {
    public var r: Double
    public var alpha: Double
    public var s: Double
    public var beta: Double

    public init(r: Double, alpha: Double, s: Double, beta: Double) {
        self.r = r
        self.alpha = alpha
        self.s = s
        self.beta = beta
    }

    /// Maximum-likelihood fit, as `ParetoNBDFitter(penalizer_coef).fit(frequency, recency, T)`.
    ///
    /// `lifetimes` minimises the *total* negative log-likelihood plus the penalty here (not the mean);
    /// the fit minimises the same objective divided by the number of customers, which has the same
    /// minimum and a gradient of the same size as the other models'. The gradient is by central
    /// differences in the log-parameters: the likelihood's hypergeometric function has no
    /// practical closed-form derivative in its parameters.
    public static func fit(
        _ customers: [CustomerSummary],
        options: FitOptions = FitOptions(gradientTolerance: 1e-9)
    ) throws -> (
        model: ParetoNBD, diagnostics: FitDiagnostics
    ) {
        try ValueModelError.validate(customers)
        let scale = LogParameterFit.timeScale(customers)
        let data = PurchasePatterns(customers, timeScale: scale)
        let n = data.customers
        var scaled = options
        scaled.penalizer = options.penalizer / n
        let (theta, result) = LogParameterFit.minimize(start: options.start ?? [1, 1, 1, 1], options: scaled) { theta in
            let value = negativeLogLikelihood(theta, data) / n
            let h = 1e-5
            var gradient = [Double](repeating: 0, count: theta.count)
            var point = theta
            for i in theta.indices {
                point[i] = theta[i] * ValueMath.exp(h)
                let up = negativeLogLikelihood(point, data) / n
                point[i] = theta[i] * ValueMath.exp(-h)
                let down = negativeLogLikelihood(point, data) / n
                point[i] = theta[i]
                // d/dθ = (d/d ln θ) / θ.
                gradient[i] = (up - down) / (2 * h) / theta[i]
            }
            return (value, gradient)
        }
        let model = ParetoNBD(r: theta[0], alpha: theta[1] / scale, s: theta[2], beta: theta[3] / scale)
        let diagnostics = FitDiagnostics(
            logLikelihood: model.logLikelihood(customers),
            libraryObjective: result.value * n,
            customers: customers.count,
            iterations: result.iterations,
            converged: result.converged
        )
        return (model, diagnostics)
    }

    /// Total log-likelihood of the customers under this model, in their time unit.
    public func logLikelihood(_ customers: [CustomerSummary]) -> Double {
        -Self.negativeLogLikelihood([r, alpha, s, beta], PurchasePatterns(customers))
    }

    static func negativeLogLikelihood(_ theta: [Double], _ data: PurchasePatterns) -> Double {
        let model = ParetoNBD(r: theta[0], alpha: theta[1], s: theta[2], beta: theta[3])
        var total = 0.0
        for i in data.count.indices {
            total += data.count[i] * model.conditionalLogLikelihood(frequency: data.frequency[i], recency: data.recency[i], T: data.T[i])
        }
        return -total
    }

    /// ln L(r, α, s, β | x, tₓ, T) as `lifetimes`' `_conditional_log_likelihood` (Fader & Hardie's note 008, eq. 22):
    /// A₁ = lnΓ(r+x) − lnΓ(r) + r ln α + s ln β, and ln L = A₁ + ln[(α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀].
    func conditionalLogLikelihood(frequency x: Double, recency tx: Double, T: Double) -> Double {
        let a1 = ValueMath.logGamma(r + x) - ValueMath.logGamma(r) + r * ValueMath.log(alpha) + s * ValueMath.log(beta)
        let alive = -(r + x) * ValueMath.log(alpha + T) - s * ValueMath.log(beta + T)
        let dead = ValueMath.log(s) + logA0(frequency: x, recency: tx, T: T) - ValueMath.log(r + s + x)
        return a1 + ValueMath.logAddExp(alive, dead)
    }

    /// ln A₀ with A₀ = ₂F₁(r+s+x, t; r+s+x+1; |α−β|/(max+tₓ)) / (max+tₓ)^(r+s+x)
    ///               − ₂F₁(r+s+x, t; r+s+x+1; |α−β|/(max+T)) / (max+T)^(r+s+x),
    /// where max = max(α, β) and t = r+x if α < β, else s+1: the branch keeps the argument below 1.
    /// The difference is taken of logarithms (`logSubExp`), as `lifetimes` does with `logsumexp`.
    func logA0(frequency x: Double, recency tx: Double, T: Double) -> Double {
        let (low, high, t) = alpha < beta ? (alpha, beta, r + x) : (beta, alpha, s + 1)
        let gap = high - low
        let rsx = r + s + x
        let first = ValueMath.logHypergeometric2F1(rsx, t, rsx + 1, gap / (high + tx)) - rsx * ValueMath.log(high + tx)
        let second = ValueMath.logHypergeometric2F1(rsx, t, rsx + 1, gap / (high + T)) - rsx * ValueMath.log(high + T)
        if second >= first { return -.infinity }
        return ValueMath.logSubExp(first, second)
    }

    public func probabilityAlive(frequency x: Double, recency tx: Double, T: Double) -> Double {
        let logOdds =
            ValueMath.log(s) - ValueMath.log(r + s + x) + (r + x) * ValueMath.log(alpha + T) + s * ValueMath.log(beta + T)
            + logA0(frequency: x, recency: tx, T: T)
        return ValueMath.sigmoid(-logOdds)
    }

    public func expectedPurchases(in t: Double, frequency x: Double, recency tx: Double, T: Double) -> Double {
        if t == 0 { return 0 }
        let likelihood = conditionalLogLikelihood(frequency: x, recency: tx, T: T)
        let first =
            ValueMath.logGamma(r + x) - ValueMath.logGamma(r) + r * ValueMath.log(alpha) + s * ValueMath.log(beta)
            - (r + x) * ValueMath.log(alpha + T) - s * ValueMath.log(beta + T)
        let second = ValueMath.log(r + x) + ValueMath.log(beta + T) - ValueMath.log(alpha + T)
        let third = ValueMath.log(survivalIntegral(from: beta + T, over: t))
        return ValueMath.exp(first + second + third - likelihood)
    }

    /// Expected purchases in (0, t] by a new customer: rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)].
    public func expectedPurchases(in t: Double) -> Double {
        r * beta / alpha * survivalIntegral(from: beta, over: t)
    }

    /// [1 − (b/(b+t))^(s−1)] / (s−1), and its limit ln((b+t)/b) at s = 1.
    private func survivalIntegral(from b: Double, over t: Double) -> Double {
        let logRatio = ValueMath.log(b / (b + t))
        if abs(s - 1) < 1e-12 { return -logRatio }
        return -ValueMath.expm1((s - 1) * logRatio) / (s - 1)
    }
}
