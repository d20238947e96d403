import Foundation
import Testing

@testable import SiyuCore

/// Customer value on data as brands have it: zero-value orders, too little history, lapsed buyers.
@Suite struct ValueRealDataTests {
    typealias F = AnalyticsFixture

    /// `master_golden.json` (written by `scripts/reference/cdnow_master.py` with lifetimes 0.11.3).
    func golden() throws -> [String: Any] {
        let data = try Data(contentsOf: CDNOW.directory.appendingPathComponent("master_golden.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func number(_ object: [String: Any], _ path: String...) -> Double {
        var node: Any = object
        for key in path { node = (node as! [String: Any])[key]! }
        return (node as! NSNumber).doubleValue
    }

    func close(_ a: Double, _ b: Double, relative: Double) -> Bool { abs(a - b) <= relative * max(abs(a), abs(b)) }

    /// CDNOW's full master file (23,570 customers) as `siyu value fit --from-transactions … --period
    /// day --multiplier 7 --calibration-end 1997-09-30` reads it. One repeat customer, 10244, bought
    /// again only for $0: lifetimes' Gamma-Gamma refuses the file, its documentation filters such
    /// customers out; the fit leaves them out with a warning and gives them the population mean.
    @Test func theFullCDNOWMasterFileFitsDespiteAZeroValueRepeatCustomer() throws {
        let reference = try golden()
        let purchases = try CustomerSummaryCSV.parsePurchases(try CDNOW.text("cdnow_master.csv"))
        let end = try #require(PurchaseRecord.day("1997-09-30"))
        let fit = try CustomerValueFit.run(
            purchases: purchases,
            summary: TransactionSummary(period: .day, multiplier: 7),
            calibrationEnd: end,
            request: CustomerValueFit.Request()
        )
        #expect(fit.diagnostics.customers == Int(number(reference, "customers")))
        let spend = try #require(fit.spend)
        #expect(fit.spendDiagnostics?.customers == Int(number(reference, "gamma_gamma", "customers")))
        for (name, value) in [("p", spend.p), ("q", spend.q), ("v", spend.v)] {
            #expect(close(value, number(reference, "gamma_gamma", name), relative: 1e-3), "\(name) = \(value)")
        }
        for (index, name) in ["r", "alpha", "a", "b"].enumerated() {
            #expect(close(fit.parameters[index].value, number(reference, "bgnbd", name), relative: 1e-3), "\(name)")
        }
        #expect(fit.warnings.contains(.nonPositiveSpend(customers: 1, example: "10244")))
        let byId = Dictionary(uniqueKeysWithValues: fit.predictions.map { ($0.customerId, $0) })
        let population = number(reference, "gamma_gamma", "population_mean")
        #expect(close(try #require(byId["10244"]?.expectedAverageValue), population, relative: 1e-3))
        let averages = try #require(reference["expected_average_value"] as? [String: NSNumber])
        for (id, value) in averages {
            #expect(close(try #require(byId[id]?.expectedAverageValue), value.doubleValue, relative: 1e-3), "customer \(id)")
        }
    }

    /// With no repeat customer who spent anything, there is no spend model and the model's values
    /// are not to be trusted: a warning, never a failure.
    @Test func noPaidRepeatsMeansNoSpendModelAndNoFailure() throws {
        let customers = (0..<150).map { i in
            CustomerSummary(id: "c\(i)", frequency: Double(i % 3), recency: Double(i % 3) * 4, T: 20, monetaryValue: 0)
        }
        let fit = try CustomerValueFit.run(customers, request: CustomerValueFit.Request())
        #expect(fit.spend == nil)
        #expect(fit.warnings.contains(.noSpend(repeatCustomers: 100)))
        #expect(fit.recommendsSimpleFormula)
        #expect(fit.predictions.allSatisfy { $0.lifetimeValue == nil })
    }

    /// ARPU × retention × lifetime × coefficient with the operator's inputs in place of the estimates.
    @Test func theSimpleFormulaTakesTheOperatorsInputs() {
        let estimate = SimpleLifetimeValue(averageRevenuePerUser: 3, retentionRate: 0.4, averageLifetime: 10)
        // Only the coefficient set: 3 × 0.4 × 10 × 0.35 = 4.2.
        let margin = estimate.applying(.init(coefficient: 0.35))
        #expect(abs(margin.value - 4.2) < 1e-12)
        // All four: 12.5 × 0.5 × 20 × 0.4 = 50.
        let all = estimate.applying(.init(averageRevenuePerUser: 12.5, retentionRate: 0.5, averageLifetime: 20, coefficient: 0.4))
        #expect(abs(all.value - 50) < 1e-12)
        #expect(SimpleLifetimeValue.Inputs(retentionRate: 1.5).problems().map(\.field) == ["retentionRate"])
        #expect(
            SimpleLifetimeValue.Inputs(averageRevenuePerUser: .nan, coefficient: -1).problems().map(\.field) == [
                "averageRevenuePerUser", "coefficient",
            ]
        )
        #expect(SimpleLifetimeValue.Inputs(averageRevenuePerUser: 0, retentionRate: 1, averageLifetime: 0, coefficient: 100).problems().isEmpty)
    }

    /// Gaps between order days 10, 10, 30 (and a one-time buyer): the median cycle is 10 days, so
    /// yellow begins after 20 days and red after 40.
    @Test func recencyBandsFollowTheRepurchaseCycle() throws {
        let bands = try #require(RecencyBands.cycle(orderDays: [[0, 10, 20], [5, 35], [3]]))
        #expect(bands.cycleDays == 10 && bands.gaps == 3)
        #expect(bands.band(daysSinceLastOrder: 20) == .green)
        #expect(bands.band(daysSinceLastOrder: 21) == .yellow)
        #expect(bands.band(daysSinceLastOrder: 40) == .yellow)
        #expect(bands.band(daysSinceLastOrder: 41) == .red)
        // An even number of gaps takes the mean of the middle two: 4 and 6 → 5.
        #expect(RecencyBands.cycle(orderDays: [[0, 4], [0, 6]])?.cycleDays == 5)
        #expect(RecencyBands.cycle(orderDays: [[1], [2]]) == nil)
    }

    /// Twenty copies of five buyers, orders of ¥10 at 10:00 UTC on these days (cut-off: the start of day 40):
    ///
    /// | buyer | order days        | last order (days ago) | recency band |
    /// |-------|-------------------|-----------------------|--------------|
    /// | A     | 0, 10, 20, 35, 38 | 2                     | green        |
    /// | B     | 5, 32             | 8                     | green        |
    /// | C     | 31                | 9                     | green        |
    /// | D     | −1                | 41                    | red          |
    /// | E     | 15                | 25                    | yellow       |
    ///
    /// Gaps: A 10, 10, 15, 3 and B 27, twenty times each: the median of the 100 gaps is 10 days.
    /// History runs from day −1 to day 39 (41 days), so the last ⌊41 / 4⌋ = 10 days (30–39) are held
    /// out: the calibration customers are A, B, D and E (C first bought on day 31); in the holdout A
    /// ordered on 2 days and B on 1, 3 × 20 = 60 orders, A from calibration frequency 2 (days 10, 20)
    /// and B, D, E from frequency 0. Only A and B came back (40 < 100 repeat customers): the model is
    /// not to be trusted, so every buyer's CLV is the simple formula's, in weeks as of day 39:
    /// ARPU = Σ f·m ÷ Σ T = 20·(4·10 + 1·10) ÷ (20·(39 + 34 + 8 + 40 + 24) ÷ 7) = 350 ÷ 145 per week,
    /// retention 2 ÷ 5, lifetime = mean recency of A and B = (38 + 27) ÷ 2 ÷ 7 = 65 ÷ 14 weeks:
    /// 350 / 145 × 2 / 5 × 65 / 14 = 45,500 / 10,150 = 4.482759.
    @Test func theDailyFitChecksItselfOnAHoldoutAndFallsBackToTheSimpleFormula() throws {
        func order(_ day: Int64) -> F.Event { ("Order Completed", day * 1440 + 600, "app", ["revenue": .int(1000)]) }
        let pattern: [[Int64]] = [[0, 10, 20, 35, 38], [5, 32], [31], [-1], [15]]
        var people: [Int64: [F.Event]] = [:]
        for copy in 0..<20 {
            for (index, days) in pattern.enumerated() { people[Int64(copy * 10 + index + 1)] = days.map(order) }
        }
        let dataset = F.dataset(people)
        let value = try WorkspaceValue.fit(dataset: dataset, calendar: .utc, cutoff: F.t0 + 40 * F.day, exponent: 2)
        let holdout = try #require(value.fit.holdout)
        #expect(holdout.actual == 60)
        #expect(holdout.buckets[0].customers == 60 && holdout.buckets[0].actual == 20)
        #expect(holdout.buckets[2].customers == 20 && holdout.buckets[2].actual == 40)
        #expect(holdout.predicted > 0 && holdout.predicted.isFinite)
        #expect(value.usesSimpleFormula)
        let clv = try #require(value.attributes[WorkspaceValue.Attribute.clv])
        #expect(clv.count == 100)
        #expect(clv.values.allSatisfy { abs($0 - 45_500.0 / 10_150) < 1e-9 })
        #expect(abs(value.fit.simple.value - 45_500.0 / 10_150) < 1e-9)
        #expect(value.recency?.cycleDays == 10)
        let bands = Dictionary(grouping: value.recencyBands, by: \.value).mapValues(\.count)
        #expect(bands == ["green": 60, "red": 20, "yellow": 20])
        #expect(value.recencyBands[1] == "green" && value.recencyBands[4] == "red" && value.recencyBands[5] == "yellow")
    }

    /// Less than four weeks of orders: no holdout is taken (``WorkspaceValue/holdoutDays(historyDays:)``).
    @Test func shortHistoriesHaveNoHoldout() {
        #expect(WorkspaceValue.holdoutDays(historyDays: 27) == nil)
        #expect(WorkspaceValue.holdoutDays(historyDays: 28) == 7)
        #expect(WorkspaceValue.holdoutDays(historyDays: 90) == 22)
        #expect(WorkspaceValue.holdoutDays(historyDays: 1000) == 90)
    }
}

/// A BG/NBD fit at the model's limit: customers who hardly differ in how likely they are to drop
/// out, so the likelihood keeps rising as a and b grow together (the demo brand's orders).
@Suite struct ValueBoundaryTests {
    func golden() throws -> [String: Double] {
        let data = try Data(contentsOf: CDNOW.directory.deletingLastPathComponent().appendingPathComponent("value/same_dropout_golden.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
    }

    func summary() throws -> [CustomerSummary] {
        let url = CDNOW.directory.deletingLastPathComponent().appendingPathComponent("value/same_dropout_summary.csv")
        return try CustomerSummaryCSV.parseSummaries(try String(contentsOf: url, encoding: .utf8))
    }

    /// `same_dropout_golden.json` (scripts/reference/same_dropout.py, lifetimes 0.11.3): where
    /// lifetimes' minimisation stops on the plateau. Siyu stops on the same plateau — as high or
    /// higher, with the same r, alpha and dropout chance — says so, and keeps the model's values
    /// instead of falling back to the simple formula as it does when a fit truly fails.
    @Test func aFitAtTheModelsLimitIsUsedWithANote() throws {
        let reference = try golden()
        let fit = try CustomerValueFit.run(try summary(), request: CustomerValueFit.Request())
        #expect(fit.diagnostics.customers == Int(try #require(reference["customers"])))
        #expect(fit.diagnostics.atBoundary)
        let objective = try #require(reference["objective"])
        #expect(fit.diagnostics.libraryObjective <= objective + 1e-9)
        let values = Dictionary(uniqueKeysWithValues: fit.parameters.map { ($0.name, $0.value) })
        let (a, b) = (try #require(values["a"]), try #require(values["b"]))
        #expect(min(a, b) > 1e4)
        for name in ["r", "alpha"] {
            let (expected, value) = (try #require(reference[name]), try #require(values[name]))
            #expect(abs(value - expected) <= 2e-3 * expected, "\(name)")
        }
        let dropout = a / (a + b)
        let expectedDropout = try #require(reference["dropout"])
        #expect(abs(dropout - expectedDropout) <= 2e-3)
        #expect(fit.warnings.contains(.sameDropout(model: "BG/NBD", dropout: dropout)))
        #expect(!fit.warnings.contains(.notConverged(model: "BG/NBD")))
        #expect(!fit.recommendsSimpleFormula)
        // The limit's predictions are finite and ordinary: P(alive) within [0, 1], CLV positive.
        #expect(fit.predictions.allSatisfy { (0...1).contains($0.probabilityAlive) && $0.expectedPurchases.isFinite })
        #expect(fit.predictions.allSatisfy { ($0.lifetimeValue ?? 0) > 0 })
    }

    /// A fit that stops for lack of iterations far from any limit is still "not converged" and
    /// falls back to the simple formula (CDNOW, cut off after 3 iterations).
    @Test func aFitStoppedEarlyIsStillNotConverged() throws {
        let customers = try CustomerSummaryCSV.parseSummaries(try CDNOW.text("cdnow_summary.csv"))
        let result = QuasiNewtonMinimizer(maximumIterations: 3).minimize(from: [0, 0, 0, 0]) { logs in
            let theta = logs.map { Foundation.exp($0) }
            let (value, gradient) = BetaGeometricNBD.negativeLogLikelihood(theta, PurchasePatterns(customers))
            return (value, zip(theta, gradient).map { $0 * $1 })
        }
        #expect(!result.converged)
        #expect(!LogParameterFit.reachedBoundary(result, parameters: result.point.map { Foundation.exp($0) }, pair: (2, 3)))
    }
}
