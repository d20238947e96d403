/// Which purchase model to fit.
public enum PurchaseModelKind: String, Sendable, Equatable, CaseIterable {
    case bgnbd
    case pareto
    case mbgnbd

    /// The model's name in the literature.
    public var displayName: String {
        switch self {
        case .bgnbd: "BG/NBD"
        case .pareto: "Pareto/NBD"
        case .mbgnbd: "MBG/NBD"
        }
    }
}

/// One customer's predicted value.
public struct CustomerValuePrediction: Sendable, Equatable {
    public var customerId: String
    /// Expected repeat purchases over the horizon.
    public var expectedPurchases: Double
    public var probabilityAlive: Double
    /// Gamma-Gamma expected value per purchase; `nil` without a spend model.
    public var expectedAverageValue: Double?
    /// Discounted value over the CLV months; `nil` without a spend model.
    public var lifetimeValue: Double?
    public var churnRisk: ChurnRisk
}

/// A purchase model (and optionally the Gamma-Gamma spend model) fitted on summaries, with each
/// customer's predictions: what `siyu value fit` prints and writes.
public struct CustomerValueFit: Sendable {
    /// What to fit and predict.
    public struct Request: Sendable, Equatable {
        public var model: PurchaseModelKind = .bgnbd
        /// Fit Gamma-Gamma and compute CLV (skipped when nobody came back: the thin-data warning says so).
        public var spend: Bool = true
        /// Periods ahead for expected purchases.
        public var horizon: Double = 39
        /// CLV horizon, discount and the summaries' time unit.
        public var lifetimeValue = CustomerLifetimeValue(months: 12, discountRate: 0.01, unit: .week)
        public var options = FitOptions()

        public init() {}
    }

    public var request: Request
    /// The purchase model's parameters in order (r, alpha, a, b or r, alpha, s, beta).
    public var parameters: [(name: String, value: Double)]
    public var diagnostics: FitDiagnostics
    public var spend: GammaGamma?
    public var spendDiagnostics: FitDiagnostics?
    /// Pearson correlation of frequency and monetary value over repeat customers.
    public var spendCorrelation: Double?
    public var simple: SimpleLifetimeValue
    public var warnings: [ValueWarning]
    public var predictions: [CustomerValuePrediction]
    /// Whether the data is too thin for the models, so operators should use ``simple`` instead.
    public var recommendsSimpleFormula: Bool {
        warnings.contains { if case .thinData = $0 { true } else { false } }
    }
    /// Predicted against actual purchases after the calibration end, when the data has them.
    public var holdout: HoldoutQuality? = nil

    /// Fits and predicts; throws ``ValueModelError`` for data the models cannot take.
    public static func run(_ customers: [CustomerSummary], request: Request) throws -> CustomerValueFit {
        let model: any PurchaseModel
        let parameters: [(name: String, value: Double)]
        let diagnostics: FitDiagnostics
        switch request.model {
        case .bgnbd:
            let fit = try BetaGeometricNBD.fit(customers, options: request.options)
            (model, diagnostics) = (fit.model, fit.diagnostics)
            parameters = [("r", fit.model.r), ("alpha", fit.model.alpha), ("a", fit.model.a), ("b", fit.model.b)]
        case .pareto:
            var options = request.options
            options.gradientTolerance = max(options.gradientTolerance, 1e-9)
            let fit = try ParetoNBD.fit(customers, options: options)
            (model, diagnostics) = (fit.model, fit.diagnostics)
            parameters = [("r", fit.model.r), ("alpha", fit.model.alpha), ("s", fit.model.s), ("beta", fit.model.beta)]
        case .mbgnbd:
            let fit = try ModifiedBetaGeometricNBD.fit(customers, options: request.options)
            (model, diagnostics) = (fit.model, fit.diagnostics)
            parameters = [("r", fit.model.r), ("alpha", fit.model.alpha), ("a", fit.model.a), ("b", fit.model.b)]
        }
        var warnings = ValueWarning.dataWarnings(customers)
        if !diagnostics.converged { warnings.append(.notConverged(model: request.model.displayName)) }
        var spend: GammaGamma?
        var spendDiagnostics: FitDiagnostics?
        let correlation = frequencyMonetaryCorrelation(customers)
        if request.spend, customers.contains(where: { $0.frequency > 0 }) {
            let fit = try GammaGamma.fit(customers, options: FitOptions(penalizer: request.options.penalizer))
            spend = fit.model
            spendDiagnostics = fit.diagnostics
            if !fit.diagnostics.converged { warnings.append(.notConverged(model: "Gamma-Gamma")) }
            if let r = correlation, abs(r) > 0.3 { warnings.append(.spendCorrelated(correlation: r)) }
        }
        let predictions = customers.map { c in
            let alive = model.probabilityAlive(for: c)
            let average = spend.map { $0.expectedAverageValue(frequency: c.frequency, monetaryValue: c.monetaryValue) }
            return CustomerValuePrediction(
                customerId: c.id,
                expectedPurchases: model.expectedPurchases(in: request.horizon, for: c),
                probabilityAlive: alive,
                expectedAverageValue: average,
                lifetimeValue: average.map { request.lifetimeValue.value(of: c, purchases: model, averageValue: $0) },
                churnRisk: ChurnRisk(probabilityAlive: alive)
            )
        }
        return CustomerValueFit(
            request: request,
            parameters: parameters,
            diagnostics: diagnostics,
            spend: spend,
            spendDiagnostics: spendDiagnostics,
            spendCorrelation: correlation,
            simple: .estimate(from: customers),
            warnings: warnings,
            predictions: predictions
        )
    }
}
