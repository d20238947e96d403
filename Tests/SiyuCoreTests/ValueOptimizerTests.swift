import Testing

@testable import SiyuCore

/// The BFGS minimiser, the special functions and the L2 penalty.
@Suite struct ValueOptimizerTests {
    /// Rosenbrock's function 100(y − x²)² + (1 − x)² has its minimum 0 at (1, 1).
    @Test func minimizesRosenbrock() {
        let result = QuasiNewtonMinimizer(gradientTolerance: 1e-12).minimize(from: [-1.2, 1]) { p in
            let (x, y) = (p[0], p[1])
            let value = 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x)
            return (value, [-400 * x * (y - x * x) - 2 * (1 - x), 200 * (y - x * x)])
        }
        #expect(result.converged)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8)
        #expect(result.value < 1e-16)
    }

    /// A quadratic with a domain: the line search steps back from non-finite values.
    @Test func respectsDomainBoundary() {
        // f(x) = x − ln x for x > 0 has its minimum 1 at x = 1; a unit step from 4 along −f' = −0.75 stays inside,
        // but the first step from 0.1 (f' = −9) would go far; values outside (x ≤ 0) are +∞.
        let result = QuasiNewtonMinimizer().minimize(from: [4]) { p in
            p[0] > 0 ? (p[0] - ValueMath.log(p[0]), [1 - 1 / p[0]]) : (.infinity, [.nan])
        }
        #expect(abs(result.point[0] - 1) < 1e-8)
    }

    @Test func specialFunctions() {
        // ψ(1) = −γ (Euler–Mascheroni), ψ(1/2) = −γ − 2 ln 2, ψ(10) = H₉ − γ.
        let gamma = 0.577_215_664_901_532_9
        #expect(abs(ValueMath.digamma(1) + gamma) < 1e-14)
        #expect(abs(ValueMath.digamma(0.5) + gamma + 2 * 0.693_147_180_559_945_3) < 1e-14)
        let h9 = 1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5 + 1.0 / 6 + 1.0 / 7 + 1.0 / 8 + 1.0 / 9
        #expect(abs(ValueMath.digamma(10) - (h9 - gamma)) < 1e-14)
        // ₂F₁(1, 1; 2; z) = −ln(1 − z)/z; ₂F₁(a, b; b; z) = (1 − z)^−a.
        #expect(abs(ValueMath.hypergeometric2F1(1, 1, 2, 0.5) - 2 * 0.693_147_180_559_945_3) < 1e-14)
        #expect(abs(ValueMath.hypergeometric2F1(2.5, 3, 3, 0.3) - ValueMath.pow(0.7, -2.5)) < 1e-13)
        // Large upper parameters (a customer with 500 repeat purchases): ₂F₁(a, b; b; z) again, through Euler's form.
        #expect(abs(ValueMath.logHypergeometric2F1(500.2, 502, 502, 0.47) + 500.2 * ValueMath.log(0.53)) < 1e-9)
    }

    /// The objective with a penalty is mean NLL + c · Σθ² on lifetimes' rescaled time (max T = 1), so at the
    /// penalised optimum the parameters are smaller and the reported objective has exactly that form.
    @Test func penalizerShrinksParametersAsLifetimes() throws {
        let customers = try CDNOW.summaries()
        let (free, _) = try BetaGeometricNBD.fit(customers)
        let (penalized, diagnostics) = try BetaGeometricNBD.fit(customers, options: FitOptions(penalizer: 0.1))
        let scale = 1 / 38.86
        let theta = [penalized.r, penalized.alpha * scale, penalized.a, penalized.b]
        let freeTheta = [free.r, free.alpha * scale, free.a, free.b]
        #expect(theta.reduce(0) { $0 + $1 * $1 } < freeTheta.reduce(0) { $0 + $1 * $1 })
        // ln L on the rescaled axis = ln L in weeks − Σx · ln(1/scale) (each purchase density gains a factor 1/scale).
        let sumX = 2457.0
        let scaledLL = penalized.logLikelihood(customers) + sumX * ValueMath.log(38.86)
        let expected = -scaledLL / 2357 + 0.1 * theta.reduce(0) { $0 + $1 * $1 }
        #expect(abs(diagnostics.libraryObjective - expected) < 1e-9)
        #expect(diagnostics.converged)
    }
}
