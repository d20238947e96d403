import Testing

@testable import SiyuCore

/// Pareto/NBD and MBG/NBD against `golden.json` (lifetimes 0.11.3, the published CDNOW benchmark
/// and R BTYD / BTYDplus).
@Suite struct ValueParetoMBGTests {
    @Test func paretoFitReproducesPublishedParameters() throws {
        let customers = try CDNOW.summaries()
        let (model, diagnostics) = try ParetoNBD.fit(customers)
        for (value, name) in [(model.r, "r"), (model.alpha, "alpha"), (model.s, "s"), (model.beta, "beta")] {
            let golden = try CDNOW.golden("models", "Pareto/NBD", "params", name)
            #expect(relativeError(value, golden) < 1e-3, "\(name): \(value) vs \(golden)")
        }
        // Paper −9595.0, R BTYD −9594.976, lifetimes −9594.9739.
        let ll = try CDNOW.golden("models", "Pareto/NBD", "log_likelihood_original_units_total")
        #expect(abs(diagnostics.logLikelihood - ll) < 0.01)
        let objective = try CDNOW.golden("models", "Pareto/NBD", "library_negative_log_likelihood_")
        #expect(abs(diagnostics.libraryObjective - objective) < 1e-4)
    }

    @Test func paretoPerCustomerPredictionsMatchLifetimes() throws {
        let customers = try CDNOW.summaries()
        let p = { (name: String) in try CDNOW.golden("models", "Pareto/NBD", "params", name) }
        let model = try ParetoNBD(r: p("r"), alpha: p("alpha"), s: p("s"), beta: p("beta"))
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        for id in CDNOW.goldenCustomers {
            let c = byId[id]!
            let expected = try CDNOW.golden("customers", id, "pareto_expected_purchases_39w")
            let alive = try CDNOW.golden("customers", id, "pareto_prob_alive")
            #expect(relativeError(model.expectedPurchases(in: 39, for: c), expected) < 1e-4, "customer \(id)")
            #expect(relativeError(model.probabilityAlive(for: c), alive) < 1e-4, "customer \(id)")
        }
        let unconditional = try CDNOW.golden("population", "pareto_unconditional_expected_purchases_39w")
        #expect(relativeError(model.expectedPurchases(in: 39), unconditional) < 1e-4)
        // R BTYD walkthrough: E[X(52) | x = 26, tₓ = 30.86, T = 31] = 25.46 (lifetimes: 25.4565).
        #expect(abs(model.expectedPurchases(in: 52, frequency: 26, recency: 30.86, T: 31) - 25.46) < 0.005)
    }

    /// The fitted model's predictions (not lifetimes' parameters) also agree to 1e-4.
    @Test func paretoFittedPredictionsMatchLifetimes() throws {
        let customers = try CDNOW.summaries()
        let (model, _) = try ParetoNBD.fit(customers)
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        for id in CDNOW.goldenCustomers {
            let expected = try CDNOW.golden("customers", id, "pareto_expected_purchases_39w")
            let alive = try CDNOW.golden("customers", id, "pareto_prob_alive")
            #expect(relativeError(model.expectedPurchases(in: 39, for: byId[id]!), expected) < 1e-4, "customer \(id)")
            #expect(relativeError(model.probabilityAlive(for: byId[id]!), alive) < 1e-4, "customer \(id)")
        }
    }

    /// R BTYD walkthrough p. 8 and the BTYD manual (`pnbd.Expectation`).
    @Test func paretoMatchesBTYDReferences() throws {
        let btyd = ParetoNBD(r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562)
        #expect(abs(btyd.probabilityAlive(frequency: 26, recency: 30.86, T: 31) - 0.9979) < 5e-5)
        let manual = ParetoNBD(r: 0.55, alpha: 10.56, s: 0.61, beta: 11.64)
        let reference = try CDNOW.goldenArray("cross_checks", "pareto_unconditional_E[X(t)]_t=0..9_BTYD_manual_params", "reference")
        for (t, value) in reference.enumerated() {
            #expect(abs(manual.expectedPurchases(in: Double(t)) - value) < 1e-8, "t = \(t)")
        }
    }

    @Test func mbgFitReproducesBTYDplusParameters() throws {
        let customers = try CDNOW.summaries()
        let (model, diagnostics) = try ModifiedBetaGeometricNBD.fit(customers)
        for (value, name) in [(model.r, "r"), (model.alpha, "alpha"), (model.a, "a"), (model.b, "b")] {
            let golden = try CDNOW.golden("models", "MBG/NBD", "params", name)
            #expect(relativeError(value, golden) < 1e-3, "\(name): \(value) vs \(golden)")
        }
        let ll = try CDNOW.golden("models", "MBG/NBD", "log_likelihood_original_units_total")
        #expect(abs(diagnostics.logLikelihood - ll) < 0.01)
        let objective = try CDNOW.golden("models", "MBG/NBD", "library_negative_log_likelihood_")
        #expect(abs(diagnostics.libraryObjective - objective) < 1e-6)
        let errors = try #require(diagnostics.standardErrors)
        for (i, name) in ["r", "alpha", "a", "b"].enumerated() {
            #expect(relativeError(errors[i], try CDNOW.golden("models", "MBG/NBD", "standard_errors", name)) < 1e-3, "\(name)")
        }
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        for id in CDNOW.goldenCustomers {
            let c = byId[id]!
            let expected = try CDNOW.golden("customers", id, "mbgnbd_expected_purchases_39w")
            let alive = try CDNOW.golden("customers", id, "mbgnbd_prob_alive")
            #expect(relativeError(model.expectedPurchases(in: 39, for: c), expected) < 1e-4, "customer \(id)")
            #expect(relativeError(model.probabilityAlive(for: c), alive) < 1e-4, "customer \(id)")
        }
    }
}
