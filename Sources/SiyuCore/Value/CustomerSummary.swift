/// One customer's purchase history reduced to the statistics the buy-till-you-die models use, in
/// the definitions of `lifetimes`' `summary_data_from_transaction_data`.
public struct CustomerSummary: Sendable, Equatable {
    /// The customer's identifier.
    public var id: String
    /// Repeat purchase periods: distinct purchase periods − 1.
    public var frequency: Double
    /// Time from the first to the last purchase period, in model periods (0 without repeats).
    public var recency: Double
    /// Time from the first purchase period to the end of observation, in model periods (the customer's age).
    public var T: Double
    /// Mean amount of the repeat purchase periods (each period's amounts summed); 0 without repeats.
    public var monetaryValue: Double

    public init(id: String, frequency: Double, recency: Double, T: Double, monetaryValue: Double = 0) {
        self.id = id
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.monetaryValue = monetaryValue
    }
}

/// Why a set of customer summaries cannot be fitted.
public struct ValueModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// Checks the invariants every model relies on: finite, frequency ≥ 0, 0 ≤ recency ≤ T, T > 0,
    /// monetary value ≥ 0, recency = 0 when frequency = 0.
    static func validate(_ customers: [CustomerSummary]) throws {
        guard !customers.isEmpty else { throw ValueModelError("no customers to fit") }
        for c in customers {
            let fields = [c.frequency, c.recency, c.T, c.monetaryValue]
            guard fields.allSatisfy(\.isFinite) else { throw ValueModelError("customer \(c.id): a value is not a finite number") }
            guard c.frequency >= 0 else { throw ValueModelError("customer \(c.id): frequency \(c.frequency) is negative") }
            guard c.T > 0 else { throw ValueModelError("customer \(c.id): T \(c.T) must be positive") }
            guard c.recency >= 0, c.recency <= c.T else {
                throw ValueModelError("customer \(c.id): recency \(c.recency) must lie between 0 and T (\(c.T))")
            }
            guard c.monetaryValue >= 0 else { throw ValueModelError("customer \(c.id): monetary value \(c.monetaryValue) is negative") }
        }
    }
}

/// Customers with the same (frequency, recency, T) have the same likelihood term, so the fitters
/// sum over the distinct triples with a count each: CDNOW's 2,357 customers have far fewer.
struct PurchasePatterns: Sendable {
    var frequency: [Double] = []
    var recency: [Double] = []
    var T: [Double] = []
    var count: [Double] = []
    /// The distinct frequencies, and for each pattern the index of its frequency among them: the
    /// gamma-function terms depend on the frequency only, so they are computed once per distinct value.
    var distinctFrequencies: [Double] = []
    var frequencyIndex: [Int] = []
    var customers: Double = 0

    init(_ customers: [CustomerSummary], timeScale: Double = 1) {
        var index: [PatternKey: Int] = [:]
        var frequencies: [Double: Int] = [:]
        for c in customers {
            let key = PatternKey(frequency: c.frequency, recency: c.recency, T: c.T)
            if let i = index[key] {
                count[i] += 1
            } else {
                index[key] = frequency.count
                frequency.append(c.frequency)
                if let f = frequencies[c.frequency] {
                    frequencyIndex.append(f)
                } else {
                    frequencies[c.frequency] = distinctFrequencies.count
                    frequencyIndex.append(distinctFrequencies.count)
                    distinctFrequencies.append(c.frequency)
                }
                recency.append(c.recency * timeScale)
                T.append(c.T * timeScale)
                count.append(1)
            }
        }
        self.customers = Double(customers.count)
    }

    /// Σ xᵢ over customers.
    var totalFrequency: Double { zip(frequency, count).reduce(0) { $0 + $1.0 * $1.1 } }
}

private struct PatternKey: Hashable {
    var frequency: Double
    var recency: Double
    var T: Double
}
