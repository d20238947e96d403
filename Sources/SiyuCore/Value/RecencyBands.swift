/// Churn bands from recency alone, beside the model's P(alive) bands: how long a buyer has gone
/// without ordering, measured in the brand's own repurchase cycle.
///
/// The **repurchase cycle** is the median number of days between two consecutive order days of the
/// same buyer, over every repeat buyer's gaps (orders on the same local day count once). A buyer is
/// **green** when their last order is at most 2 cycles ago, **yellow** up to 4 cycles, **red**
/// beyond — a rule an operator can check by hand, and one that needs no model: it works from the
/// first repeat order and for one-time buyers too (a one-time buyer who has not come back within
/// two cycles is already later than most repeat orders are).
public struct RecencyBands: Sendable, Equatable {
    /// Median days between consecutive order days of the same buyer (at least 1).
    public var cycleDays: Double
    /// Gaps the median was taken over.
    public var gaps: Int
    /// Multiples of the cycle where yellow and red begin (strictly after).
    public static let yellowAfterCycles = 2.0
    public static let redAfterCycles = 4.0

    public init(cycleDays: Double, gaps: Int) {
        self.cycleDays = max(1, cycleDays)
        self.gaps = gaps
    }

    /// Days after the last order when yellow and red begin (strictly after).
    public var yellowAfterDays: Double { Self.yellowAfterCycles * cycleDays }
    public var redAfterDays: Double { Self.redAfterCycles * cycleDays }

    /// The band of a buyer whose last order was `days` whole local days ago.
    public func band(daysSinceLastOrder days: Int) -> ChurnRisk {
        let days = Double(days)
        return days > redAfterDays ? .red : days > yellowAfterDays ? .yellow : .green
    }

    /// The cycle from each buyer's distinct order days (ascending); `nil` without any repeat buyer.
    public static func cycle(orderDays buyers: [[Int]]) -> RecencyBands? {
        var gaps: [Int] = []
        for days in buyers where days.count > 1 {
            for i in 1..<days.count { gaps.append(days[i] - days[i - 1]) }
        }
        guard !gaps.isEmpty else { return nil }
        gaps.sort()
        let middle = gaps.count / 2
        let median = gaps.count % 2 == 1 ? Double(gaps[middle]) : Double(gaps[middle - 1] + gaps[middle]) / 2
        return RecencyBands(cycleDays: median, gaps: gaps.count)
    }

    /// The cycle and every buyer's band on the local day of `now`, from orders before `now`
    /// (person index → band); `nil` when nobody has ordered twice.
    public static func evaluate(_ dataset: Dataset, calendar: LocalCalendar, now: Int64) -> (bands: RecencyBands, people: [Int: ChurnRisk])? {
        var buyers: [(person: Int, days: [Int])] = []
        for p in 0..<dataset.personCount {
            var days: [Int] = []
            for e in dataset.eventStart(p)..<dataset.eventEnd(p) where dataset.isOrder[e] && dataset.timestamps[e] < now {
                days.append(calendar.day(dataset.timestamps[e]))
            }
            guard !days.isEmpty else { continue }
            days.sort()
            var distinct: [Int] = [days[0]]
            for day in days.dropFirst() where day != distinct[distinct.count - 1] { distinct.append(day) }
            buyers.append((p, distinct))
        }
        guard let bands = cycle(orderDays: buyers.map(\.days)) else { return nil }
        let today = calendar.day(now)
        var people: [Int: ChurnRisk] = [:]
        for (person, days) in buyers { people[person] = bands.band(daysSinceLastOrder: today - days[days.count - 1]) }
        return (bands, people)
    }
}
