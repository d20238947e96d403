/// The seed plan's rule-of-thumb value for operators without enough history for the probabilistic
/// models: CLV = ARPU × retention rate × average lifetime × coefficient.
///
/// Every input is estimated from the customer summaries by ``estimate(from:coefficient:)`` and can
/// be set by the operator (``Inputs``: `siyu value fit --arpu/--retention/--lifetime/--coefficient`,
/// the API's `simple` object, the customer-value page), e.g. one who knows their margin sets
/// `coefficient` to it. Time is in the summaries' unit (weeks for a workspace): ARPU per week,
/// lifetime in weeks.
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

    /// Inputs an operator sets; `nil` keeps the estimate.
    public struct Inputs: Sendable, Equatable {
        public var averageRevenuePerUser: Double?
        public var retentionRate: Double?
        public var averageLifetime: Double?
        public var coefficient: Double?

        public init(averageRevenuePerUser: Double? = nil, retentionRate: Double? = nil, averageLifetime: Double? = nil, coefficient: Double? = nil) {
            self.averageRevenuePerUser = averageRevenuePerUser
            self.retentionRate = retentionRate
            self.averageLifetime = averageLifetime
            self.coefficient = coefficient
        }

        public var isEmpty: Bool { self == Inputs() }

        /// The names of the inputs that are set, in the formula's order (as in reports).
        public var names: [String] {
            [
                ("averageRevenuePerUser", averageRevenuePerUser), ("retentionRate", retentionRate), ("averageLifetime", averageLifetime),
                ("coefficient", coefficient),
            ].compactMap { $0.1 == nil ? nil : $0.0 }
        }

        /// Accepted ranges: ARPU and lifetime 0 to 10⁹, retention 0 to 1, coefficient 0 to 100.
        public func problems() -> [(field: String, message: String)] {
            var problems: [(String, String)] = []
            func check(_ value: Double?, _ field: String, _ range: ClosedRange<Double>, _ words: String) {
                if let value, !(value.isFinite && range.contains(value)) { problems.append((field, "\(field) must be \(words)")) }
            }
            check(averageRevenuePerUser, "averageRevenuePerUser", 0...1e9, "a number from 0 to 1,000,000,000 (revenue per customer per week)")
            check(retentionRate, "retentionRate", 0...1, "a share from 0 to 1")
            check(averageLifetime, "averageLifetime", 0...1e9, "a number of weeks from 0 to 1,000,000,000")
            check(coefficient, "coefficient", 0...100, "a number from 0 to 100")
            return problems
        }
    }

    /// The estimate with the inputs the operator set in place of the estimated ones.
    public func applying(_ inputs: Inputs) -> SimpleLifetimeValue {
        SimpleLifetimeValue(
            averageRevenuePerUser: inputs.averageRevenuePerUser ?? averageRevenuePerUser,
            retentionRate: inputs.retentionRate ?? retentionRate,
            averageLifetime: inputs.averageLifetime ?? averageLifetime,
            coefficient: inputs.coefficient ?? coefficient
        )
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
