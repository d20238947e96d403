/// Customer value for a workspace: its orders become per-person purchase summaries (days,
/// lengths in weeks — `lifetimes`' `freq='D', freq_multiplier=7`), the models are fitted, and each
/// buyer gets predicted values that profiles, segments and tiers can use.
public struct WorkspaceValue: Sendable {
    /// The attribute names written onto people.
    public enum Attribute {
        /// Predicted value over the next 12 months (major units of the workspace currency), or the
        /// simple formula's value when the model is not to be trusted.
        public static let clv = "clv"
        public static let probabilityAlive = "p_alive"
        public static let expectedOrders90 = "expected_orders_90d"
        public static let expectedAverageValue = "expected_avg_value"
    }

    /// The label with each buyer's churn risk band (`red`: P(alive) < 0.3, `yellow`: < 0.6, else `green`).
    public static let churnLabel = "value.churn"

    /// The label with each buyer's recency band (``RecencyBands``: green within 2 repurchase
    /// cycles of their last order, yellow within 4, red beyond).
    public static let recencyLabel = "value.recency"

    public var fit: CustomerValueFit
    /// Person id → attribute name → value.
    public var attributes: [String: [Int64: Double]]
    public var churnBands: [Int64: String]
    /// Person id → recency band, and the repurchase cycle they were measured in (`nil` until someone ordered twice).
    public var recencyBands: [Int64: String]
    public var recency: RecencyBands?
    public var customers: Int
    /// Whether `clv` holds the simple formula's value because the model is not to be trusted
    /// (``CustomerValueFit/distrustReasons``).
    public var usesSimpleFormula: Bool { fit.recommendsSimpleFormula }

    /// The days held out to check a fit on `historyDays` days of orders: a quarter of them, 7 to 90
    /// days; none under 28 days of history.
    public static func holdoutDays(historyDays: Int) -> Int? {
        historyDays < 28 ? nil : min(90, max(7, historyDays / 4))
    }

    /// Fits on the orders of `dataset` placed before `cutoff`; revenue is converted from minor
    /// units with `exponent` decimals.
    ///
    /// Besides the fit on every order, a second fit on all but the last ``holdoutDays(historyDays:)``
    /// days is scored on those days (``CustomerValueFit/holdout``). When the model is not to be
    /// trusted — too few repeat customers, no convergence, a holdout miss over 20 %, no spend —
    /// every buyer's `clv` is the simple formula's value instead of the model's.
    public static func fit(
        dataset: Dataset,
        calendar: LocalCalendar,
        cutoff: Int64,
        exponent: Int,
        model: PurchaseModelKind = .bgnbd,
        penalizer: Double = 0,
        simpleInputs: SimpleLifetimeValue.Inputs = .init()
    ) throws -> WorkspaceValue {
        var scale = 1.0
        for _ in 0..<exponent { scale *= 10 }
        var purchases: [PurchaseRecord] = []
        for p in 0..<dataset.personCount {
            let id = String(dataset.personIds[p])
            for e in dataset.eventStart(p)..<dataset.eventEnd(p) where dataset.isOrder[e] && dataset.timestamps[e] < cutoff {
                purchases.append(PurchaseRecord(customerId: id, day: calendar.day(dataset.timestamps[e]), amount: Double(dataset.revenue[e]) / scale))
            }
        }
        guard !purchases.isEmpty else { throw ValueModelError("there are no orders to learn from yet") }
        let lastDay = calendar.day(cutoff - 1)
        let transactions = TransactionSummary(period: .day, multiplier: 7)
        // A customer first seen on the cut-off day has T = 0 and nothing to learn from (as in `lifetimes`).
        let summaries = transactions.summarize(purchases, observationEnd: lastDay).filter { $0.T > 0 }
        guard !summaries.isEmpty else { throw ValueModelError("every customer bought for the first time today: there is no history yet") }
        var request = CustomerValueFit.Request()
        request.model = model
        request.horizon = 90.0 / 7
        request.options.penalizer = penalizer
        request.simpleInputs = simpleInputs
        var fit = try CustomerValueFit.run(summaries, request: request)
        let firstDay = purchases.lazy.map(\.day).min() ?? lastDay
        if let holdout = holdoutDays(historyDays: lastDay - firstDay + 1) {
            var check = request
            check.spend = false
            // A calibration period too thin to fit simply gives no holdout check.
            if let scored = try? CustomerValueFit.run(
                purchases: purchases,
                summary: transactions,
                calibrationEnd: lastDay - holdout,
                observationEnd: lastDay,
                request: check
            ), let quality = scored.holdout {
                fit.holdout = quality
                fit.warnings += scored.warnings.filter { if case .poorHoldoutFit = $0 { true } else { false } }
            }
        }
        let simple = fit.recommendsSimpleFormula ? fit.simple.value : nil
        var attributes: [String: [Int64: Double]] = [:]
        var bands: [Int64: String] = [:]
        for prediction in fit.predictions {
            guard let id = Int64(prediction.customerId) else { continue }
            attributes[Attribute.probabilityAlive, default: [:]][id] = prediction.probabilityAlive
            attributes[Attribute.expectedOrders90, default: [:]][id] = prediction.expectedPurchases
            if let average = prediction.expectedAverageValue, average.isFinite {
                attributes[Attribute.expectedAverageValue, default: [:]][id] = average
            }
            if let value = simple ?? prediction.lifetimeValue, value.isFinite { attributes[Attribute.clv, default: [:]][id] = value }
            bands[id] = prediction.churnRisk.rawValue
        }
        var recencyBands: [Int64: String] = [:]
        let recency = RecencyBands.evaluate(dataset, calendar: calendar, now: cutoff)
        for (person, band) in recency?.people ?? [:] { recencyBands[dataset.personIds[person]] = band.rawValue }
        return WorkspaceValue(
            fit: fit,
            attributes: attributes,
            churnBands: bands,
            recencyBands: recencyBands,
            recency: recency?.bands,
            customers: summaries.count
        )
    }
}
