/// Customer value for a workspace: its orders become per-person purchase summaries (days,
/// lengths in weeks — `lifetimes`' `freq='D', freq_multiplier=7`), the models are fitted, and each
/// buyer gets predicted values that profiles, segments and tiers can use.
public struct WorkspaceValue: Sendable {
    /// The attribute names written onto people.
    public enum Attribute {
        /// Predicted value over the next 12 months (major units of the workspace currency).
        public static let clv = "clv"
        public static let probabilityAlive = "p_alive"
        public static let expectedOrders90 = "expected_orders_90d"
        public static let expectedAverageValue = "expected_avg_value"
    }

    /// The label with each buyer's churn risk band (`red`: P(alive) < 0.3, `yellow`: < 0.6, else `green`).
    public static let churnLabel = "value.churn"

    public var fit: CustomerValueFit
    /// Person id → attribute name → value.
    public var attributes: [String: [Int64: Double]]
    public var churnBands: [Int64: String]
    public var customers: Int

    /// Fits on the orders of `dataset` placed before `cutoff`; revenue is converted from minor
    /// units with `exponent` decimals.
    public static func fit(
        dataset: Dataset,
        calendar: LocalCalendar,
        cutoff: Int64,
        exponent: Int,
        model: PurchaseModelKind = .bgnbd,
        penalizer: Double = 0
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
        // A customer first seen on the cut-off day has T = 0 and nothing to learn from (as in `lifetimes`).
        let summaries = TransactionSummary(period: .day, multiplier: 7).summarize(purchases, observationEnd: calendar.day(cutoff - 1))
            .filter { $0.T > 0 }
        guard !summaries.isEmpty else { throw ValueModelError("every customer bought for the first time today: there is no history yet") }
        var request = CustomerValueFit.Request()
        request.model = model
        request.horizon = 90.0 / 7
        request.options.penalizer = penalizer
        let fit = try CustomerValueFit.run(summaries, request: request)
        var attributes: [String: [Int64: Double]] = [:]
        var bands: [Int64: String] = [:]
        for prediction in fit.predictions {
            guard let id = Int64(prediction.customerId) else { continue }
            attributes[Attribute.probabilityAlive, default: [:]][id] = prediction.probabilityAlive
            attributes[Attribute.expectedOrders90, default: [:]][id] = prediction.expectedPurchases
            if let average = prediction.expectedAverageValue, average.isFinite {
                attributes[Attribute.expectedAverageValue, default: [:]][id] = average
            }
            if let value = prediction.lifetimeValue, value.isFinite { attributes[Attribute.clv, default: [:]][id] = value }
            bands[id] = prediction.churnRisk.rawValue
        }
        return WorkspaceValue(fit: fit, attributes: attributes, churnBands: bands, customers: summaries.count)
    }
}
