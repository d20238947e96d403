/// The tiers one scheme gives people: a tier code per person, with each tier's size and revenue.
public struct TierAssignment: Sendable, Equatable, Codable {
    public struct Tier: Sendable, Equatable, Codable {
        public var code: String
        public var people: Int
        /// Revenue of the tier's people (minor units) over the scheme's revenue window.
        public var revenue: Int64
        public var peopleShare: Double
        public var revenueShare: Double
    }

    /// `pyramid`, `colour` or `ladder`.
    public var scheme: String
    /// Canonical person id → tier code, for every person the scheme assigns.
    public var assignments: [Int64: String]
    /// Every tier of the scheme in its own order, empty ones included.
    public var tiers: [Tier]

    /// Builds the summaries from tier indexes per person index (`-1`: no tier).
    init(scheme: String, codes: [String], tierOf: [Int], revenue: [Int64], dataset: Dataset) {
        self.scheme = scheme
        var assignments: [Int64: String] = [:]
        var people = [Int](repeating: 0, count: codes.count)
        var sums = [Int64](repeating: 0, count: codes.count)
        for (person, tier) in tierOf.enumerated() where tier >= 0 {
            assignments[dataset.personIds[person]] = codes[tier]
            people[tier] += 1
            sums[tier].addSaturated(revenue[person])
        }
        let assigned = people.reduce(0, +)
        let total = sums.saturatedSum()
        self.assignments = assignments
        self.tiers = codes.indices.map { index in
            Tier(
                code: codes[index],
                people: people[index],
                revenue: sums[index],
                peopleShare: assigned > 0 ? Double(people[index]) / Double(assigned) : 0,
                revenueShare: total != 0 ? Double(sums[index]) / Double(total) : 0
            )
        }
    }
}

/// The value pyramid: people ranked by revenue in a window and cut into tiers by fractions of the
/// population, the top tier first.
///
/// - The population is every person who passes `people` (buyers and non-buyers alike).
/// - Tier `k` ends at rank `round(n × (f₁ + … + fₖ))` (halves away from zero), the last at `n`.
/// - Ties: a person's rank is the number of people with strictly more revenue, so people with equal
///   revenue always share a tier — the higher one (a tier can exceed its fraction when a tie straddles
///   its lower boundary).
/// - People with no revenue (0 or less) in the window always go in the bottom tier.
public struct ValuePyramid: Sendable, Equatable {
    public struct Tier: Sendable, Equatable {
        public var code: String
        /// Fraction of the population, in `(0, 1]`.
        public var fraction: Double

        public init(_ code: String, _ fraction: Double) {
            self.code = code
            self.fraction = fraction
        }
    }

    /// Top tier first; the fractions add up to 1.
    public var tiers: [Tier]
    /// Orders counted: those in `[from, to)`.
    public var range: TimeRange
    /// Only people who satisfy the rule (evaluated at `range.to`).
    public var people: PersonRule?

    public init(tiers: [Tier], range: TimeRange, people: PersonRule? = nil) {
        self.tiers = tiers
        self.range = range
        self.people = people
    }

    /// Top 10 % / next 60 % / bottom 30 %.
    public static func standard(range: TimeRange) -> ValuePyramid {
        ValuePyramid(tiers: [Tier("top", 0.1), Tier("middle", 0.6), Tier("bottom", 0.3)], range: range)
    }

    /// The "5-3-2" structure: high-value 5 %, potential 30 %, ordinary 65 %.
    public static func fiveThreeTwo(range: TimeRange) -> ValuePyramid {
        ValuePyramid(tiers: [Tier("highValue", 0.05), Tier("potential", 0.3), Tier("ordinary", 0.65)], range: range)
    }

    public func problems() -> [String] {
        var problems: [String] = []
        if tiers.count < 2 { problems.append("a pyramid needs at least two tiers") }
        if tiers.contains(where: { !($0.fraction > 0 && $0.fraction <= 1) }) { problems.append("tier fractions must be above 0 and at most 1") }
        if abs(tiers.reduce(0) { $0 + $1.fraction } - 1) > 1e-9 { problems.append("tier fractions must add up to 1") }
        if Set(tiers.map(\.code)).count != tiers.count { problems.append("tier codes must be distinct") }
        if range.to <= range.from { problems.append("the date range is empty") }
        return problems
    }

    public func assign(_ dataset: Dataset) -> TierAssignment {
        let filter = people.map { PersonRuleEvaluator($0, dataset: dataset, now: range.to) }
        let revenue = (0..<dataset.personCount).map { dataset.orderTotals(of: $0, in: range).revenue }
        let members = (0..<dataset.personCount).filter { filter?.matches($0) ?? true }
        let n = members.count
        var boundaries: [Int] = []
        var cumulative = 0.0
        for tier in tiers {
            cumulative += tier.fraction
            boundaries.append(Swift.min(n, Int((cumulative * Double(n)).rounded())))
        }
        if !boundaries.isEmpty { boundaries[boundaries.count - 1] = n }
        let ordered = members.sorted { revenue[$0] > revenue[$1] }
        var tierOf = [Int](repeating: -1, count: dataset.personCount)
        var rank = 0
        for (position, person) in ordered.enumerated() {
            if position > 0 && revenue[ordered[position - 1]] != revenue[person] { rank = position }
            let tier = revenue[person] <= 0 ? tiers.count - 1 : (boundaries.firstIndex { rank < $0 } ?? tiers.count - 1)
            tierOf[person] = tier
        }
        return TierAssignment(scheme: "pyramid", codes: tiers.map(\.code), tierOf: tierOf, revenue: revenue, dataset: dataset)
    }
}

/// Intent colours: red (high intent), yellow (potential), green (churned or lapsing), from rules
/// the operator edits. The rules are tried in order and the first one a person satisfies gives
/// their colour; people no rule matches get `fallback` (or no colour when it is `nil`).
public struct IntentColours: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var code: String
        public var rule: PersonRule

        public init(_ code: String, _ rule: PersonRule) {
            self.code = code
            self.rule = rule
        }
    }

    public var rules: [Rule]
    public var fallback: String?
    /// Only people who satisfy the rule.
    public var people: PersonRule?

    public init(rules: [Rule], fallback: String? = nil, people: PersonRule? = nil) {
        self.rules = rules
        self.fallback = fallback
        self.people = people
    }

    /// The defaults:
    /// - red: in the last 7 days, viewed a product at least twice or added one to the cart, and
    ///   placed no order;
    /// - yellow: any event in the last 30 days;
    /// - green: no event in the last 30 days.
    public static let standard = IntentColours(rules: [
        Rule(
            "red",
            .all([
                .any([
                    .eventCount(EventMatcher("Product Viewed"), .gte, 2, within: .lastDays(7)),
                    .eventCount(EventMatcher("Product Added"), .gte, 1, within: .lastDays(7)),
                ]),
                .orderCount(.eq, 0, within: .lastDays(7)),
            ])
        ),
        Rule("yellow", .eventCount(EventMatcher(nil), .gte, 1, within: .lastDays(30))),
        Rule("green", .eventCount(EventMatcher(nil), .eq, 0, within: .lastDays(30))),
    ])

    /// Event property keys the rules read.
    public var propertyKeys: [String] { rules.flatMap(\.rule.propertyKeys) + (people?.propertyKeys ?? []) }

    /// Colours as of `now`; tier revenue is all revenue before `now`.
    public func assign(_ dataset: Dataset, now: Int64) -> TierAssignment {
        let filter = people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
        let evaluators = rules.map { PersonRuleEvaluator($0.rule, dataset: dataset, now: now) }
        var codes = rules.map(\.code).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        if let fallback, !codes.contains(fallback) { codes.append(fallback) }
        let lifetime = TimeRange(from: .min, to: now)
        var tierOf = [Int](repeating: -1, count: dataset.personCount)
        var revenue = [Int64](repeating: 0, count: dataset.personCount)
        for person in 0..<dataset.personCount {
            if let filter, !filter.matches(person) { continue }
            revenue[person] = dataset.orderTotals(of: person, in: lifetime).revenue
            if let rule = evaluators.indices.first(where: { evaluators[$0].matches(person) }) {
                tierOf[person] = codes.firstIndex(of: rules[rule].code) ?? -1
            } else if let fallback {
                tierOf[person] = codes.firstIndex(of: fallback) ?? -1
            }
        }
        return TierAssignment(scheme: "colour", codes: codes, tierOf: tierOf, revenue: revenue, dataset: dataset)
    }
}

/// The value ladder newbie → regular → core → loyal: each rung has thresholds on revenue, orders
/// and interactions in a window, all of which must hold; a person stands on the highest rung whose
/// thresholds they meet (people who meet none, possible only when the lowest rung has thresholds,
/// get no rung).
public struct ValueLadder: Sendable, Equatable {
    public struct Rung: Sendable, Equatable {
        public var code: String
        /// Minor units of the workspace currency.
        public var minimumRevenue: Int64
        public var minimumOrders: Int
        public var minimumInteractions: Int

        public init(_ code: String, minimumRevenue: Int64 = 0, minimumOrders: Int = 0, minimumInteractions: Int = 0) {
            self.code = code
            self.minimumRevenue = minimumRevenue
            self.minimumOrders = minimumOrders
            self.minimumInteractions = minimumInteractions
        }
    }

    /// Lowest rung first.
    public var rungs: [Rung]
    /// The events that count as interactions (every event by default).
    public var interactions: EventMatcher
    /// Window of revenue, orders and interactions.
    public var window: RuleWindow
    public var people: PersonRule?

    public init(rungs: [Rung], interactions: EventMatcher = EventMatcher(nil), window: RuleWindow = .ever, people: PersonRule? = nil) {
        self.rungs = rungs
        self.interactions = interactions
        self.window = window
        self.people = people
    }

    /// newbie: everyone; regular: 1+ order; core: 3+ orders, ¥500+ and 10+ interactions;
    /// loyal: 6+ orders, ¥2,000+ and 30+ interactions (amounts in fen), over all time.
    public static let standard = ValueLadder(rungs: [
        Rung("newbie"),
        Rung("regular", minimumOrders: 1),
        Rung("core", minimumRevenue: 50_000, minimumOrders: 3, minimumInteractions: 10),
        Rung("loyal", minimumRevenue: 200_000, minimumOrders: 6, minimumInteractions: 30),
    ])

    public var propertyKeys: [String] { interactions.propertyKeys + (people?.propertyKeys ?? []) }

    public func assign(_ dataset: Dataset, now: Int64) -> TierAssignment {
        let filter = people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
        let matcher = CompiledMatcher(interactions, in: dataset)
        let range = window.range(now: now)
        var tierOf = [Int](repeating: -1, count: dataset.personCount)
        var revenue = [Int64](repeating: 0, count: dataset.personCount)
        for person in 0..<dataset.personCount {
            if let filter, !filter.matches(person) { continue }
            let totals = dataset.orderTotals(of: person, in: range)
            var count = 0
            var index = dataset.firstEvent(of: person, atOrAfter: range.from)
            let end = dataset.eventEnd(person)
            while index < end, dataset.timestamps[index] < range.to {
                if matcher.matches(index, in: dataset) { count += 1 }
                index += 1
            }
            revenue[person] = totals.revenue
            tierOf[person] =
                rungs.indices.last { rung in
                    totals.revenue >= rungs[rung].minimumRevenue && totals.orders >= rungs[rung].minimumOrders
                        && count >= rungs[rung].minimumInteractions
                } ?? -1
        }
        return TierAssignment(scheme: "ladder", codes: rungs.map(\.code), tierOf: tierOf, revenue: revenue, dataset: dataset)
    }
}

/// How people moved between the tiers of one scheme from one evaluation to the next.
public struct TierMovements: Sendable, Equatable, Codable {
    public struct Change: Sendable, Equatable, Codable {
        public var personId: Int64
        /// `nil`: the person had no tier before.
        public var from: String?
        /// `nil`: the person has no tier now.
        public var to: String?
    }

    /// The key that stands for "no tier" in ``matrix``.
    public static let noTier = "(none)"

    /// from → to → people, unchanged people on the diagonal; people without a tier on one side
    /// under ``noTier``.
    public var matrix: [String: [String: Int]]
    /// People whose tier changed (appeared, left or moved), ascending person id.
    public var changes: [Change]
    /// People with the same tier in both.
    public var unchanged: Int

    /// Compares two assignments (person id → tier code).
    public static func compare(previous: [Int64: String], current: [Int64: String]) -> TierMovements {
        var matrix: [String: [String: Int]] = [:]
        var changes: [Change] = []
        var unchanged = 0
        for id in Set(previous.keys).union(current.keys).sorted() {
            let from = previous[id]
            let to = current[id]
            matrix[from ?? noTier, default: [:]][to ?? noTier, default: 0] += 1
            if from == to {
                unchanged += 1
            } else {
                changes.append(Change(personId: id, from: from, to: to))
            }
        }
        return TierMovements(matrix: matrix, changes: changes, unchanged: unchanged)
    }
}

extension Dataset {
    /// Stores an evaluation's labels (canonical person id → value, such as an RFM class or a tier
    /// code) as the label column `name` (`rfm8`, `tier.pyramid`, …) that ``PersonRule/label(_:_:_:)``
    /// reads; people without a value have none. Replaces an earlier column of that name.
    public mutating func setLabels(_ name: String, _ values: [Int64: String]) {
        var codes: [String: Int32] = [:]
        for (index, value) in labelDictionary.enumerated() where codes[value] == nil { codes[value] = Int32(index) }
        var column = [Int32](repeating: -1, count: personCount)
        for (id, value) in values {
            guard let person = personIndex(of: id) else { continue }
            if let code = codes[value] {
                column[person] = code
            } else {
                let code = Int32(labelDictionary.count)
                labelDictionary.append(value)
                codes[value] = code
                column[person] = code
            }
        }
        labels[name] = column
    }
}
