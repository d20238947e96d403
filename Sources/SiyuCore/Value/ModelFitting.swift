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
    /// BG/NBD and MBG/NBD: the likelihood keeps rising, ever more slowly, as the dropout
    /// parameters a and b grow together without bound — customers do not differ in how likely they
    /// are to drop out, and the fit is the model's limit with the dropout chance a/(a+b) after every
    /// purchase (lifetimes reports "did not converge" here). The optimiser stopped on the plateau.
    public var atBoundary: Bool = false
    /// Standard errors of the parameters, in the caller's time unit (`nil` where not computed or
    /// the information matrix is singular).
    public var standardErrors: [Double]? = nil
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

    /// Whether a minimisation that missed its gradient test stopped on the plateau where the
    /// parameters at `pair` (a Beta distribution's a and b) grow together without bound: both
    /// beyond 10⁴ and the gradient (in log-parameters) flat to 10⁻⁵ of the objective.
    static func reachedBoundary(_ result: MinimizationResult, parameters theta: [Double], pair: (Int, Int)) -> Bool {
        guard !result.converged, theta[pair.0] > 1e4, theta[pair.1] > 1e4 else { return false }
        return result.gradient.allSatisfy { abs($0) <= 1e-5 * max(1, abs(result.value)) }
    }

    /// `lifetimes` rescales time so that the oldest customer's T is 1 before fitting.
    static func timeScale(_ customers: [CustomerSummary]) -> Double {
        1 / (customers.map(\.T).max() ?? 1)
    }
}

/// Standard errors of maximum-likelihood estimates: the square roots of the diagonal of the inverse
/// of the observed information (the Hessian of the total negative log-likelihood at the estimate),
/// with the Hessian taken by central differences of the analytic gradient. `nil` when the Hessian
/// is singular or not positive definite.
func standardErrors(at theta: [Double], gradient: ([Double]) -> [Double]) -> [Double]? {
    let n = theta.count
    var hessian = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for j in 0..<n {
        let h = 1e-5 * max(abs(theta[j]), 1e-3)
        var up = theta
        up[j] += h
        var down = theta
        down[j] -= h
        let (gu, gd) = (gradient(up), gradient(down))
        for i in 0..<n { hessian[i][j] = (gu[i] - gd[i]) / (2 * h) }
    }
    for i in 0..<n {
        for j in 0..<i {
            let mean = (hessian[i][j] + hessian[j][i]) / 2
            hessian[i][j] = mean
            hessian[j][i] = mean
        }
    }
    guard let inverse = invert(hessian) else { return nil }
    let variances = (0..<n).map { inverse[$0][$0] }
    guard variances.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
    return variances.map { $0.squareRoot() }
}

/// Gauss–Jordan inversion with partial pivoting; `nil` for a singular matrix.
func invert(_ matrix: [[Double]]) -> [[Double]]? {
    let n = matrix.count
    var a = matrix
    var inverse = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
    for column in 0..<n {
        guard let pivot = (column..<n).max(by: { abs(a[$0][column]) < abs(a[$1][column]) }), abs(a[pivot][column]) > 1e-300 else {
            return nil
        }
        a.swapAt(column, pivot)
        inverse.swapAt(column, pivot)
        let p = a[column][column]
        for k in 0..<n {
            a[column][k] /= p
            inverse[column][k] /= p
        }
        for row in 0..<n where row != column {
            let factor = a[row][column]
            if factor == 0 { continue }
            for k in 0..<n {
                a[row][k] -= factor * a[column][k]
                inverse[row][k] -= factor * inverse[column][k]
            }
        }
    }
    return inverse
}
