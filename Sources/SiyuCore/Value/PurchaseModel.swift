/// A fitted model of when customers buy and when they stop (BG/NBD, Pareto/NBD, MBG/NBD), in the
/// time unit of the summaries it was fitted on.
public protocol PurchaseModel: Sendable {
    /// Expected repeat purchases in the next `t` periods by a customer with this history
    /// (`conditional_expected_number_of_purchases_up_to_time`).
    func expectedPurchases(in t: Double, frequency: Double, recency: Double, T: Double) -> Double
    /// Probability that a customer with this history has not yet churned (`conditional_probability_alive`).
    func probabilityAlive(frequency: Double, recency: Double, T: Double) -> Double
}

extension PurchaseModel {
    /// ``expectedPurchases(in:frequency:recency:T:)`` for a summary.
    public func expectedPurchases(in t: Double, for customer: CustomerSummary) -> Double {
        expectedPurchases(in: t, frequency: customer.frequency, recency: customer.recency, T: customer.T)
    }

    /// ``probabilityAlive(frequency:recency:T:)`` for a summary.
    public func probabilityAlive(for customer: CustomerSummary) -> Double {
        probabilityAlive(frequency: customer.frequency, recency: customer.recency, T: customer.T)
    }
}

/// How likely a customer is to have slipped away, for operators: red below P(alive) 0.3, yellow below 0.6.
public enum ChurnRisk: String, Sendable, Equatable, CaseIterable {
    case green
    case yellow
    case red

    public init(probabilityAlive p: Double, red: Double = 0.3, yellow: Double = 0.6) {
        self = p < red ? .red : p < yellow ? .yellow : .green
    }
}
