/// How a model was fitted: the numbers to judge the fit by.
public struct FitDiagnostics: Sendable, Equatable {
    /// Total log-likelihood of the data in the caller's time unit (comparable with the papers).
    public var logLikelihood: Double
    /// The objective `lifetimes` reports as `_negative_log_likelihood_`: the penalised negative
    /// log-likelihood on time rescaled so that max(T) = 1, per customer (BG/NBD, MBG/NBD,
    /// Gamma-Gamma) or in total (Pareto/NBD).
    public var libraryObjective: Double
    /// Customers fitted.
    public var customers: Int
    /// BFGS iterations.
    public var iterations: Int
    /// Whether the optimiser met its gradient test.
    public var converged: Bool
}

/// Options shared by the maximum-likelihood fitters.
public struct FitOptions: Sendable, Equatable {
    /// L2 penalty on the parameters (in the rescaled time unit), added to the objective as
    /// `penalizer · Σ θ²`, exactly as `lifetimes`' `penalizer_coef`.
    public var penalizer: Double
    /// Starting parameters (natural scale, in the rescaled time unit); `nil` for the model's default.
    public var start: [Double]?
    /// The optimiser's gradient tolerance on the log-parameters.
    public var gradientTolerance: Double

    public init(penalizer: Double = 0, start: [Double]? = nil, gradientTolerance: Double = 1e-10) {
        self.penalizer = penalizer
        self.start = start
        self.gradientTolerance = gradientTolerance
    }
}

enum LogParameterFit {
    /// Minimises `objective(θ) + penalizer · Σθ²` over log θ, where `objective` gives the value and
    /// its gradient with respect to θ (natural scale). Returns θ and the optimiser's result.
    static func minimize(
        start: [Double],
        options: FitOptions,
        objective: @escaping ([Double]) -> (value: Double, gradient: [Double])
    ) -> (parameters: [Double], result: MinimizationResult) {
        let penalizer = options.penalizer
        let minimizer = QuasiNewtonMinimizer(gradientTolerance: options.gradientTolerance)
        let result = minimizer.minimize(from: start.map { ValueMath.log($0) }) { logs in
            let theta = logs.map { ValueMath.exp($0) }
            guard theta.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                return (.infinity, [Double](repeating: .nan, count: theta.count))
            }
            let (value, gradient) = objective(theta)
            let penalty = penalizer * theta.reduce(0) { $0 + $1 * $1 }
            let chain = zip(theta, gradient).map { t, d in t * (d + 2 * penalizer * t) }
            return (value + penalty, chain)
        }
        return (result.point.map { ValueMath.exp($0) }, result)
    }

    /// `lifetimes` rescales time so that the oldest customer's T is 1 before fitting.
    static func timeScale(_ customers: [CustomerSummary]) -> Double {
        1 / (customers.map(\.T).max() ?? 1)
    }
}
