/// The seed plan's rule-of-thumb value for operators without enough history for the probabilistic
/// models: CLV = ARPU × retention rate × average lifetime × coefficient.
///
/// Every input is estimated from the customer summaries by ``estimate(from:coefficient:)`` and can
/// be overridden by assigning it, e.g. an operator who knows their margin sets `coefficient` to it.
public struct SimpleLifetimeValue: Sendable, Equatable {
    /// Revenue per customer per period: repeat revenue Σ frequency × monetary value over the
    /// customer-periods observed Σ T.
    public var averageRevenuePerUser: Double
    /// Share of customers who came back at least once (frequency > 0).
    public var retentionRate: Double
    /// Periods a returning customer stays active: the mean recency of the repeat customers.
    public var averageLifetime: Double
    /// Multiplier for margin or any other adjustment (1 means revenue).
    public var coefficient: Double

    public init(averageRevenuePerUser: Double, retentionRate: Double, averageLifetime: Double, coefficient: Double = 1) {
        self.averageRevenuePerUser = averageRevenuePerUser
        self.retentionRate = retentionRate
        self.averageLifetime = averageLifetime
        self.coefficient = coefficient
    }

    /// ARPU × retention rate × average lifetime × coefficient.
    public var value: Double { averageRevenuePerUser * retentionRate * averageLifetime * coefficient }

    /// The inputs computed from summaries (all 0 for no customers).
    public static func estimate(from customers: [CustomerSummary], coefficient: Double = 1) -> SimpleLifetimeValue {
        let exposure = customers.reduce(0) { $0 + $1.T }
        let revenue = customers.reduce(0) { $0 + $1.frequency * $1.monetaryValue }
        let repeaters = customers.filter { $0.frequency > 0 }
        return SimpleLifetimeValue(
            averageRevenuePerUser: exposure > 0 ? revenue / exposure : 0,
            retentionRate: customers.isEmpty ? 0 : Double(repeaters.count) / Double(customers.count),
            averageLifetime: repeaters.isEmpty ? 0 : repeaters.reduce(0) { $0 + $1.recency } / Double(repeaters.count),
            coefficient: coefficient
        )
    }
}
