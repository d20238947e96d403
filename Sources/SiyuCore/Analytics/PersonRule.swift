/// A rule about people, as segments, intent colours, journey stages and query filters use it:
/// a tree of AND / OR / NOT over conditions on traits, tags, identities, channels, event
/// aggregates, revenue, recency, and attributes written by models (CLV, P(alive), RFM class, tier).
public indirect enum PersonRule: Sendable, Equatable {
    case all([PersonRule])
    case any([PersonRule])
    case not(PersonRule)
    case trait(PropertyCondition)
    /// Has the tag.
    case tag(String)
    /// Has an identity of the kind (`phone`, `email`, `unionid`, `user_id`, …).
    case identity(String)
    /// First-touch channel compared with one or more channel keys (`eq`, `neq`, `in`, `notIn`).
    case firstChannel(Comparison, [String])
    case lastChannel(Comparison, [String])
    /// Number of matching events in the window, compared with a count.
    case eventCount(EventMatcher, Comparison, Int, within: RuleWindow)
    /// Number of orders in the window.
    case orderCount(Comparison, Int, within: RuleWindow)
    /// Revenue in the window, minor units of the workspace currency.
    case revenue(Comparison, Int64, within: RuleWindow)
    /// Whole days since the person was last seen (an unseen person never matches).
    case lastSeenDaysAgo(Comparison, Int)
    /// Whole days since the person was first seen.
    case firstSeenDaysAgo(Comparison, Int)
    /// A numeric attribute written by a model (`clv`, `p_alive`, `expected_orders_90d`, …);
    /// people without it never match.
    case attribute(String, Comparison, Double)
    /// A label written by an evaluation (`rfm8`, `rfm11`, `tier.pyramid`, `tier.colour`, …)
    /// compared with one or more values (`eq`, `neq`, `in`, `notIn`).
    case label(String, Comparison, [String])

    /// Property keys of event conditions inside the rule (their columns must be loaded).
    public var propertyKeys: [String] {
        switch self {
        case .all(let rules), .any(let rules): return rules.flatMap(\.propertyKeys)
        case .not(let rule): return rule.propertyKeys
        case .eventCount(let matcher, _, _, _): return matcher.propertyKeys
        default: return []
        }
    }
}

/// The time window of an aggregate in a ``PersonRule``.
public enum RuleWindow: Sendable, Equatable {
    case ever
    /// The `n` × 24 hours before the evaluation instant.
    case lastDays(Int)
    case range(TimeRange)

    func range(now: Int64) -> TimeRange {
        switch self {
        case .ever: return TimeRange(from: .min, to: .max)
        // Saturating: a rule is bounded where it is read (``QueryLimits``), and this holds even if not.
        case .lastDays(let days):
            return TimeRange(from: now.addingSaturated(-Int64(days).multipliedSaturated(by: 86_400_000)), to: now.addingSaturated(1))
        case .range(let range): return range
        }
    }
}

/// A ``PersonRule`` compiled against a dataset, evaluated person by person.
public struct PersonRuleEvaluator: Sendable {
    private let dataset: Dataset
    private let now: Int64
    private let root: Node

    private indirect enum Node: Sendable {
        case all([Node])
        case any([Node])
        case not(Node)
        case trait(PropertyCondition)
        case tag(String)
        case identity(String)
        case firstChannel(Comparison, Set<Int32>)
        case lastChannel(Comparison, Set<Int32>)
        case eventCount(CompiledMatcher, Comparison, Int, TimeRange)
        case orderCount(Comparison, Int, TimeRange)
        case revenue(Comparison, Int64, TimeRange)
        case lastSeen(Comparison, Int)
        case firstSeen(Comparison, Int)
        case attribute([Double]?, Comparison, Double)
        case label([Int32]?, Comparison, Set<Int32>)
    }

    /// Compiles `rule` for `dataset`; day counts and windows are relative to `now`.
    public init(_ rule: PersonRule, dataset: Dataset, now: Int64) {
        self.dataset = dataset
        self.now = now
        self.root = Self.compile(rule, dataset: dataset, now: now)
    }

    private static func compile(_ rule: PersonRule, dataset: Dataset, now: Int64) -> Node {
        switch rule {
        case .all(let rules): return .all(rules.map { compile($0, dataset: dataset, now: now) })
        case .any(let rules): return .any(rules.map { compile($0, dataset: dataset, now: now) })
        case .not(let rule): return .not(compile(rule, dataset: dataset, now: now))
        case .trait(let condition): return .trait(condition)
        case .tag(let tag): return .tag(tag)
        case .identity(let kind): return .identity(kind)
        case .firstChannel(let op, let keys): return .firstChannel(op, Set(keys.compactMap(dataset.channelIndex)))
        case .lastChannel(let op, let keys): return .lastChannel(op, Set(keys.compactMap(dataset.channelIndex)))
        case .eventCount(let matcher, let op, let count, let window):
            return .eventCount(CompiledMatcher(matcher, in: dataset), op, count, window.range(now: now))
        case .orderCount(let op, let count, let window): return .orderCount(op, count, window.range(now: now))
        case .revenue(let op, let amount, let window): return .revenue(op, amount, window.range(now: now))
        case .lastSeenDaysAgo(let op, let days): return .lastSeen(op, days)
        case .firstSeenDaysAgo(let op, let days): return .firstSeen(op, days)
        case .attribute(let name, let op, let value): return .attribute(dataset.attributes[name], op, value)
        case .label(let name, let op, let values):
            let codes = Set(values.compactMap { value in dataset.labelDictionary.firstIndex(of: value).map(Int32.init) })
            return .label(dataset.labels[name], op, codes)
        }
    }

    /// Whether person `p` (a person index of the dataset) satisfies the rule.
    public func matches(_ p: Int) -> Bool { evaluate(root, p) }

    /// The indexes of every person who satisfies the rule.
    public func members() -> [Int] { PersonChunks.map(dataset.personCount) { $0.filter(matches) }.flatMap { $0 } }

    private func evaluate(_ node: Node, _ p: Int) -> Bool {
        switch node {
        case .all(let nodes): return nodes.allSatisfy { evaluate($0, p) }
        case .any(let nodes): return nodes.contains { evaluate($0, p) }
        case .not(let node): return !evaluate(node, p)
        case .trait(let condition): return condition.matches(dataset.traits[p][condition.key])
        case .tag(let tag): return dataset.tags[p].contains(tag)
        case .identity(let kind): return dataset.identityKinds[p].contains(kind)
        case .firstChannel(let op, let keys): return Self.member(dataset.firstChannel[p], op, keys)
        case .lastChannel(let op, let keys): return Self.member(dataset.lastChannel[p], op, keys)
        case .eventCount(let matcher, let op, let count, let range):
            var found = 0
            var index = dataset.firstEvent(of: p, atOrAfter: range.from)
            let end = dataset.eventEnd(p)
            while index < end, dataset.timestamps[index] < range.to {
                if matcher.matches(index, in: dataset) { found += 1 }
                index += 1
            }
            return Self.compare(Int64(found), op, Int64(count))
        case .orderCount(let op, let count, let range):
            let (orders, _) = orderTotals(p, range)
            return Self.compare(orders, op, Int64(count))
        case .revenue(let op, let amount, let range):
            let (_, revenue) = orderTotals(p, range)
            return Self.compare(revenue, op, amount)
        case .lastSeen(let op, let days):
            let seen = dataset.lastSeen[p]
            guard seen != .min else { return false }
            return Self.compare((now - seen) / 86_400_000, op, Int64(days))
        case .firstSeen(let op, let days):
            let seen = dataset.firstSeen[p]
            guard seen != .min else { return false }
            return Self.compare((now - seen) / 86_400_000, op, Int64(days))
        case .attribute(let column, let op, let value):
            guard let column, !column[p].isNaN else { return false }
            let actual = column[p]
            switch op {
            case .eq: return actual == value
            case .neq: return actual != value
            case .gt: return actual > value
            case .gte: return actual >= value
            case .lt: return actual < value
            case .lte: return actual <= value
            default: return false
            }
        case .label(let column, let op, let codes):
            guard let column, column[p] >= 0 else { return op == .neq || op == .notIn }
            return Self.member(column[p], op, codes)
        }
    }

    private func orderTotals(_ p: Int, _ range: TimeRange) -> (Int64, Int64) {
        var orders: Int64 = 0
        var revenue: Int64 = 0
        var index = dataset.firstEvent(of: p, atOrAfter: range.from)
        let end = dataset.eventEnd(p)
        while index < end, dataset.timestamps[index] < range.to {
            if dataset.isOrder[index] {
                orders += 1
                revenue.addSaturated(dataset.revenue[index])
            }
            index += 1
        }
        return (orders, revenue)
    }

    static func member(_ value: Int32, _ op: Comparison, _ set: Set<Int32>) -> Bool {
        switch op {
        case .eq, .in: return set.contains(value)
        case .neq, .notIn: return !set.contains(value)
        default: return false
        }
    }

    static func compare(_ actual: Int64, _ op: Comparison, _ expected: Int64) -> Bool {
        switch op {
        case .eq: return actual == expected
        case .neq: return actual != expected
        case .gt: return actual > expected
        case .gte: return actual >= expected
        case .lt: return actual < expected
        case .lte: return actual <= expected
        default: return false
        }
    }
}
