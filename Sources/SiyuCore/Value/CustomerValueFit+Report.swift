extension CustomerValueFit {
    /// Summarises purchases (as of `calibrationEnd`, or the last purchase day), fits and predicts;
    /// when purchases continue after `calibrationEnd`, also scores the model on them (``holdout``).
    /// `observationEnd` (a day) ends the holdout; by default the last purchase day.
    public static func run(
        purchases: [PurchaseRecord],
        summary: TransactionSummary,
        calibrationEnd: Int?,
        observationEnd: Int? = nil,
        request: Request
    ) throws -> CustomerValueFit {
        guard let lastPurchase = purchases.map(\.day).max() else { throw ValueModelError("no purchases") }
        let lastDay = observationEnd ?? lastPurchase
        let end = calibrationEnd ?? lastDay
        let rows = summary.calibrationAndHoldout(purchases, calibrationEnd: end, observationEnd: max(end, lastDay))
        let customers = rows.map(\.calibration)
        guard !customers.isEmpty else { throw ValueModelError("no customer bought on or before the calibration end") }
        guard customers.contains(where: { $0.T > 0 }) else {
            throw ValueModelError("every customer's first purchase is in the last period: nothing to fit")
        }
        // Customers whose first purchase falls in the calibration end's own period have T = 0 and carry no information.
        var fit = try run(customers.filter { $0.T > 0 }, request: request)
        if lastDay > end {
            let model: any PurchaseModel = fit.purchaseModel
            fit.holdout = HoldoutQuality(rows.filter { $0.calibration.T > 0 }, model: model)
            if let holdout = fit.holdout, abs(holdout.relativeError) > 0.2 {
                fit.warnings.append(.poorHoldoutFit(relativeError: holdout.relativeError))
            }
        }
        return fit
    }

    /// The fitted purchase model rebuilt from ``parameters``.
    public var purchaseModel: any PurchaseModel {
        let p = parameters.map(\.value)
        switch request.model {
        case .bgnbd: return BetaGeometricNBD(r: p[0], alpha: p[1], a: p[2], b: p[3])
        case .pareto: return ParetoNBD(r: p[0], alpha: p[1], s: p[2], beta: p[3])
        case .mbgnbd: return ModifiedBetaGeometricNBD(r: p[0], alpha: p[1], a: p[2], b: p[3])
        }
    }

    /// A plain-text report for the terminal: parameters, log-likelihoods, correlation, the simple
    /// formula, the holdout check and the warnings.
    public func textReport() -> String {
        var out = "\(request.model.displayName) fitted on \(diagnostics.customers) customers (\(diagnostics.iterations) iterations"
        out += diagnostics.converged ? ")\n" : diagnostics.atBoundary ? ", at the model's limit)\n" : ", not converged)\n"
        for (i, (name, value)) in parameters.enumerated() {
            out += "  \(pad(name, 6)) \(fixed(value, 6))"
            if let errors = diagnostics.standardErrors, i < errors.count { out += "  (standard error \(fixed(errors[i], 6)))" }
            out += "\n"
        }
        out += "  log-likelihood \(fixed(diagnostics.logLikelihood, 4))\n"
        if let spend, let spendDiagnostics {
            out += "Gamma-Gamma fitted on \(spendDiagnostics.customers) repeat customers\n"
            out += "  p      \(fixed(spend.p, 6))\n  q      \(fixed(spend.q, 6))\n  v      \(fixed(spend.v, 6))\n"
            out += "  log-likelihood \(fixed(spendDiagnostics.logLikelihood, 4))\n"
            out += "  mean spend per purchase \(fixed(spend.populationMean, 2))\n"
        }
        if let spendCorrelation { out += "Correlation of frequency and spend: \(fixed(spendCorrelation, 4))\n" }
        out += "Simple formula: ARPU \(fixed(simple.averageRevenuePerUser, 4)) × retention \(fixed(simple.retentionRate, 4))"
        out += " × lifetime \(fixed(simple.averageLifetime, 2)) × coefficient \(fixed(simple.coefficient, 2)) = \(fixed(simple.value, 2))"
        out += request.simpleInputs.isEmpty ? "\n" : " (set: \(request.simpleInputs.names.joined(separator: ", ")))\n"
        if !predictions.isEmpty {
            let n = Double(predictions.count)
            out +=
                "Mean per customer: \(fixed(predictions.reduce(0) { $0 + $1.expectedPurchases } / n, 4)) purchases in \(fixed(request.horizon, 2)) periods"
            out += ", P(alive) \(fixed(predictions.reduce(0) { $0 + $1.probabilityAlive } / n, 4))"
            if predictions.allSatisfy({ $0.lifetimeValue != nil }) {
                out += ", CLV \(fixed(predictions.reduce(0) { $0 + ($1.lifetimeValue ?? 0) } / n, 2))"
            }
            out += "\n"
        }
        if let holdout {
            out += "Holdout: predicted \(fixed(holdout.predicted, 1)) repeat purchases, actual \(fixed(holdout.actual, 1))\n"
            out += "  frequency  customers  predicted  actual (means per customer)\n"
            for bucket in holdout.buckets {
                let label = bucket.frequency == holdout.buckets.count - 1 ? "\(bucket.frequency)+" : "\(bucket.frequency)"
                out +=
                    "  \(pad(label, 9))  \(pad("\(bucket.customers)", 9))  \(pad(fixed(bucket.meanPredicted, 3), 9))  \(fixed(bucket.meanActual, 3))\n"
            }
        }
        if recommendsSimpleFormula {
            out += "Recommended: the simple formula's value \(fixed(simple.value, 2)) per customer ("
            out += distrustReasons.map(\.description).joined(separator: "; ") + ")\n"
        }
        for warning in warnings { out += "warning: \(warning)\n" }
        return out
    }

    /// The same as JSON: `{"model", "parameters", "logLikelihood", "spend", "correlation", "simple", "holdout", "warnings"}`.
    public func jsonReport() -> String {
        var fields: [(String, String)] = [
            ("model", json(request.model.rawValue)),
            ("customers", "\(diagnostics.customers)"),
            ("parameters", "{" + parameters.map { "\(json($0.name)):\(json($0.value))" }.joined(separator: ",") + "}"),
            (
                "standardErrors",
                diagnostics.standardErrors.map { errors in
                    "{" + zip(parameters, errors).map { "\(json($0.0.name)):\(json($0.1))" }.joined(separator: ",") + "}"
                } ?? "null"
            ),
            ("logLikelihood", json(diagnostics.logLikelihood)),
            ("libraryObjective", json(diagnostics.libraryObjective)),
            ("iterations", "\(diagnostics.iterations)"),
            ("converged", "\(diagnostics.converged)"),
            ("atBoundary", "\(diagnostics.atBoundary)"),
        ]
        if let spend, let spendDiagnostics {
            fields.append(
                (
                    "spend",
                    "{\"model\":\"gamma-gamma\",\"customers\":\(spendDiagnostics.customers),\"parameters\":{\"p\":\(json(spend.p)),\"q\":\(json(spend.q)),"
                        + "\"v\":\(json(spend.v))},\"logLikelihood\":\(json(spendDiagnostics.logLikelihood)),\"converged\":\(spendDiagnostics.converged)}"
                )
            )
        }
        fields.append(("correlation", spendCorrelation.map { json($0) } ?? "null"))
        fields.append(
            (
                "simple",
                "{\"averageRevenuePerUser\":\(json(simple.averageRevenuePerUser)),\"retentionRate\":\(json(simple.retentionRate)),"
                    + "\"averageLifetime\":\(json(simple.averageLifetime)),\"coefficient\":\(json(simple.coefficient)),\"value\":\(json(simple.value)),"
                    + "\"set\":[" + request.simpleInputs.names.map(json).joined(separator: ",") + "]}"
            )
        )
        if let holdout {
            let buckets = holdout.buckets.map {
                "{\"frequency\":\($0.frequency),\"customers\":\($0.customers),\"predicted\":\(json($0.predicted)),\"actual\":\(json($0.actual))}"
            }
            fields.append(
                (
                    "holdout",
                    "{\"predicted\":\(json(holdout.predicted)),\"actual\":\(json(holdout.actual)),\"buckets\":[\(buckets.joined(separator: ","))]}"
                )
            )
        }
        fields.append(("recommendsSimpleFormula", "\(recommendsSimpleFormula)"))
        fields.append(("warnings", "[" + warnings.map { json($0.description) }.joined(separator: ",") + "]"))
        return "{" + fields.map { "\(json($0.0)):\($0.1)" }.joined(separator: ",") + "}\n"
    }
}

/// `value` with exactly `decimals` digits after the point.
func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var factor = 1.0
    for _ in 0..<decimals { factor *= 10 }
    let scaled = (abs(value) * factor).rounded()
    guard scaled < 9e15 else { return "\(value)" }
    let whole = Int(scaled) / Int(factor)
    var fraction = String(Int(scaled) % Int(factor))
    while fraction.count < decimals { fraction = "0" + fraction }
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return decimals == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

private func json(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }

private func json(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
