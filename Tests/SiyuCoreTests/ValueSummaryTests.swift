import Testing

@testable import SiyuCore

/// `TransactionSummary` against `lifetimes.utils.summary_data_from_transaction_data` run on the
/// CDNOW sample (the fixture files), and hand-worked calibration/holdout cases.
@Suite struct ValueSummaryTests {
    static func samplePurchases() throws -> [PurchaseRecord] {
        try CDNOW.rows("cdnow_sample.csv").map {
            PurchaseRecord(customerId: $0["customer_id"]!, day: PurchaseRecord.day($0["date"]!)!, amount: Double($0["amount"]!)!)
        }
    }

    static func expectMatches(_ summaries: [CustomerSummary], _ file: String) throws {
        let expected = try CDNOW.summaries(file)
        #expect(summaries.count == expected.count)
        let byId = Dictionary(uniqueKeysWithValues: summaries.map { ($0.id, $0) })
        for e in expected {
            guard let s = byId[e.id] else {
                Issue.record("customer \(e.id) missing")
                continue
            }
            #expect(s.frequency == e.frequency, "customer \(e.id)")
            #expect(abs(s.recency - e.recency) < 1e-9, "customer \(e.id)")
            #expect(abs(s.T - e.T) < 1e-9, "customer \(e.id)")
            #expect(abs(s.monetaryValue - e.monetaryValue) < 1e-9, "customer \(e.id)")
        }
    }

    /// `summary_data_from_transaction_data(sample, ..., observation_period_end='1997-09-30', freq='D', freq_multiplier=7)`.
    @Test func dailyPeriodsInWeeksReproduceLifetimes() throws {
        let end = PurchaseRecord.day("1997-09-30")!
        let summaries = TransactionSummary(period: .day, multiplier: 7).summarize(try Self.samplePurchases(), observationEnd: end)
        try Self.expectMatches(summaries, "cdnow_summary_from_sample_daily_weeks.csv")
        // Rounded to 2 decimals it is Hardie's summary, the one all published fits use.
        let hardie = try CDNOW.summaries()
        let byId = Dictionary(uniqueKeysWithValues: summaries.map { ($0.id, $0) })
        for h in hardie {
            let s = byId[h.id]!
            #expect(
                abs(s.recency - h.recency) <= 0.005 + 1e-9 && abs(s.T - h.T) <= 0.005 + 1e-9 && abs(s.monetaryValue - h.monetaryValue) <= 0.005 + 1e-9
            )
        }
    }

    /// The same call with `freq='W'`: pandas `W-SUN` weeks, so purchases Monday–Sunday collapse.
    @Test func weeklyPeriodsReproduceLifetimes() throws {
        let end = PurchaseRecord.day("1997-09-30")!
        let summaries = TransactionSummary(period: .week).summarize(try Self.samplePurchases(), observationEnd: end)
        try Self.expectMatches(summaries, "cdnow_summary_from_sample_freqW.csv")
    }

    @Test func weeksStartOnMonday() {
        // 1997-01-01 was a Wednesday; its W-SUN week starts Monday 1996-12-30. 2024-01-01 was a Monday.
        #expect(PurchasePeriod.week.start(of: PurchaseRecord.day("1997-01-01")!) == PurchaseRecord.day("1996-12-30")!)
        #expect(PurchasePeriod.week.start(of: PurchaseRecord.day("1997-01-05")!) == PurchaseRecord.day("1996-12-30")!)
        #expect(PurchasePeriod.week.start(of: PurchaseRecord.day("2024-01-01")!) == PurchaseRecord.day("2024-01-01")!)
        #expect(PurchasePeriod.month.start(of: PurchaseRecord.day("2024-02-29")!) == PurchaseRecord.day("2024-02-01")!)
        #expect(PurchasePeriod.month.periods(from: PurchaseRecord.day("2023-11-01")!, to: PurchaseRecord.day("2024-02-01")!) == 3)
    }

    /// A: Jan 1 (10 + 5), Jan 3 (20) | holdout Jan 10 (7), Jan 12 (3 + 1). B: only Jan 8 (holdout). C: Jan 4 (8).
    static let handPurchases: [PurchaseRecord] = [
        ("A", "2024-01-01", 10), ("A", "2024-01-01", 5), ("A", "2024-01-03", 20), ("B", "2024-01-08", 9),
        ("A", "2024-01-10", 7), ("A", "2024-01-12", 3), ("C", "2024-01-04", 8), ("A", "2024-01-12", 1),
    ].map { PurchaseRecord(customerId: $0.0, day: PurchaseRecord.day($0.1)!, amount: $0.2) }

    @Test func calibrationAndHoldoutByDay() {
        let result = TransactionSummary(period: .day).calibrationAndHoldout(
            Self.handPurchases,
            calibrationEnd: PurchaseRecord.day("2024-01-05")!,
            observationEnd: PurchaseRecord.day("2024-01-15")!
        )
        // A in calibration: periods Jan 1 (15) and Jan 3 (20): frequency 1, recency 2, T 4 (Jan 1 → Jan 5), monetary 20
        // (the first period is excluded). Holdout: Jan 10 (7) and Jan 12 (4): 2 periods, mean 5.5, 10 days long.
        // C: one purchase, T 1 (Jan 4 → Jan 5), nothing after. B first bought after the calibration end: left out.
        #expect(
            result == [
                CalibrationHoldoutSummary(
                    calibration: CustomerSummary(id: "A", frequency: 1, recency: 2, T: 4, monetaryValue: 20),
                    frequencyHoldout: 2,
                    monetaryValueHoldout: 5.5,
                    durationHoldout: 10
                ),
                CalibrationHoldoutSummary(
                    calibration: CustomerSummary(id: "C", frequency: 0, recency: 0, T: 1, monetaryValue: 0),
                    frequencyHoldout: 0,
                    monetaryValueHoldout: 0,
                    durationHoldout: 10
                ),
            ]
        )
    }

    @Test func calibrationAndHoldoutByWeek() {
        let result = TransactionSummary(period: .week).calibrationAndHoldout(
            Self.handPurchases,
            calibrationEnd: PurchaseRecord.day("2024-01-05")!,
            observationEnd: PurchaseRecord.day("2024-01-15")!
        )
        // Weeks start Jan 1, 8, 15. A's calibration purchases all fall in week 1: frequency 0, T 0 (the end's week is
        // the first week). Holdout: Jan 10 and 12 are one week-period worth 7 + 3 + 1 = 11. Duration: week 3 − week 1 = 2.
        #expect(result.map(\.calibration.frequency) == [0, 0])
        #expect(result.map(\.calibration.T) == [0, 0])
        #expect(result.map(\.frequencyHoldout) == [1, 0])
        #expect(result.map(\.monetaryValueHoldout) == [11, 0])
        #expect(result.map(\.durationHoldout) == [2, 2])
    }

    @Test func observationEndDropsLaterPurchases() {
        // As of Jan 3: A has Jan 1 and Jan 3 (frequency 1, recency 2, T 2, monetary 20); nobody else had bought.
        let result = TransactionSummary().summarize(Self.handPurchases, observationEnd: PurchaseRecord.day("2024-01-03")!)
        #expect(result == [CustomerSummary(id: "A", frequency: 1, recency: 2, T: 2, monetaryValue: 20)])
    }
}
