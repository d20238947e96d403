/// One purchase: who, on which day, for how much.
public struct PurchaseRecord: Sendable, Equatable {
    public var customerId: String
    /// Days since 1970-01-01 (the purchase's local calendar day).
    public var day: Int
    public var amount: Double

    public init(customerId: String, day: Int, amount: Double = 0) {
        self.customerId = customerId
        self.day = day
        self.amount = amount
    }

    /// The day number of an ISO 8601 date or date-time (`1997-09-30`, `1997-09-30T12:00:00Z`); `nil` if unreadable.
    public static func day(_ text: String) -> Int? {
        guard let millis = Timestamp.parseISO8601(text) else { return nil }
        let perDay: Int64 = 86_400_000
        return Int(millis >= 0 ? millis / perDay : (millis - perDay + 1) / perDay)
    }
}

/// The period purchases are counted in, as `lifetimes`' `freq`: purchases in the same period
/// collapse into one.
public enum PurchasePeriod: String, Sendable, Equatable, CaseIterable {
    /// Calendar days (`freq='D'`).
    case day
    /// Weeks Monday to Sunday (`freq='W'`, pandas' `W-SUN`).
    case week
    /// Calendar months (`freq='M'`); lengths are counted in whole months.
    case month

    /// The first day of the period that holds `day`.
    public func start(of day: Int) -> Int {
        switch self {
        case .day:
            return day
        case .week:
            // 1970-01-01 was a Thursday: (day + 3) mod 7 is 0 on Mondays.
            let sinceMonday = ((day + 3) % 7 + 7) % 7
            return day - sinceMonday
        case .month:
            let (y, m, _) = Timestamp.civilFromDays(day)
            return Timestamp.daysFromCivil(year: y, month: m, day: 1)
        }
    }

    /// Whole periods from the period starting at `from` to the one starting at `to`.
    public func periods(from: Int, to: Int) -> Double {
        switch self {
        case .day:
            return Double(to - from)
        case .week:
            return Double(to - from) / 7
        case .month:
            let a = Timestamp.civilFromDays(from)
            let b = Timestamp.civilFromDays(to)
            return Double((b.year - a.year) * 12 + b.month - a.month)
        }
    }
}

/// Builds ``CustomerSummary`` rows from purchases exactly as `lifetimes`' `summary_data_from_transaction_data`
/// (0.11.3; see `shared/data/cdnow/README.md`).
public struct TransactionSummary: Sendable, Equatable {
    /// The counting period (`freq`).
    public var period: PurchasePeriod
    /// Time is reported in units of `multiplier` periods (`freq_multiplier`; 7 with days gives weeks).
    public var multiplier: Double

    public init(period: PurchasePeriod = .day, multiplier: Double = 1) {
        self.period = period
        self.multiplier = multiplier
    }

    /// Summaries as of `observationEnd` (a day number; its whole period counts), one per customer
    /// whose first purchase is no later than that period, in order of first appearance.
    ///
    /// 1. Each day is floored to its period; purchases after the period of `observationEnd` are dropped.
    /// 2. Purchases of one customer in one period collapse into one, with their amounts summed.
    /// 3. frequency = distinct periods − 1; recency = last − first period; T = end period − first period,
    ///    both in periods / `multiplier`.
    /// 4. monetary value = mean of the per-period sums over the repeat periods (the first excluded); 0 without repeats.
    public func summarize(_ purchases: [PurchaseRecord], observationEnd: Int) -> [CustomerSummary] {
        let end = period.start(of: observationEnd)
        return collapse(purchases.filter { period.start(of: $0.day) <= end }).map { customer in
            let first = customer.periods[0].start
            let last = customer.periods[customer.periods.count - 1].start
            let repeats = customer.periods.dropFirst()
            let frequency = Double(repeats.count)
            return CustomerSummary(
                id: customer.id,
                frequency: frequency,
                recency: period.periods(from: first, to: last) / multiplier,
                T: period.periods(from: first, to: end) / multiplier,
                monetaryValue: repeats.isEmpty ? 0 : repeats.reduce(0) { $0 + $1.amount } / frequency
            )
        }
    }

    /// Calibration summaries up to `calibrationEnd` and what each of those customers did after it,
    /// up to `observationEnd`, as `lifetimes`' `calibration_and_holdout_data`.
    ///
    /// The calibration part is ``summarize(_:observationEnd:)`` of the purchases on or before
    /// `calibrationEnd` (a day); the holdout counts the distinct periods of the purchases after
    /// `calibrationEnd` up to `observationEnd` and averages their per-period sums; its duration is
    /// the number of periods between the two ends / `multiplier`.
    public func calibrationAndHoldout(_ purchases: [PurchaseRecord], calibrationEnd: Int, observationEnd: Int) -> [CalibrationHoldoutSummary] {
        let calibration = summarize(purchases.filter { $0.day <= calibrationEnd }, observationEnd: calibrationEnd)
        let holdout = collapse(purchases.filter { $0.day > calibrationEnd && $0.day <= observationEnd })
        var byId: [String: CollapsedCustomer] = [:]
        for customer in holdout { byId[customer.id] = customer }
        let duration = period.periods(from: period.start(of: calibrationEnd), to: period.start(of: observationEnd)) / multiplier
        return calibration.map { summary in
            let periods = byId[summary.id]?.periods ?? []
            let count = Double(periods.count)
            return CalibrationHoldoutSummary(
                calibration: summary,
                frequencyHoldout: count,
                monetaryValueHoldout: periods.isEmpty ? 0 : periods.reduce(0) { $0 + $1.amount } / count,
                durationHoldout: duration
            )
        }
    }

    private struct CollapsedCustomer {
        var id: String
        /// Purchase periods in time order with their summed amounts.
        var periods: [(start: Int, amount: Double)]
    }

    /// Groups purchases by customer (order of first appearance) and period (time order).
    private func collapse(_ purchases: [PurchaseRecord]) -> [CollapsedCustomer] {
        var index: [String: Int] = [:]
        var customers: [(id: String, sums: [Int: Double])] = []
        for purchase in purchases {
            let start = period.start(of: purchase.day)
            if let i = index[purchase.customerId] {
                customers[i].sums[start, default: 0] += purchase.amount
            } else {
                index[purchase.customerId] = customers.count
                customers.append((purchase.customerId, [start: purchase.amount]))
            }
        }
        return customers.map { customer in
            CollapsedCustomer(id: customer.id, periods: customer.sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        }
    }
}

/// A customer's calibration-period summary and what they did in the holdout period after it.
public struct CalibrationHoldoutSummary: Sendable, Equatable {
    /// Statistics of the calibration period (`frequency_cal`, `recency_cal`, `T_cal`, `monetary_value_cal`).
    public var calibration: CustomerSummary
    /// Distinct purchase periods in the holdout (`frequency_holdout`).
    public var frequencyHoldout: Double
    /// Mean per-period amount in the holdout, 0 without purchases (`monetary_value_holdout`).
    public var monetaryValueHoldout: Double
    /// Length of the holdout in model periods (`duration_holdout`).
    public var durationHoldout: Double

    public init(calibration: CustomerSummary, frequencyHoldout: Double, monetaryValueHoldout: Double, durationHoldout: Double) {
        self.calibration = calibration
        self.frequencyHoldout = frequencyHoldout
        self.monetaryValueHoldout = monetaryValueHoldout
        self.durationHoldout = durationHoldout
    }
}
