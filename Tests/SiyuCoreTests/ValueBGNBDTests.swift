import Testing

@testable import SiyuCore

/// BG/NBD against `golden.json` (lifetimes 0.11.3 `BetaGeoFitter`, Fader, Hardie & Lee 2005,
/// Hardie's note 004 spreadsheet and R BTYD).
@Suite struct ValueBGNBDTests {
    @Test func fitReproducesPublishedParameters() throws {
        let customers = try CDNOW.summaries()
        let (model, diagnostics) = try BetaGeometricNBD.fit(customers)
        let expected: [(Double, String)] = [(model.r, "r"), (model.alpha, "alpha"), (model.a, "a"), (model.b, "b")]
        for (value, name) in expected {
            let golden = try CDNOW.golden("models", "BG/NBD", "params", name)
            #expect(relativeError(value, golden) < 1e-3, "\(name): \(value) vs \(golden)")
        }
        // Paper: −9582.4; lifetimes: −9582.4256 in weeks.
        let ll = try CDNOW.golden("models", "BG/NBD", "log_likelihood_original_units_total")
        #expect(abs(diagnostics.logLikelihood - ll) < 0.01)
        let objective = try CDNOW.golden("models", "BG/NBD", "library_negative_log_likelihood_")
        #expect(abs(diagnostics.libraryObjective - objective) < 1e-6)
        #expect(diagnostics.converged)
        // lifetimes' standard_errors_ (inverse Hessian of the total negative log-likelihood).
        let errors = try #require(diagnostics.standardErrors)
        for (i, name) in ["r", "alpha", "a", "b"].enumerated() {
            #expect(relativeError(errors[i], try CDNOW.golden("models", "BG/NBD", "standard_errors", name)) < 1e-3, "\(name)")
        }
    }

    @Test func perCustomerPredictionsMatchLifetimes() throws {
        let customers = try CDNOW.summaries()
        let (model, _) = try BetaGeometricNBD.fit(customers)
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        for id in CDNOW.goldenCustomers {
            let c = byId[id]!
            let expected = try CDNOW.golden("customers", id, "bgnbd_expected_purchases_39w")
            let alive = try CDNOW.golden("customers", id, "bgnbd_prob_alive")
            #expect(relativeError(model.expectedPurchases(in: 39, for: c), expected) < 1e-4, "customer \(id)")
            #expect(relativeError(model.probabilityAlive(for: c), alive) < 1e-4, "customer \(id)")
        }
        let unconditional = try CDNOW.golden("population", "bgnbd_unconditional_expected_purchases_39w")
        #expect(relativeError(model.expectedPurchases(in: 39), unconditional) < 1e-4)
        let sum = try CDNOW.golden("population", "bgnbd_sum_conditional_expected_purchases_39w_all_customers")
        #expect(relativeError(customers.reduce(0) { $0 + model.expectedPurchases(in: 39, for: $1) }, sum) < 1e-4)
    }

    /// E[X(t)] with lifetimes' fitted parameters: lifetimes' own values to 1e-6, and Hardie's note 004
    /// spreadsheet to its 4 decimals (the spreadsheet's t = 78 value differs from lifetimes by 3.7e-4).
    @Test func unconditionalExpectationMatchesHardieSpreadsheet() throws {
        let p = { (name: String) in try CDNOW.golden("models", "BG/NBD", "params", name) }
        let model = try BetaGeometricNBD(r: p("r"), alpha: p("alpha"), a: p("a"), b: p("b"))
        let check = "bgnbd_unconditional_E[X(t)]_fitted"
        let ts = try CDNOW.goldenArray("cross_checks", check, "t")
        let lifetimes = try CDNOW.goldenArray("cross_checks", check, "lifetimes")
        let reference = try CDNOW.goldenArray("cross_checks", check, "reference")
        for (i, t) in ts.enumerated() {
            #expect(relativeError(model.expectedPurchases(in: t), lifetimes[i]) < 1e-6, "t = \(t)")
            #expect(abs(model.expectedPurchases(in: t) - reference[i]) < 4e-4, "t = \(t)")
        }
        // Hardie's spreadsheet: E[Y(39) | x = 2, tₓ = 30.43, T = 38.86] = 1.226.
        #expect(abs(model.expectedPurchases(in: 39, frequency: 2, recency: 30.43, T: 38.86) - 1.226) < 5e-4)
    }

    /// R BTYD `bgnbd.pmf` with the published parameters.
    @Test func purchaseCountDistributionMatchesBTYD() throws {
        let model = BetaGeometricNBD(r: 0.243, alpha: 4.414, a: 0.793, b: 2.426)
        #expect(relativeError(model.probabilityOfPurchases(10, in: 2), 1.07869e-07) < 1e-5)
        #expect(relativeError(model.probabilityOfPurchases(0, in: 39), 0.5737864) < 1e-6)
        let reference = try CDNOW.goldenArray("cross_checks", "bgnbd_P(X(t)=n)_published_params", "P(X(30)=n) n=11..20", "reference")
        for (n, value) in zip(11...20, reference) {
            #expect(relativeError(model.probabilityOfPurchases(n, in: 30), value) < 1e-6, "n = \(n)")
        }
    }

    /// At a = 1 the expectation is 0/0; it is continuous there, so it lies between its values just either side.
    @Test func expectationIsContinuousAtAEqualsOne() {
        let at = BetaGeometricNBD(r: 0.25, alpha: 4.4, a: 1, b: 2.4)
        let below = BetaGeometricNBD(r: 0.25, alpha: 4.4, a: 0.999, b: 2.4)
        let above = BetaGeometricNBD(r: 0.25, alpha: 4.4, a: 1.001, b: 2.4)
        for (x, tx) in [(0.0, 0.0), (3, 20)] {
            let values = [below, at, above].map { $0.expectedPurchases(in: 39, frequency: x, recency: tx, T: 38.86) }
            #expect(values[1].isFinite && min(values[0], values[2]) <= values[1] && values[1] <= max(values[0], values[2]))
        }
        let unconditional = [below, at, above].map { $0.expectedPurchases(in: 39) }
        #expect(min(unconditional[0], unconditional[2]) <= unconditional[1] && unconditional[1] <= max(unconditional[0], unconditional[2]))
    }
}
