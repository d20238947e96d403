import Testing

@testable import SiyuCore

/// The simple formula, the holdout quality report, warnings, churn bands and the CSV layouts.
@Suite struct ValueQualityTests {
    /// A test model: E[X(t)] = 0.1 · t · (x + 1), always alive.
    struct LinearModel: PurchaseModel {
        func expectedPurchases(in t: Double, frequency: Double, recency: Double, T: Double) -> Double { 0.1 * t * (frequency + 1) }
        func probabilityAlive(frequency: Double, recency: Double, T: Double) -> Double { 1 }
    }

    static let four = [
        CustomerSummary(id: "A", frequency: 2, recency: 10, T: 20, monetaryValue: 15),
        CustomerSummary(id: "B", frequency: 0, recency: 0, T: 10),
        CustomerSummary(id: "C", frequency: 1, recency: 6, T: 10, monetaryValue: 30),
        CustomerSummary(id: "D", frequency: 0, recency: 0, T: 20),
    ]

    @Test func simpleFormulaFromSummaries() {
        // Repeat revenue 2·15 + 1·30 = 60 over 20+10+10+20 = 60 customer-periods: ARPU 1. Two of four came back: 0.5.
        // Mean recency of the repeaters (10 + 6)/2 = 8. With a 40% margin: 1 × 0.5 × 8 × 0.4 = 1.6.
        var simple = SimpleLifetimeValue.estimate(from: Self.four, coefficient: 0.4)
        #expect(simple == SimpleLifetimeValue(averageRevenuePerUser: 1, retentionRate: 0.5, averageLifetime: 8, coefficient: 0.4))
        #expect(abs(simple.value - 1.6) < 1e-12)
        simple.retentionRate = 0.25
        #expect(abs(simple.value - 0.8) < 1e-12)
        #expect(SimpleLifetimeValue.estimate(from: []).value == 0)
    }

    @Test func holdoutReportByFrequencyBucket() {
        func row(_ x: Double, _ actual: Double) -> CalibrationHoldoutSummary {
            CalibrationHoldoutSummary(
                calibration: CustomerSummary(id: "", frequency: x, recency: x > 0 ? 1 : 0, T: 5),
                frequencyHoldout: actual,
                monetaryValueHoldout: 0,
                durationHoldout: 10
            )
        }
        // Predictions over 10 periods: x = 0 → 1, x = 2 → 3, x = 9 → 10 (in the 7+ bucket).
        let report = HoldoutQuality([row(0, 1), row(0, 0), row(2, 4), row(9, 8)], model: LinearModel())
        #expect(report.buckets.count == 8)
        #expect(report.buckets[0] == .init(frequency: 0, customers: 2, predicted: 2, actual: 1))
        #expect(report.buckets[0].meanPredicted == 1 && report.buckets[0].meanActual == 0.5)
        #expect(report.buckets[1] == .init(frequency: 1, customers: 0, predicted: 0, actual: 0))
        #expect(report.buckets[2] == .init(frequency: 2, customers: 1, predicted: 3, actual: 4))
        #expect(report.buckets[7] == .init(frequency: 7, customers: 1, predicted: 10, actual: 8))
        #expect(report.predicted == 15 && report.actual == 13)
        #expect(abs(report.relativeError - 2.0 / 13) < 1e-12)
    }

    /// CDNOW: calibrate on 1997-01-01..09-30 (39 weeks), hold out to 1998-06-30 (39 weeks).
    @Test func cdnowHoldout() throws {
        let purchases = try ValueSummaryTests.samplePurchases()
        let rows = TransactionSummary(period: .day, multiplier: 7).calibrationAndHoldout(
            purchases,
            calibrationEnd: PurchaseRecord.day("1997-09-30")!,
            observationEnd: PurchaseRecord.day("1998-06-30")!
        )
        #expect(rows.count == 2357)
        #expect(rows.allSatisfy { $0.durationHoldout == 39 })  // 273 days / 7
        // Actual: distinct (customer, day) pairs after the calibration end, counted straight from the file.
        let sample = try CDNOW.rows("cdnow_sample.csv")
        let holdoutDays = Set(
            sample.filter { $0["date"]! > "1997-09-30" && $0["date"]! <= "1998-06-30" }.map { $0["customer_id"]! + "|" + $0["date"]! }
        )
        let p = { (name: String) in try CDNOW.golden("models", "BG/NBD", "params", name) }
        let model = try BetaGeometricNBD(r: p("r"), alpha: p("alpha"), a: p("a"), b: p("b"))
        let report = HoldoutQuality(rows, model: model)
        #expect(report.actual == Double(holdoutDays.count))
        // lifetimes: Σ E[X(39)] over the (2-decimal) CDNOW summary is 1653.42; the full-precision summary differs by rounding.
        let sum = try CDNOW.golden("population", "bgnbd_sum_conditional_expected_purchases_39w_all_customers")
        #expect(relativeError(report.predicted, sum) < 1e-3)
        #expect(report.buckets.reduce(0) { $0 + $1.customers } == 2357)
        #expect(report.buckets[0].customers == 2357 - 946)
    }

    @Test func thinDataWarning() throws {
        #expect(ValueWarning.dataWarnings(Self.four) == [.thinData(repeatCustomers: 2, minimum: 100)])
        #expect(ValueWarning.dataWarnings(try CDNOW.summaries()).isEmpty)
    }

    /// Four customers, two of them repeaters: the fit runs, predictions are finite, and the report recommends the simple formula.
    @Test func thinDataFallsBackToSimpleFormula() throws {
        for kind in PurchaseModelKind.allCases {
            var request = CustomerValueFit.Request()
            request.model = kind
            let fit = try CustomerValueFit.run(Self.four, request: request)
            #expect(fit.recommendsSimpleFormula)
            #expect(
                fit.predictions.allSatisfy { $0.expectedPurchases.isFinite && $0.probabilityAlive.isFinite && $0.lifetimeValue?.isFinite == true }
            )
            #expect(fit.textReport().contains("Recommended: the simple formula's value"))
        }
        // Nobody came back: no spend model, no CLV, still finite purchase predictions.
        let once = (1...20).map { CustomerSummary(id: "\($0)", frequency: 0, recency: 0, T: Double($0)) }
        let fit = try CustomerValueFit.run(once, request: CustomerValueFit.Request())
        #expect(fit.spend == nil && fit.predictions.allSatisfy { $0.lifetimeValue == nil && $0.expectedPurchases.isFinite })
    }

    @Test func churnBands() {
        #expect(ChurnRisk(probabilityAlive: 0.29) == .red)
        #expect(ChurnRisk(probabilityAlive: 0.3) == .yellow)
        #expect(ChurnRisk(probabilityAlive: 0.59) == .yellow)
        #expect(ChurnRisk(probabilityAlive: 0.6) == .green)
    }

    @Test func summaryCSVErrorsNameTheProblem() {
        func message(_ text: String) -> String? {
            do {
                _ = try CustomerSummaryCSV.parseSummaries(text)
                return nil
            } catch {
                return (error as? ValueModelError)?.message
            }
        }
        #expect(message("customer_id,frequency,recency,T\n1,0,0,3\n")?.contains("missing column monetary_value") == true)
        #expect(message("customer_id,frequency,recency,T,monetary_value\n1,-1,0,3,0\n") == "line 2: frequency -1 is negative")
        #expect(message("customer_id,frequency,recency,T,monetary_value\n1,1,x,3,0\n") == "line 2: recency 'x' is not a number")
        #expect(message("customer_id,frequency,recency,T,monetary_value\n1,1,4,3,5\n") == "line 2: recency 4.0 is greater than T 3.0")
        #expect(message("") != nil)
        let parsed = try? CustomerSummaryCSV.parseSummaries("T,monetary_value,customer_id,frequency,recency\r\n38.86,22.35,1,2,30.43\r\n")
        #expect(parsed == [CustomerSummary(id: "1", frequency: 2, recency: 30.43, T: 38.86, monetaryValue: 22.35)])
    }

    @Test func fitPipelineOnCDNOW() throws {
        var request = CustomerValueFit.Request()
        request.model = .bgnbd
        let fit = try CustomerValueFit.run(try CDNOW.summaries(), request: request)
        #expect(fit.parameters.map(\.name) == ["r", "alpha", "a", "b"])
        #expect(relativeError(fit.parameters[0].value, 0.2425929) < 1e-3)
        #expect(fit.warnings.isEmpty)
        let first = fit.predictions[0]
        #expect(first.customerId == "1")
        #expect(relativeError(first.expectedPurchases, try CDNOW.golden("customers", "1", "bgnbd_expected_purchases_39w")) < 1e-4)
        #expect(relativeError(first.lifetimeValue!, try CDNOW.golden("customers", "1", "clv_bgnbd_12m_disc0.01_freqW")) < 1e-4)
        let csv = CustomerSummaryCSV.predictionsCSV(fit.predictions)
        #expect(csv.hasPrefix("customer_id,expected_purchases,p_alive,expected_avg_value,clv\n1,"))
        #expect(csv.split(separator: "\n").count == 2358)
    }
}

/// The command's pipeline from raw purchases, and its reports.
@Suite struct ValueReportTests {
    @Test func fromTransactionsWithHoldout() throws {
        var request = CustomerValueFit.Request()
        request.spend = true
        let fit = try CustomerValueFit.run(
            purchases: try ValueSummaryTests.samplePurchases(),
            summary: TransactionSummary(period: .day, multiplier: 7),
            calibrationEnd: PurchaseRecord.day("1997-09-30")!,
            request: request
        )
        // The full-precision sample summary equals Hardie's to rounding: the published parameters to 3 digits.
        #expect(abs(fit.parameters[0].value - 0.243) < 0.0015 && abs(fit.parameters[1].value - 4.414) < 0.01)
        #expect(abs(fit.parameters[2].value - 0.793) < 0.005 && abs(fit.parameters[3].value - 2.426) < 0.02)
        let holdout = try #require(fit.holdout)
        #expect(holdout.buckets.reduce(0) { $0 + $1.customers } == 2357)
        let text = fit.textReport()
        #expect(text.hasPrefix("BG/NBD fitted on 2357 customers"))
        #expect(text.contains("Holdout: predicted"))
        #expect(text.contains("  7+"))
        let json = fit.jsonReport()
        #expect(json.hasPrefix("{\"model\":\"bgnbd\",\"customers\":2357,\"parameters\":{\"r\":0.24"))
        #expect(json.contains("\"holdout\":{\"predicted\":"))
    }

    @Test func fixedDecimals() {
        #expect(fixed(3.14159, 2) == "3.14")
        #expect(fixed(-0.0004, 3) == "0.000")
        #expect(fixed(-2.5, 0) == "-3")
        #expect(fixed(9582.42556, 4) == "9582.4256")
        #expect(fixed(0.05, 1) == "0.1")
    }
}
