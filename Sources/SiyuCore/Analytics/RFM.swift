/// Recency, frequency and monetary value of every person with at least one order in a window,
/// scored 1–5 and sorted into the 11 common RFM segments and the 8-class model Chinese operators
/// use (重要价值客户 … 一般挽留客户).
///
/// - Recency: whole 24-hour periods from the person's last order in `[from, to)` to `asOf`
///   (as ``PersonRule/lastSeenDaysAgo(_:_:)`` counts days; 0 when the order is less than a day
///   before `asOf` or after it). Frequency: orders in the window. Monetary: their revenue, in
///   minor units of the workspace currency.
/// - Scores are rank-based quintiles over all buyers (see ``RFM/quintileScores(_:)``): a buyer's
///   score is `1 + ⌊5 × b / n⌋` where `b` is the number of buyers with a strictly worse value and
///   `n` the number of buyers, so equal values always get the same score (ties take the lowest
///   rank of their group, like SQL's `RANK()`); more recent, more orders, more revenue score higher.
/// - The 8 classes compare each buyer with the mean of all buyers: R is high when recency is below
///   the mean recency, F and M are high when above their means; a value equal to the mean is low.
/// - Scores, means and classes are computed over all buyers who pass `people`; a breakdown
///   (a person-level one: first/last-touch channel or a trait) only splits the class summaries.
public struct RFMQuery: Sendable, Equatable {
    /// Orders counted: those in `[from, to)`.
    public var range: TimeRange
    /// The instant recency is measured at (the end of the range by default).
    public var asOf: Int64
    public var breakdown: Breakdown?
    /// Only people who satisfy the rule (evaluated at `asOf`).
    public var people: PersonRule?

    public init(range: TimeRange, asOf: Int64? = nil, breakdown: Breakdown? = nil, people: PersonRule? = nil) {
        self.range = range
        self.asOf = asOf ?? range.to
        self.breakdown = breakdown
        self.people = people
    }

    public var propertyKeys: [String] { people?.propertyKeys ?? [] }

    public func problems() -> [String] {
        var problems: [String] = []
        if range.to <= range.from { problems.append("the date range is empty") }
        if asOf < range.from { problems.append("asOf must not be before the start of the range") }
        if let breakdown, breakdown.isEventLevel {
            problems.append("RFM breaks down by first/last-touch channel or a trait")
        }
        return problems
    }
}

/// The 11 common RFM segments, from the recency score and the combined frequency-monetary score.
public enum RFMSegment: String, Sendable, Codable, CaseIterable {
    case champions, loyalCustomers, potentialLoyalist, newCustomers, promising, needAttention
    case aboutToSleep, atRisk, cantLoseThem, hibernating, lost

    public var english: String {
        switch self {
        case .champions: return "Champions"
        case .loyalCustomers: return "Loyal Customers"
        case .potentialLoyalist: return "Potential Loyalist"
        case .newCustomers: return "New Customers"
        case .promising: return "Promising"
        case .needAttention: return "Need Attention"
        case .aboutToSleep: return "About To Sleep"
        case .atRisk: return "At Risk"
        case .cantLoseThem: return "Can't Lose Them"
        case .hibernating: return "Hibernating"
        case .lost: return "Lost"
        }
    }

    public var chinese: String {
        switch self {
        case .champions: return "冠军客户"
        case .loyalCustomers: return "忠诚客户"
        case .potentialLoyalist: return "潜在忠诚客户"
        case .newCustomers: return "新客户"
        case .promising: return "有潜力客户"
        case .needAttention: return "需要关注客户"
        case .aboutToSleep: return "即将沉睡客户"
        case .atRisk: return "有流失风险客户"
        case .cantLoseThem: return "不能失去的客户"
        case .hibernating: return "沉睡客户"
        case .lost: return "已流失客户"
        }
    }

    /// The combined frequency-monetary score: the mean of F and M, halves rounded up.
    public static func frequencyMonetary(_ f: Int, _ m: Int) -> Int { (f + m + 1) / 2 }

    /// The segment of a recency score and a frequency-monetary score (both 1–5).
    ///
    /// The widely published 11 segments of Putler's "RFM Analysis for Successful Customer
    /// Segmentation", whose table gives each segment ranges of R and of the F-and-M score that
    /// overlap; this is their unambiguous cell form, the segment map most RFM notebooks copy
    /// (`[1-2][1-2]` Hibernating, `[1-2][3-4]` At Risk, `[1-2]5` Can't Lose, `3[1-2]` About To
    /// Sleep, `33` Need Attention, `[3-4][4-5]` Loyal, `41` Promising, `51` New, `[4-5][2-3]`
    /// Potential Loyalist, `5[4-5]` Champions), read with FM as the second score as in Putler's
    /// table, and with Putler's Lost (the lowest scores) taken out of Hibernating as R = 1:
    ///
    /// ```
    ///  R \ FM   1              2              3               4          5
    ///  5        New            Potential      Potential       Champions  Champions
    ///  4        Promising      Potential      Potential       Loyal      Loyal
    ///  3        About To Sleep About To Sleep Need Attention  Loyal      Loyal
    ///  2        Hibernating    Hibernating    At Risk         At Risk    Can't Lose
    ///  1        Lost           Lost           At Risk         At Risk    Can't Lose
    /// ```
    public static func of(recency r: Int, frequencyMonetary fm: Int) -> RFMSegment {
        let r = Swift.min(Swift.max(r, 1), 5)
        let fm = Swift.min(Swift.max(fm, 1), 5)
        switch (r, fm) {
        case (5, 4...5): return .champions
        case (5, 1): return .newCustomers
        case (4, 1): return .promising
        case (4...5, 2...3): return .potentialLoyalist
        case (3...4, 4...5): return .loyalCustomers
        case (3, 3): return .needAttention
        case (3, 1...2): return .aboutToSleep
        case (1...2, 5): return .cantLoseThem
        case (1...2, 3...4): return .atRisk
        case (2, 1...2): return .hibernating
        default: return .lost
        }
    }
}

/// The 8-class RFM model: each of R, F and M is high or low against the mean of the buyers.
public enum RFMClass: String, Sendable, Codable, CaseIterable {
    /// R, F, M high — 重要价值客户.
    case importantValue
    /// R high, F low, M high — 重要发展客户.
    case importantDevelopment
    /// R low, F high, M high — 重要保持客户.
    case importantRetention
    /// R low, F low, M high — 重要挽留客户.
    case importantWinBack
    /// R high, F high, M low — 一般价值客户.
    case generalValue
    /// R high, F low, M low — 一般发展客户.
    case generalDevelopment
    /// R low, F high, M low — 一般保持客户.
    case generalRetention
    /// R, F, M low — 一般挽留客户.
    case generalWinBack

    public init(recencyHigh r: Bool, frequencyHigh f: Bool, monetaryHigh m: Bool) {
        switch (r, f, m) {
        case (true, true, true): self = .importantValue
        case (true, false, true): self = .importantDevelopment
        case (false, true, true): self = .importantRetention
        case (false, false, true): self = .importantWinBack
        case (true, true, false): self = .generalValue
        case (true, false, false): self = .generalDevelopment
        case (false, true, false): self = .generalRetention
        case (false, false, false): self = .generalWinBack
        }
    }

    public var chinese: String {
        switch self {
        case .importantValue: return "重要价值客户"
        case .importantDevelopment: return "重要发展客户"
        case .importantRetention: return "重要保持客户"
        case .importantWinBack: return "重要挽留客户"
        case .generalValue: return "一般价值客户"
        case .generalDevelopment: return "一般发展客户"
        case .generalRetention: return "一般保持客户"
        case .generalWinBack: return "一般挽留客户"
        }
    }

    public var english: String {
        switch self {
        case .importantValue: return "Important value"
        case .importantDevelopment: return "Important to develop"
        case .importantRetention: return "Important to retain"
        case .importantWinBack: return "Important to win back"
        case .generalValue: return "General value"
        case .generalDevelopment: return "General to develop"
        case .generalRetention: return "General to retain"
        case .generalWinBack: return "General to win back"
        }
    }
}

/// The answer to an ``RFMQuery``.
public struct RFMResult: Sendable, Equatable, Codable {
    /// One buyer.
    public struct Row: Sendable, Equatable, Codable {
        public var personId: Int64
        public var recencyDays: Int
        public var frequency: Int
        public var monetary: Int64
        /// Time of the last order in the window.
        public var lastOrder: Int64
        public var r: Int
        public var f: Int
        public var m: Int
        public var segment: RFMSegment
        public var rfmClass: RFMClass
        /// Breakdown value, or `all`.
        public var group: String
    }

    /// The size and revenue of one segment or class.
    public struct ClassSummary: Sendable, Equatable, Codable {
        public var code: String
        public var english: String
        public var chinese: String
        public var people: Int
        public var revenue: Int64
        public var peopleShare: Double
        public var revenueShare: Double
    }

    /// The buyers of one breakdown value (or `all`).
    public struct Group: Sendable, Equatable, Codable {
        public var value: String
        public var buyers: Int
        public var revenue: Int64
        /// Every one of the 11 segments, in ``RFMSegment`` order, empty ones included.
        public var segments: [ClassSummary]
        /// Every one of the 8 classes, in ``RFMClass`` order, empty ones included.
        public var classes: [ClassSummary]
    }

    /// The values that got one score.
    public struct ScoreBand: Sendable, Equatable, Codable {
        public var score: Int
        public var min: Int64
        public var max: Int64
        public var people: Int
    }

    /// The mean and the score bands (only scores that occur, ascending) of R, F or M.
    public struct Dimension: Sendable, Equatable, Codable {
        public var mean: Double
        public var bands: [ScoreBand]
    }

    /// Buyers in ascending person id.
    public var rows: [Row]
    public var recency: Dimension
    public var frequency: Dimension
    public var monetary: Dimension
    /// All buyers first, then one group per breakdown value (most buyers first).
    public var groups: [Group]

    /// Person id → segment code, the values of the `rfm11` label.
    public var segmentLabels: [Int64: String] {
        Dictionary(uniqueKeysWithValues: rows.map { ($0.personId, $0.segment.rawValue) })
    }

    /// Person id → class code, the values of the `rfm8` label.
    public var classLabels: [Int64: String] {
        Dictionary(uniqueKeysWithValues: rows.map { ($0.personId, $0.rfmClass.rawValue) })
    }
}

/// Scoring helpers of the RFM model.
public enum RFM {
    /// Rank-based quintile scores, 1–5, higher values scoring higher: the score of a value is
    /// `1 + ⌊5 × b / n⌋` where `b` is the number of values strictly below it. Equal values get
    /// the same score; with distinct values each score holds a fifth of them (± 1).
    public static func quintileScores(_ values: [Int64]) -> [Int] {
        let n = values.count
        // Sorting (value, position) pairs compares in place, without a lookup per comparison.
        var order = values.enumerated().map { (value: $0.element, index: Int32(truncatingIfNeeded: $0.offset)) }
        order.sort { ($0.value, $0.index) < ($1.value, $1.index) }
        var scores = [Int](repeating: 0, count: n)
        var below = 0
        for rank in order.indices {
            if rank > 0 && order[rank - 1].value != order[rank].value { below = rank }
            scores[Int(order[rank].index)] = 1 + 5 * below / n
        }
        return scores
    }
}

/// Computes RFM over a ``Dataset``.
public struct RFMEngine: Sendable {
    public let dataset: Dataset
    public let query: RFMQuery

    public init(dataset: Dataset, query: RFMQuery) {
        self.dataset = dataset
        self.query = query
    }

    public func run() -> RFMResult {
        let filter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: query.asOf) }
        let buyers = PersonChunks.map(dataset.personCount) { chunk in
            var buyers = Buyers()
            for person in chunk {
                if let filter, !filter.matches(person) { continue }
                let totals = dataset.orderTotals(of: person, in: query.range)
                guard totals.orders > 0, let last = totals.last else { continue }
                buyers.people.append(person)
                buyers.recency.append(Swift.max(0, (query.asOf - last) / 86_400_000))
                buyers.frequency.append(Int64(totals.orders))
                buyers.monetary.append(totals.revenue)
                buyers.lastOrders.append(last)
            }
            return buyers
        }
        let people = buyers.flatMap(\.people)
        let recency = buyers.flatMap(\.recency)
        let frequency = buyers.flatMap(\.frequency)
        let monetary = buyers.flatMap(\.monetary)
        let lastOrders = buyers.flatMap(\.lastOrders)
        // The three rankings are independent: sort them side by side.
        let scores = PersonChunks.all([
            { RFM.quintileScores(recency.map { -$0 }) }, { RFM.quintileScores(frequency) }, { RFM.quintileScores(monetary) },
        ])
        let rScores = scores[0]
        let fScores = scores[1]
        let mScores = scores[2]
        let meanR = Self.mean(recency)
        let meanF = Self.mean(frequency)
        let meanM = Self.mean(monetary)
        var rows: [RFMResult.Row] = []
        rows.reserveCapacity(people.count)
        for (i, person) in people.enumerated() {
            let segment = RFMSegment.of(recency: rScores[i], frequencyMonetary: RFMSegment.frequencyMonetary(fScores[i], mScores[i]))
            let rfmClass = RFMClass(
                recencyHigh: Double(recency[i]) < meanR,
                frequencyHigh: Double(frequency[i]) > meanF,
                monetaryHigh: Double(monetary[i]) > meanM
            )
            rows.append(
                RFMResult.Row(
                    personId: dataset.personIds[person],
                    recencyDays: Int(recency[i]),
                    frequency: Int(frequency[i]),
                    monetary: monetary[i],
                    lastOrder: lastOrders[i],
                    r: rScores[i],
                    f: fScores[i],
                    m: mScores[i],
                    segment: segment,
                    rfmClass: rfmClass,
                    group: query.breakdown?.value(person: person, event: nil, in: dataset) ?? "all"
                )
            )
        }
        var groups = [Self.group("all", rows)]
        if query.breakdown != nil {
            var byValue: [String: [RFMResult.Row]] = [:]
            for row in rows { byValue[row.group, default: []].append(row) }
            let ordered = byValue.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            groups += ordered.map { Self.group($0.key, $0.value) }
        }
        return RFMResult(
            rows: rows,
            recency: .init(mean: meanR, bands: Self.bands(recency, rScores)),
            frequency: .init(mean: meanF, bands: Self.bands(frequency, fScores)),
            monetary: .init(mean: meanM, bands: Self.bands(monetary, mScores)),
            groups: groups
        )
    }

    /// The buyers of a chunk of people, as columns.
    private struct Buyers {
        var people: [Int] = []
        var recency: [Int64] = []
        var frequency: [Int64] = []
        var monetary: [Int64] = []
        var lastOrders: [Int64] = []
    }

    static func mean(_ values: [Int64]) -> Double {
        values.isEmpty ? 0 : values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }

    static func bands(_ values: [Int64], _ scores: [Int]) -> [RFMResult.ScoreBand] {
        var bands = [RFMResult.ScoreBand?](repeating: nil, count: 6)
        for (value, score) in zip(values, scores) {
            if var band = bands[score] {
                band.min = Swift.min(band.min, value)
                band.max = Swift.max(band.max, value)
                band.people += 1
                bands[score] = band
            } else {
                bands[score] = .init(score: score, min: value, max: value, people: 1)
            }
        }
        return bands.compactMap { $0 }
    }

    static func group(_ value: String, _ rows: [RFMResult.Row]) -> RFMResult.Group {
        let revenue = rows.lazy.map(\.monetary).saturatedSum()
        // People and revenue per segment and per class, counted in one pass.
        var segmentTotals: [RFMSegment: (people: Int, revenue: Int64)] = [:]
        var classTotals: [RFMClass: (people: Int, revenue: Int64)] = [:]
        for row in rows {
            segmentTotals[row.segment, default: (0, 0)].people += 1
            segmentTotals[row.segment, default: (0, 0)].revenue.addSaturated(row.monetary)
            classTotals[row.rfmClass, default: (0, 0)].people += 1
            classTotals[row.rfmClass, default: (0, 0)].revenue.addSaturated(row.monetary)
        }
        func summary(_ code: String, _ english: String, _ chinese: String, _ totals: (people: Int, revenue: Int64)?) -> RFMResult.ClassSummary {
            let people = totals?.people ?? 0
            let sum = totals?.revenue ?? 0
            return .init(
                code: code,
                english: english,
                chinese: chinese,
                people: people,
                revenue: sum,
                peopleShare: rows.isEmpty ? 0 : Double(people) / Double(rows.count),
                revenueShare: revenue > 0 ? Double(sum) / Double(revenue) : 0
            )
        }
        return RFMResult.Group(
            value: value,
            buyers: rows.count,
            revenue: revenue,
            segments: RFMSegment.allCases.map { summary($0.rawValue, $0.english, $0.chinese, segmentTotals[$0]) },
            classes: RFMClass.allCases.map { summary($0.rawValue, $0.english, $0.chinese, classTotals[$0]) }
        )
    }
}
