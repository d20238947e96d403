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
        /// Inputs of the simple formula the operator set (the rest are estimated).
        public var simpleInputs = SimpleLifetimeValue.Inputs()

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
    /// The warnings that make the model's values unfit to use: thin data, a fit that did not
    /// converge, a poor holdout check, or no spend model.
    public var distrustReasons: [ValueWarning] {
        warnings.filter {
            switch $0 {
            case .thinData, .notConverged, .poorHoldoutFit, .noSpend: true
            case .spendCorrelated, .nonPositiveSpend, .sameDropout: false
            }
        }
    }
    /// Whether operators should use ``simple`` instead of the model's values (see ``distrustReasons``).
    public var recommendsSimpleFormula: Bool { !distrustReasons.isEmpty }
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
        if diagnostics.atBoundary, let a = parameters.first(where: { $0.name == "a" })?.value,
            let b = parameters.first(where: { $0.name == "b" })?.value
        {
            warnings.append(.sameDropout(model: request.model.displayName, dropout: a / (a + b)))
        } else if !diagnostics.converged {
            warnings.append(.notConverged(model: request.model.displayName))
        }
        var spend: GammaGamma?
        var spendDiagnostics: FitDiagnostics?
        let correlation = frequencyMonetaryCorrelation(customers)
        if request.spend, customers.contains(where: { $0.frequency > 0 }) {
            // One customer's zero-value repeats never fail the fit: they are left out, with a warning.
            let free = GammaGamma.nonPositiveSpenders(customers)
            let paying = customers.count { $0.frequency > 0 && GammaGamma.hasPositiveSpend($0) }
            if paying == 0 {
                warnings.append(.noSpend(repeatCustomers: free.count))
            } else {
                let fit = try GammaGamma.fit(customers, options: FitOptions(penalizer: request.options.penalizer))
                spend = fit.model
                spendDiagnostics = fit.diagnostics
                if let example = free.first { warnings.append(.nonPositiveSpend(customers: free.count, example: example)) }
                if !fit.diagnostics.converged { warnings.append(.notConverged(model: "Gamma-Gamma")) }
                if let r = correlation, abs(r) > 0.3 { warnings.append(.spendCorrelated(correlation: r)) }
            }
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
            simple: SimpleLifetimeValue.estimate(from: customers).applying(request.simpleInputs),
            warnings: warnings,
            predictions: predictions
        )
    }
}
