/// How concentrated revenue is: the share of revenue from the top 1/5/10/20 % of customers, the
/// Lorenz curve and the Gini coefficient, over the orders of a window.
///
/// - `population`: `.buyers` counts only people whose revenue in the window is above zero (the
///   usual "share of customers"); `.everyone` also counts every other person who passes the
///   filter, with revenue 0 (a person whose refunds exceed their orders also counts as 0).
/// - The top `p` of `n` people is the `⌈p × n⌉` people with the most revenue (at least one person
///   when `n > 0`); which of several tied people is taken does not change the revenue share.
public struct ConcentrationQuery: Sendable, Equatable {
    public enum Population: String, Sendable, Codable, CaseIterable { case buyers, everyone }

    /// Orders counted: those in `[from, to)`.
    public var range: TimeRange
    public var population: Population
    /// Fractions of people whose revenue share is reported, each in `(0, 1]`.
    public var topFractions: [Double]
    /// Number of evenly spaced points of the Lorenz curve (at least 2); when there are fewer
    /// people than points, the curve has one point per person instead (and one at 0).
    public var lorenzPoints: Int
    /// Only people who satisfy the rule (evaluated at `range.to`).
    public var people: PersonRule?

    public init(
        range: TimeRange,
        population: Population = .buyers,
        topFractions: [Double] = [0.01, 0.05, 0.1, 0.2],
        lorenzPoints: Int = 101,
        people: PersonRule? = nil
    ) {
        self.range = range
        self.population = population
        self.topFractions = topFractions
        self.lorenzPoints = lorenzPoints
        self.people = people
    }

    public var propertyKeys: [String] { people?.propertyKeys ?? [] }

    public func problems() -> [String] {
        var problems: [String] = []
        if range.to <= range.from { problems.append("the date range is empty") }
        if topFractions.contains(where: { !($0 > 0 && $0 <= 1) }) { problems.append("top fractions must be above 0 and at most 1") }
        if lorenzPoints < 2 || lorenzPoints > 10_001 { problems.append("lorenzPoints must be 2 to 10001") }
        return problems
    }
}

/// The answer to a ``ConcentrationQuery``.
public struct ConcentrationResult: Sendable, Equatable, Codable {
    public struct TopShare: Sendable, Equatable, Codable {
        public var fraction: Double
        /// People in the top fraction.
        public var people: Int
        /// Their revenue, minor units.
        public var revenue: Int64
        /// Their share of all revenue (0 when there is none).
        public var share: Double
    }

    /// One point of the Lorenz curve: the poorest `population` fraction of people holds the
    /// `revenue` fraction of all revenue.
    public struct LorenzPoint: Sendable, Equatable, Codable {
        public var population: Double
        public var revenue: Double
    }

    /// People counted (buyers, or everyone, per the query).
    public var people: Int
    /// People with revenue above zero.
    public var buyers: Int
    public var revenue: Int64
    public var top: [TopShare]
    public var lorenz: [LorenzPoint]
    /// Gini coefficient in `[0, 1)`; 0 when all revenue is equal or there is none.
    public var gini: Double
}

/// Revenue concentration computed from a list of per-person revenues.
public enum RevenueConcentration {
    /// Summarises `revenues` (one value per person; negative values count as 0).
    ///
    /// Gini: with the values sorted ascending `x₁ ≤ … ≤ xₙ`,
    /// `G = Σᵢ (2i − n − 1) xᵢ / (n Σ xᵢ)` (no small-sample correction).
    /// Lorenz curve: `(i / n, (x₁ + … + xᵢ) / Σx)` for `i = 0…n` when `n < points`, else `points`
    /// evenly spaced population fractions, linear between those per-person points.
    public static func summarize(
        _ revenues: [Int64],
        topFractions: [Double] = [0.01, 0.05, 0.1, 0.2],
        lorenzPoints: Int = 101
    )
        -> ConcentrationResult
    {
        let values = revenues.map { Swift.max($0, 0) }.sorted()
        let n = values.count
        var cumulative = [Int64](repeating: 0, count: n + 1)
        for i in 0..<n { cumulative[i + 1] = cumulative[i] + values[i] }
        let total = cumulative[n]
        let top = topFractions.map { fraction -> ConcentrationResult.TopShare in
            let count = n == 0 ? 0 : Swift.min(n, Swift.max(1, Int((fraction * Double(n) - 1e-9).rounded(.up))))
            let revenue = total - cumulative[n - count]
            return .init(fraction: fraction, people: count, revenue: revenue, share: total > 0 ? Double(revenue) / Double(total) : 0)
        }
        var lorenz: [ConcentrationResult.LorenzPoint] = []
        if n > 0 && total > 0 {
            if n < lorenzPoints {
                lorenz = (0...n).map { .init(population: Double($0) / Double(n), revenue: Double(cumulative[$0]) / Double(total)) }
            } else {
                let points = Swift.max(lorenzPoints, 2)
                lorenz = (0..<points).map { k in
                    let population = Double(k) / Double(points - 1)
                    let position = population * Double(n)
                    let whole = Swift.min(Int(position), n)
                    let part = position - Double(whole)
                    let held = Double(cumulative[whole]) + (whole < n ? part * Double(values[whole]) : 0)
                    return .init(population: population, revenue: held / Double(total))
                }
            }
        }
        var weighted = 0.0
        for (index, value) in values.enumerated() { weighted += Double(2 * (index + 1) - n - 1) * Double(value) }
        let gini = total > 0 ? weighted / (Double(n) * Double(total)) : 0
        return ConcentrationResult(people: n, buyers: values.count(where: { $0 > 0 }), revenue: total, top: top, lorenz: lorenz, gini: gini)
    }
}

/// Computes revenue concentration over a ``Dataset``.
public struct ConcentrationEngine: Sendable {
    public let dataset: Dataset
    public let query: ConcentrationQuery

    public init(dataset: Dataset, query: ConcentrationQuery) {
        self.dataset = dataset
        self.query = query
    }

    public func run() -> ConcentrationResult {
        let filter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: query.range.to) }
        var revenues: [Int64] = []
        for person in 0..<dataset.personCount {
            if let filter, !filter.matches(person) { continue }
            let revenue = dataset.orderTotals(of: person, in: query.range).revenue
            if revenue > 0 || query.population == .everyone { revenues.append(revenue) }
        }
        return RevenueConcentration.summarize(revenues, topFractions: query.topFractions, lorenzPoints: query.lorenzPoints)
    }
}

extension Dataset {
    /// Orders, revenue (minor units) and the time of the last order of `person` in `range`.
    func orderTotals(of person: Int, in range: TimeRange) -> (orders: Int, revenue: Int64, last: Int64?) {
        var orders = 0
        var revenue: Int64 = 0
        var last: Int64?
        var index = firstEvent(of: person, atOrAfter: range.from)
        let end = eventEnd(person)
        while index < end, timestamps[index] < range.to {
            if isOrder[index] {
                orders += 1
                revenue.addSaturated(self.revenue[index])
                last = timestamps[index]
            }
            index += 1
        }
        return (orders, revenue, last)
    }
}
