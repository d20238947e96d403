/// Customer journey stages — reach → awareness → interest → purchase → loyalty by default — each
/// a ``PersonRule`` the operator can edit.
///
/// A person's stage is the deepest (last) stage whose rule they satisfy; reaching a stage implies
/// the earlier ones (a person whose only event is an imported order counts as reached, aware and
/// interested too). Cumulative counts are the people at a stage or deeper, and the conversion
/// from one stage to the next is the ratio of those counts.
///
/// Rules can test the Segment call type of events with the pseudo event property
/// ``Dataset/eventTypeKey`` (`$type`: `track`, `identify`, `page`, `screen`, `group`, `alias`).
public struct JourneyQuery: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var code: String
        public var english: String
        public var chinese: String
        public var rule: PersonRule

        public init(_ code: String, english: String, chinese: String, rule: PersonRule) {
            self.code = code
            self.english = english
            self.chinese = chinese
            self.rule = rule
        }
    }

    /// Shallowest first.
    public var stages: [Stage]
    /// Only people who satisfy the rule.
    public var people: PersonRule?
    /// Person-level breakdown (first/last-touch channel or a trait).
    public var breakdown: Breakdown?

    public init(stages: [Stage] = JourneyQuery.standardStages, people: PersonRule? = nil, breakdown: Breakdown? = nil) {
        self.stages = stages
        self.people = people
        self.breakdown = breakdown
    }

    /// The default stages:
    /// - reach: any event at all (seen on some channel);
    /// - awareness: a track, page, screen or group call (anything beyond identify/alias);
    /// - interest: viewed a product (`Product Viewed`) at least twice, or joined a group
    ///   (a `Group Joined` event or a group call);
    /// - purchase: at least one order;
    /// - loyalty: at least 3 orders in the last 180 days.
    public static let standardStages: [Stage] = {
        let typed = { (types: [MessageType]) in
            EventMatcher(nil, where: [PropertyCondition(Dataset.eventTypeKey, .in, .array(types.map { .string($0.rawValue) }))])
        }
        return [
            Stage("reach", english: "Reach", chinese: "触达", rule: .eventCount(EventMatcher(nil), .gte, 1, within: .ever)),
            Stage(
                "awareness",
                english: "Awareness",
                chinese: "认知",
                rule: .eventCount(typed([.track, .page, .screen, .group]), .gte, 1, within: .ever)
            ),
            Stage(
                "interest",
                english: "Interest",
                chinese: "兴趣",
                rule: .any([
                    .eventCount(EventMatcher("Product Viewed"), .gte, 2, within: .ever),
                    .eventCount(EventMatcher("Group Joined"), .gte, 1, within: .ever),
                    .eventCount(typed([.group]), .gte, 1, within: .ever),
                ])
            ),
            Stage("purchase", english: "Purchase", chinese: "购买", rule: .orderCount(.gte, 1, within: .ever)),
            Stage("loyalty", english: "Loyalty", chinese: "忠诚", rule: .orderCount(.gte, 3, within: .lastDays(180))),
        ]
    }()

    public var propertyKeys: [String] {
        let keys = stages.flatMap(\.rule.propertyKeys) + (people?.propertyKeys ?? [])
        return keys.filter { $0 != Dataset.eventTypeKey }
    }

    public func problems() -> [String] {
        var problems: [String] = []
        if stages.isEmpty || stages.count > 20 { problems.append("a journey has 1 to 20 stages") }
        if Set(stages.map(\.code)).count != stages.count { problems.append("stage codes must be distinct") }
        if let breakdown, breakdown.isEventLevel { problems.append("journeys break down by first/last-touch channel or a trait") }
        return problems
    }
}

/// The answer to a ``JourneyQuery``.
public struct JourneyResult: Sendable, Equatable, Codable {
    public struct Stage: Sendable, Equatable, Codable {
        public var code: String
        public var english: String
        public var chinese: String
        /// People whose deepest stage is this one.
        public var people: Int
        /// People at this stage or deeper.
        public var cumulative: Int
        /// `cumulative` over the previous stage's `cumulative` (1 for the first stage; 0 when the
        /// previous stage is empty).
        public var conversionFromPrevious: Double
        /// `cumulative` over the first stage's `cumulative`.
        public var conversionFromFirst: Double
    }

    public struct Group: Sendable, Equatable, Codable {
        /// Breakdown value, or `all`.
        public var value: String
        /// People considered (who passed the filter).
        public var people: Int
        /// People who reached no stage.
        public var unreached: Int
        public var stages: [Stage]
    }

    /// All people first, then one group per breakdown value (most people first).
    public var groups: [Group]
    /// Canonical person id → code of the deepest stage, for people who reached one.
    public var assignments: [Int64: String]
}

extension Dataset {
    /// The pseudo event property holding each event's Segment call type, for rules that tell
    /// page, screen, group and identify calls apart. ``JourneyEngine`` derives it from ``types``.
    public static let eventTypeKey = "$type"

    /// This dataset with the ``eventTypeKey`` column derived from the events' types.
    public func withEventTypeColumn() -> Dataset {
        var copy = self
        let dictionary = MessageType.allCases.sorted { $0.code < $1.code }
        var codeIndex = [Int32](repeating: -1, count: 256)
        for (index, type) in dictionary.enumerated() { codeIndex[type.code] = Int32(index) }
        var codes = [Int32](repeating: -1, count: slots.used)
        for p in 0..<personCount {
            for e in eventStart(p)..<eventEnd(p) { codes[e] = codeIndex[Int(types[e])] }
        }
        copy.properties[Self.eventTypeKey] = PropertyColumn(values: codes, dictionary: dictionary.map { .string($0.rawValue) })
        return copy
    }
}

/// Places people in journey stages over a ``Dataset``.
public struct JourneyEngine: Sendable {
    public let dataset: Dataset
    public let query: JourneyQuery
    public let now: Int64

    /// Rules are evaluated as of `now`.
    public init(dataset: Dataset, query: JourneyQuery, now: Int64) {
        self.dataset = dataset.properties[Dataset.eventTypeKey] == nil ? dataset.withEventTypeColumn() : dataset
        self.query = query
        self.now = now
    }

    /// The deepest stage index of every person (`-1`: none), `nil` for people the filter leaves out.
    public func stageIndexes() -> [Int?] {
        let filter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
        let evaluators = query.stages.map { PersonRuleEvaluator($0.rule, dataset: dataset, now: now) }
        return (0..<dataset.personCount).map { person in
            if let filter, !filter.matches(person) { return nil }
            return evaluators.indices.last { evaluators[$0].matches(person) } ?? -1
        }
    }

    public func run() -> JourneyResult {
        let indexes = stageIndexes()
        var assignments: [Int64: String] = [:]
        var all: [Int] = []
        var byValue: [String: [Int]] = [:]
        for (person, index) in indexes.enumerated() {
            guard let index else { continue }
            if index >= 0 { assignments[dataset.personIds[person]] = query.stages[index].code }
            all.append(index)
            if let breakdown = query.breakdown {
                byValue[breakdown.value(person: person, event: nil, in: dataset), default: []].append(index)
            }
        }
        var groups = [group("all", all)]
        let ordered = byValue.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
        groups += ordered.map { group($0.key, $0.value) }
        return JourneyResult(groups: groups, assignments: assignments)
    }

    func group(_ value: String, _ indexes: [Int]) -> JourneyResult.Group {
        var deepest = [Int](repeating: 0, count: query.stages.count)
        var unreached = 0
        for index in indexes {
            if index >= 0 { deepest[index] += 1 } else { unreached += 1 }
        }
        var cumulative = deepest
        for index in cumulative.indices.reversed().dropFirst() { cumulative[index] += cumulative[index + 1] }
        let stages = query.stages.indices.map { index in
            let previous = index == 0 ? cumulative[0] : cumulative[index - 1]
            return JourneyResult.Stage(
                code: query.stages[index].code,
                english: query.stages[index].english,
                chinese: query.stages[index].chinese,
                people: deepest[index],
                cumulative: cumulative[index],
                conversionFromPrevious: index == 0 ? 1 : (previous > 0 ? Double(cumulative[index]) / Double(previous) : 0),
                conversionFromFirst: cumulative[0] > 0 ? Double(cumulative[index]) / Double(cumulative[0]) : 0
            )
        }
        return JourneyResult.Group(value: value, people: indexes.count, unreached: unreached, stages: stages)
    }
}
