import Testing

@testable import SiyuCore

/// Gamma-Gamma and CLV against `golden.json` (lifetimes 0.11.3 `GammaGammaFitter`, Fader & Hardie's note 025).
@Suite struct ValueGammaGammaTests {
    @Test func fitReproducesPublishedParameters() throws {
        let customers = try CDNOW.summaries()
        let (model, diagnostics) = try GammaGamma.fit(customers)
        for (value, name) in [(model.p, "p"), (model.q, "q"), (model.v, "v")] {
            let golden = try CDNOW.golden("models", "Gamma-Gamma", "params", name)
            #expect(relativeError(value, golden) < 1e-3, "\(name): \(value) vs \(golden)")
        }
        #expect(diagnostics.customers == 946)
        let ll = try CDNOW.golden("models", "Gamma-Gamma", "log_likelihood_original_units_total")
        #expect(abs(diagnostics.logLikelihood - ll) < 0.01)
        let objective = try CDNOW.golden("models", "Gamma-Gamma", "library_negative_log_likelihood_")
        #expect(abs(diagnostics.libraryObjective - objective) < 1e-6)
        let errors = try #require(diagnostics.standardErrors)
        for (i, name) in ["p", "q", "v"].enumerated() {
            #expect(relativeError(errors[i], try CDNOW.golden("models", "Gamma-Gamma", "standard_errors", name)) < 1e-3, "\(name)")
        }
        // pv/(q−1) with lifetimes' parameters: 35.1710.
        let mean = try CDNOW.golden("population", "gg_population_mean_spend_p*v/(q-1)")
        #expect(relativeError(model.populationMean, mean) < 1e-4)
    }

    @Test func expectedAverageValueMatchesLifetimesAndHardie() throws {
        let customers = try CDNOW.summaries()
        let (model, _) = try GammaGamma.fit(customers)
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        for id in CDNOW.goldenCustomers {
            let c = byId[id]!
            let expected = try CDNOW.golden("customers", id, "gg_expected_avg_profit")
            #expect(
                relativeError(model.expectedAverageValue(frequency: c.frequency, monetaryValue: c.monetaryValue), expected) < 1e-4,
                "customer \(id)"
            )
        }
        // Hardie's note 025 spreadsheet with p = 6.25, q = 3.74, γ = 15.44, first ten customers (to ±0.1 as in lifetimes' tests).
        let published = GammaGamma(p: 6.25, q: 3.74, v: 15.44)
        let reference = try CDNOW.goldenArray("cross_checks", "gg_E[M|x,mbar]_first10_published_params", "reference")
        let lifetimes = try CDNOW.goldenArray("cross_checks", "gg_E[M|x,mbar]_first10_published_params", "lifetimes")
        for (i, c) in customers.prefix(10).enumerated() {
            let value = published.expectedAverageValue(frequency: c.frequency, monetaryValue: c.monetaryValue)
            #expect(abs(value - reference[i]) < 0.1)
            #expect(relativeError(value, lifetimes[i]) < 1e-12)
        }
    }

    @Test func lifetimeValueMatchesLifetimes() throws {
        let customers = try CDNOW.summaries()
        let (purchases, _) = try BetaGeometricNBD.fit(customers)
        let (spend, _) = try GammaGamma.fit(customers)
        let byId = Dictionary(uniqueKeysWithValues: customers.map { ($0.id, $0) })
        let weekly = CustomerLifetimeValue(months: 12, discountRate: 0.01, unit: .week)
        let daily = CustomerLifetimeValue(months: 12, discountRate: 0.01, unit: .day)
        for id in CDNOW.goldenCustomers {
            let c = byId[id]!
            let w = try CDNOW.golden("customers", id, "clv_bgnbd_12m_disc0.01_freqW")
            let d = try CDNOW.golden("customers", id, "clv_bgnbd_12m_disc0.01_freqD_default")
            #expect(relativeError(weekly.value(of: c, purchases: purchases, spend: spend), w) < 1e-4, "customer \(id)")
            #expect(relativeError(daily.value(of: c, purchases: purchases, spend: spend), d) < 1e-4, "customer \(id)")
        }
        // The lifetimes README prints 140.096211 for customer 1 (freq='D').
        #expect(abs(daily.value(of: byId["1"]!, purchases: purchases, spend: spend) - 140.096211) < 0.01)
    }

    /// The lifetimes documentation (Gamma-Gamma section) prints corr(monetary_value, frequency) = 0.113884
    /// for the CDNOW repeat customers.
    @Test func frequencyAndSpendAreWeaklyCorrelated() throws {
        let r = try #require(frequencyMonetaryCorrelation(try CDNOW.summaries()))
        #expect(abs(r - 0.113884) < 1e-5)
        // Hand check: (1, 10), (2, 20), (3, 30) are perfectly correlated; one-time buyers are ignored.
        let line = [(1.0, 10.0), (2, 20), (3, 30), (0, 0)].enumerated().map {
            CustomerSummary(id: "\($0.offset)", frequency: $0.element.0, recency: 0, T: 1, monetaryValue: $0.element.1)
        }
        #expect(abs(frequencyMonetaryCorrelation(line)! - 1) < 1e-12)
    }

    @Test func repeatCustomerWithoutSpendIsRejected() {
        let bad = [CustomerSummary(id: "x", frequency: 2, recency: 1, T: 2, monetaryValue: 0)]
        #expect(throws: ValueModelError.self) { try GammaGamma.fit(bad) }
    }
}
