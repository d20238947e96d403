/// How many model time units make a month, as `lifetimes`' `customer_lifetime_value(freq=)`.
public enum LifetimeValueUnit: String, Sendable, Equatable, CaseIterable {
    /// Model time in days: 30 per month (`freq='D'`, lifetimes' default).
    case day
    /// Model time in weeks: 4.345 per month (`freq='W'`).
    case week
    /// Model time in months (`freq='M'`).
    case month
    /// Model time in hours: 720 per month (`freq='H'`).
    case hour

    /// The `factor` of `lifetimes`' `_customer_lifetime_value`.
    public var periodsPerMonth: Double {
        switch self {
        case .day: 30
        case .week: 4.345
        case .month: 1
        case .hour: 720
        }
    }
}

/// Discounted customer lifetime value over a number of months, exactly as `lifetimes`'
/// `GammaGammaFitter.customer_lifetime_value(model, frequency, recency, T, monetary_value, time, discount_rate, freq)`:
///
///     CLV = Σ_{k=1..months} E[M] · (E[X(k·f)] − E[X((k−1)·f)]) / (1 + discount)^k
///
/// where f is ``LifetimeValueUnit/periodsPerMonth``, E[X(t)] the model's conditional expected
/// purchases in the next t periods and E[M] the Gamma-Gamma expected average value.
public struct CustomerLifetimeValue: Sendable, Equatable {
    /// Months in the horizon (`time`).
    public var months: Int
    /// Monthly discount rate (`discount_rate`).
    public var discountRate: Double
    /// The model's time unit (`freq`).
    public var unit: LifetimeValueUnit

    public init(months: Int = 12, discountRate: Double = 0.01, unit: LifetimeValueUnit = .week) {
        self.months = months
        self.discountRate = discountRate
        self.unit = unit
    }

    /// The value of one customer given their expected average value per purchase.
    public func value(of customer: CustomerSummary, purchases model: some PurchaseModel, averageValue: Double) -> Double {
        let factor = unit.periodsPerMonth
        var total = 0.0
        var previous = 0.0
        guard months > 0 else { return 0 }
        for k in 1...months {
            let t = Double(k) * factor
            let cumulative = model.expectedPurchases(in: t, for: customer)
            total += averageValue * (cumulative - previous) / ValueMath.pow(1 + discountRate, t / factor)
            previous = cumulative
        }
        return total
    }

    /// The value of one customer with Gamma-Gamma's expected average value.
    public func value(of customer: CustomerSummary, purchases model: some PurchaseModel, spend: GammaGamma) -> Double {
        value(
            of: customer,
            purchases: model,
            averageValue: spend.expectedAverageValue(frequency: customer.frequency, monetaryValue: customer.monetaryValue)
        )
    }
}
