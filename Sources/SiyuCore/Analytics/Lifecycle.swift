/// Where each period's active people come from, and how many slipped away (PostHog's lifecycle).
///
/// For every period (local day, week or month) overlapping the date range, each person who
/// did a matching event is one of:
/// - **new**: their first-ever matching event falls in this period;
/// - **returning**: active in this period and in the previous one;
/// - **resurrecting**: active in this period, not in the previous one, but in some earlier one;
/// and each person active in the previous period but not in this one is **dormant**, reported as
/// a negative count. History before the range counts (a person first active long before the
/// range is never new in it).
///
/// A person-level breakdown (first/last-touch channel, trait) puts each person in one group. An
/// event-level breakdown (channel, event property) follows each group on its own: a person is
/// active in a group in a period when they did a matching event of that group in it, and new to
/// the group in the period of their first such event.
public struct LifecycleQuery: Sendable, Equatable {
    public var event: EventMatcher
    /// `day`, `week` or `month`.
    public var period: Period
    public var range: TimeRange
    public var breakdown: Breakdown?
    public var people: PersonRule?
    public var eventFilters: [PropertyCondition]

    public init(
        event: EventMatcher,
        period: Period = .day,
        range: TimeRange,
        breakdown: Breakdown? = nil,
        people: PersonRule? = nil,
        eventFilters: [PropertyCondition] = []
    ) {
        self.event = event
        self.period = period
        self.range = range
        self.breakdown = breakdown
        self.people = people
        self.eventFilters = eventFilters
    }

    /// Every property key the query reads.
    public var propertyKeys: [String] {
        queryPropertyKeys([event], filters: eventFilters, breakdown: breakdown, people: people)
    }

    /// Problems that make the query meaningless, in words for the caller (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if ![.day, .week, .month].contains(period) { problems.append("lifecycle periods are days, weeks or months") }
        if range.to <= range.from { problems.append("the date range is empty") }
        return problems
    }
}

/// The answer to a ``LifecycleQuery``.
public struct LifecycleResult: Sendable, Equatable, Codable {
    public struct Point: Sendable, Equatable, Codable {
        public var bucket: Int
        public var label: String
        public var new: Int
        public var returning: Int
        public var resurrecting: Int
        /// Active in the previous period, not in this one: zero or negative.
        public var dormant: Int

        /// People active in the period.
        public var active: Int { new + returning + resurrecting }
    }

    public struct Group: Sendable, Equatable, Codable {
        /// Breakdown value, or `all`.
        public var value: String
        public var points: [Point]
    }

    /// All people first, then one group per breakdown value (most active people first).
    public var groups: [Group]
}

/// Computes lifecycle counts over a ``Dataset``.
public struct LifecycleEngine: Sendable {
    public let dataset: Dataset
    public let query: LifecycleQuery
    public let calendar: LocalCalendar
    private let matcher: CompiledMatcher
    private let personFilter: PersonRuleEvaluator?

    public init(dataset: Dataset, query: LifecycleQuery, calendar: LocalCalendar, now: Int64) {
        self.dataset = dataset
        self.query = query
        self.calendar = calendar
        var event = query.event
        event.properties += query.eventFilters
        matcher = CompiledMatcher(event, in: dataset)
        personFilter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
    }

    /// Counters per bucket offset: new, returning, resurrecting, dormant.
    private typealias Counts = [(new: Int, returning: Int, resurrecting: Int, dormant: Int)]

    public func run() -> LifecycleResult {
        let period = query.period
        guard query.range.to > query.range.from else { return LifecycleResult(groups: [LifecycleResult.Group(value: "all", points: [])]) }
        let first = calendar.bucket(query.range.from, period)
        let last = calendar.bucket(query.range.to - 1, period)
        let size = last - first + 1
        let end = calendar.start(ofBucket: last + 1, period)
        let zero = Counts(repeating: (0, 0, 0, 0), count: size)
        var all = zero
        var byGroup: [String: Counts] = [:]
        var tracks: [String: Int] = [:]
        for person in 0..<dataset.personCount {
            if let personFilter, !personFilter.matches(person) { continue }
            tracks.removeAll(keepingCapacity: true)
            var track: Int?
            let personGroup = query.breakdown.flatMap { $0.isEventLevel ? nil : $0.value(person: person, event: nil, in: dataset) }
            var index = dataset.eventStart(person)
            let stop = dataset.eventEnd(person)
            while index < stop, dataset.timestamps[index] < end {
                defer { index += 1 }
                guard matcher.matches(index, in: dataset) else { continue }
                let bucket = calendar.bucket(dataset.timestamps[index], period)
                Self.visit(bucket, &track, &all, first: first, last: last)
                guard let breakdown = query.breakdown else { continue }
                let group = personGroup ?? breakdown.value(person: person, event: index, in: dataset)
                var groupTrack = tracks[group]
                if groupTrack != bucket {
                    Self.visit(bucket, &groupTrack, &byGroup[group, default: zero], first: first, last: last)
                    tracks[group] = groupTrack
                }
            }
            Self.close(track, &all, first: first, last: last)
            for (group, groupTrack) in tracks { Self.close(groupTrack, &byGroup[group, default: zero], first: first, last: last) }
        }
        func points(_ counts: Counts) -> [LifecycleResult.Point] {
            counts.enumerated().map { offset, count in
                LifecycleResult.Point(
                    bucket: first + offset,
                    label: calendar.label(ofBucket: first + offset, period),
                    new: count.new,
                    returning: count.returning,
                    resurrecting: count.resurrecting,
                    dormant: -count.dormant
                )
            }
        }
        var groups = [LifecycleResult.Group(value: "all", points: points(all))]
        let ordered = byGroup.map { ($0.key, $0.value, $0.value.reduce(0) { $0 + $1.new + $1.returning + $1.resurrecting }) }
            .sorted { ($0.2, $1.0) > ($1.2, $0.0) }
        groups += ordered.map { LifecycleResult.Group(value: $0.0, points: points($0.1)) }
        return LifecycleResult(groups: groups)
    }

    /// Counts a person active in `bucket`; `track` is the last bucket they were active in
    /// (`nil`: none yet). Buckets arrive in ascending order.
    @inline(__always)
    private static func visit(_ bucket: Int, _ track: inout Int?, _ counts: inout Counts, first: Int, last: Int) {
        guard let previous = track else {
            if bucket >= first { counts[bucket - first].new += 1 }
            track = bucket
            return
        }
        if previous == bucket { return }
        if bucket - previous == 1 {
            if bucket >= first { counts[bucket - first].returning += 1 }
        } else {
            if bucket >= first { counts[bucket - first].resurrecting += 1 }
            // Dormant in the period after the last active one.
            let dormant = previous + 1
            if dormant >= first && dormant <= last { counts[dormant - first].dormant += 1 }
        }
        track = bucket
    }

    /// After a person's last event: dormant in the period after their last active one.
    @inline(__always)
    private static func close(_ track: Int?, _ counts: inout Counts, first: Int, last: Int) {
        guard let track else { return }
        let dormant = track + 1
        if dormant >= first && dormant <= last { counts[dormant - first].dormant += 1 }
    }
}
