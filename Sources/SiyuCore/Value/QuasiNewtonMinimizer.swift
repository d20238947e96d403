/// The outcome of a minimisation.
public struct MinimizationResult: Sendable, Equatable {
    /// Where the minimum was found.
    public var point: [Double]
    /// The objective there.
    public var value: Double
    /// The gradient there.
    public var gradient: [Double]
    /// BFGS iterations taken.
    public var iterations: Int
    /// Objective evaluations (each also computes the gradient).
    public var evaluations: Int
    /// Whether the gradient test was met (rather than stopping for lack of progress or iterations).
    public var converged: Bool
}

/// BFGS on a smooth objective with its gradient, with a line search that satisfies the strong Wolfe
/// conditions (Nocedal & Wright, *Numerical Optimization*, 2nd ed., algorithms 6.1, 3.5 and 3.6).
///
/// The dimension is small (3 or 4 log-parameters), so the inverse Hessian is kept as a dense matrix.
public struct QuasiNewtonMinimizer: Sendable {
    /// Stop when every gradient component is at most this times max(1, |f|) in absolute value.
    public var gradientTolerance: Double = 1e-10
    /// Stop after this many iterations.
    public var maximumIterations: Int = 1000
    /// Sufficient-decrease constant of the Wolfe conditions.
    public var c1: Double = 1e-4
    /// Curvature constant of the strong Wolfe conditions.
    public var c2: Double = 0.9

    public init(gradientTolerance: Double = 1e-10, maximumIterations: Int = 1000) {
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
    }

    /// Minimises `objective`, which returns the value and the gradient at a point; a non-finite
    /// value means "outside the domain" and makes the line search step back.
    public func minimize(from start: [Double], objective: (_ point: [Double]) -> (value: Double, gradient: [Double])) -> MinimizationResult {
        let n = start.count
        var evaluations = 0
        func evaluate(_ x: [Double]) -> (value: Double, gradient: [Double]) {
            evaluations += 1
            return objective(x)
        }
        var x = start
        var (f, g) = evaluate(x)
        var h = identity(n)
        var iterations = 0
        var converged = false
        var stalled = 0
        while iterations < maximumIterations {
            if g.allSatisfy({ abs($0) <= gradientTolerance * max(1, abs(f)) }) {
                converged = true
                break
            }
            var direction = multiply(h, g).map { -$0 }
            var slope = dot(direction, g)
            if !(slope < 0) {
                // The approximation lost positive definiteness (rounding): restart along −g.
                h = identity(n)
                direction = g.map { -$0 }
                slope = dot(direction, g)
            }
            let initialStep = iterations == 0 ? min(1, 1 / max(norm(g), 1e-300)) : 1
            guard let step = lineSearch(x: x, f: f, g: g, direction: direction, slope: slope, initialStep: initialStep, evaluate: evaluate)
            else {
                // No step lowers the objective: at the minimum within rounding when the gradient is
                // already small; otherwise retry once along steepest descent.
                if h == identity(n) || g.allSatisfy({ abs($0) <= 1e-6 * max(1, abs(f)) }) { break }
                h = identity(n)
                stalled += 1
                if stalled > 2 { break }
                continue
            }
            iterations += 1
            let s = direction.map { $0 * step.alpha }
            let y = zip(step.gradient, g).map { $0 - $1 }
            let previous = f
            x = zip(x, s).map { $0 + $1 }
            f = step.value
            g = step.gradient
            let sy = dot(s, y)
            if sy > 1e-300 {
                if iterations == 1 {
                    // Scale the first approximation to the curvature seen (Nocedal & Wright eq. 6.20).
                    let scale = sy / dot(y, y)
                    h = identity(n).map { $0.map { $0 * scale } }
                }
                h = bfgsUpdate(h, s: s, y: y, sy: sy)
            }
            if abs(previous - f) <= 1e-16 * max(1, abs(f)) {
                stalled += 1
                if stalled > 3 { break }
            } else {
                stalled = 0
            }
        }
        if !converged, iterations < maximumIterations {
            // Stopped because no step lowers the objective any more: at a minimum within rounding
            // if the gradient is small, even though not below the requested tolerance.
            converged = g.allSatisfy { abs($0) <= 1e-6 * max(1, abs(f)) }
        }
        return MinimizationResult(point: x, value: f, gradient: g, iterations: iterations, evaluations: evaluations, converged: converged)
    }

    private struct Step {
        var alpha: Double
        var value: Double
        var gradient: [Double]
    }

    /// Algorithm 3.5: bracket a step satisfying the strong Wolfe conditions, then zoom in on it.
    private func lineSearch(
        x: [Double],
        f: Double,
        g: [Double],
        direction: [Double],
        slope: Double,
        initialStep: Double,
        evaluate: (_ point: [Double]) -> (value: Double, gradient: [Double])
    ) -> Step? {
        func phi(_ alpha: Double) -> Step {
            let point = zip(x, direction).map { $0 + alpha * $1 }
            let (value, gradient) = evaluate(point)
            return Step(alpha: alpha, value: value, gradient: gradient)
        }
        func derivative(_ step: Step) -> Double { dot(step.gradient, direction) }
        // When even the full step's predicted decrease is below the rounding of f, no step can be told apart.
        if -slope * initialStep <= 1e-15 * max(1, abs(f)) { return nil }

        var previous = Step(alpha: 0, value: f, gradient: g)
        var previousSlope = slope
        var alpha = initialStep
        for i in 0..<60 {
            var current = phi(alpha)
            // Outside the domain or overflow: shrink the step until the objective is finite.
            var shrink = 0
            while !current.value.isFinite || current.gradient.contains(where: { !$0.isFinite }) {
                shrink += 1
                if shrink > 60 { return nil }
                alpha = previous.alpha + (alpha - previous.alpha) * 0.25
                current = phi(alpha)
            }
            if current.value > f + c1 * alpha * slope || (i > 0 && current.value >= previous.value) {
                return zoom(low: previous, lowSlope: previousSlope, high: current, f: f, slope: slope, phi: phi, derivative: derivative)
            }
            let currentSlope = derivative(current)
            if abs(currentSlope) <= -c2 * slope { return current }
            if currentSlope >= 0 {
                return zoom(low: current, lowSlope: currentSlope, high: previous, f: f, slope: slope, phi: phi, derivative: derivative)
            }
            previous = current
            previousSlope = currentSlope
            alpha *= 2
        }
        return nil
    }

    /// Algorithm 3.6, with the trial step from the cubic through both ends (safeguarded by bisection).
    private func zoom(
        low: Step,
        lowSlope: Double,
        high: Step,
        f: Double,
        slope: Double,
        phi: (Double) -> Step,
        derivative: (Step) -> Double
    ) -> Step? {
        var low = low
        var lowSlope = lowSlope
        var high = high
        var highSlope = high.gradient.isEmpty ? Double.nan : derivative(high)
        for _ in 0..<30 {
            let a = low.alpha
            let b = high.alpha
            var trial = cubicMinimizer(a, low.value, lowSlope, b, high.value, highSlope)
            let lo = min(a, b)
            let hi = max(a, b)
            let margin = 0.1 * (hi - lo)
            if !trial.isFinite || trial < lo + margin || trial > hi - margin { trial = (a + b) / 2 }
            if hi - lo <= 1e-16 * max(1, hi) { return low.alpha > 0 && low.value < f ? low : nil }
            let current = phi(trial)
            if !current.value.isFinite || current.value > f + c1 * trial * slope || current.value >= low.value {
                high = current
                highSlope = current.value.isFinite ? derivative(current) : .nan
            } else {
                let currentSlope = derivative(current)
                if abs(currentSlope) <= -c2 * slope { return current }
                if currentSlope * (high.alpha - low.alpha) >= 0 {
                    high = low
                    highSlope = lowSlope
                }
                low = current
                lowSlope = currentSlope
            }
        }
        return low.alpha > 0 && low.value < f ? low : nil
    }

    /// The minimiser of the cubic with the given values and slopes at `a` and `b` (N&W eq. 3.59).
    private func cubicMinimizer(_ a: Double, _ fa: Double, _ da: Double, _ b: Double, _ fb: Double, _ db: Double) -> Double {
        guard fa.isFinite, fb.isFinite, da.isFinite, db.isFinite, a != b else { return .nan }
        let d1 = da + db - 3 * (fa - fb) / (a - b)
        let radicand = d1 * d1 - da * db
        guard radicand >= 0 else { return .nan }
        let d2 = (b > a ? 1.0 : -1.0) * radicand.squareRoot()
        return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2)
    }

    /// H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / yᵀs.
    private func bfgsUpdate(_ h: [[Double]], s: [Double], y: [Double], sy: Double) -> [[Double]] {
        let n = s.count
        let rho = 1 / sy
        let hy = multiply(h, y)
        let yhy = dot(y, hy)
        var result = h
        for i in 0..<n {
            for j in 0..<n {
                result[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j]
            }
        }
        return result
    }

    private func identity(_ n: Int) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { $0 == i ? 1 : 0 } }
    }

    private func multiply(_ m: [[Double]], _ v: [Double]) -> [Double] {
        m.map { dot($0, v) }
    }

    private func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private func norm(_ v: [Double]) -> Double { dot(v, v).squareRoot() }
}

/// A gradient by central differences, for objectives whose analytic gradient is impractical
/// (the Pareto/NBD likelihood, through its hypergeometric function).
///
/// The step is `h · max(1, |xᵢ|)`; with h = 1e-5 the truncation error is about h² · f''' and the
/// rounding error about ε · |f| / h, both near 1e-10 for the models' objectives.
public func centralDifferenceGradient(at x: [Double], step h: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var gradient = [Double](repeating: 0, count: x.count)
    var point = x
    for i in x.indices {
        let delta = h * max(1, abs(x[i]))
        point[i] = x[i] + delta
        let up = f(point)
        point[i] = x[i] - delta
        let down = f(point)
        point[i] = x[i]
        gradient[i] = (up - down) / (2 * delta)
    }
    return gradient
}
