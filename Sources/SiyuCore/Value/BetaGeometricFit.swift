/// How the BG/NBD and MBG/NBD models are fitted, as `lifetimes` fits them: maximum likelihood of the
/// mean log-likelihood over log parameters (r, α, a, b), with time rescaled so that the longest `T`
/// is 1; then the likelihood and the standard errors in the caller's time unit, and whether the
/// fit ran off to the boundary with a and b together (the model then says nothing about dropping out).
enum BetaGeometricFit {
    /// The parameters (r, α, a, b) in the caller's time unit and the fit's diagnostics.
    static func fit(
        _ customers: [CustomerSummary],
        options: FitOptions,
        negativeLogLikelihood: @escaping ([Double], PurchasePatterns) -> (value: Double, gradient: [Double])
    ) throws -> (parameters: [Double], diagnostics: FitDiagnostics) {
        try ValueModelError.validate(customers)
        let scale = LogParameterFit.timeScale(customers)
        let data = PurchasePatterns(customers, timeScale: scale)
        let (theta, result) = LogParameterFit.minimize(start: options.start ?? [1, 1, 1, 1], options: options) {
            let (value, gradient) = negativeLogLikelihood($0, data)
            return (value / data.customers, gradient.map { $0 / data.customers })
        }
        let parameters = [theta[0], theta[1] / scale, theta[2], theta[3]]
        // Likelihood and information in the caller's time unit.
        let original = PurchasePatterns(customers)
        var diagnostics = FitDiagnostics(
            logLikelihood: -negativeLogLikelihood(parameters, original).value,
            libraryObjective: result.value,
            customers: customers.count,
            iterations: result.iterations,
            converged: result.converged,
            standardErrors: standardErrors(at: parameters) { negativeLogLikelihood($0, original).gradient }
        )
        diagnostics.atBoundary = LogParameterFit.reachedBoundary(result, parameters: theta, pair: (2, 3))
        return (parameters, diagnostics)
    }
}
