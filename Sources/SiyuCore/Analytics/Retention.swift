/// Who comes back: people grouped into cohorts by the period of a start event, and counted in
/// each later period in which they did a return event.
///
/// - `firstTime`: a person's cohort is the period of their first-ever start event (when it falls
///   in the range). `recurring`: every period of the range in which they did the start event.
/// - `on`: counted in period N if they did at least `minimumReturns` return events in period N.
///   `onOrAfter`: counted in period N if they qualified in period N or any later one.
/// - Period 0 is the cohort itself; periods that have not fully begun by `now` have no number.
public struct RetentionQuery: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case firstTime, recurring }
    public enum Criterion: String, Sendable, CaseIterable { case on, onOrAfter }

    public var start: EventMatcher
    public var returning: EventMatcher
    public var kind: Kind
    public var period: Period
    /// Cohorts are the periods that start inside this range.
    public var range: TimeRange
    /// Number of periods after the cohort's, shown as columns 1…periods.
    public var periods: Int
    public var criterion: Criterion
    public var minimumReturns: Int
    /// Person-level breakdowns, or `.channel` for the channel of the cohort's start event.
    public var breakdown: Breakdown?
    public var people: PersonRule?
    public var eventFilters: [PropertyCondition]

    public init(
        start: EventMatcher,
        returning: EventMatcher = EventMatcher(nil),
        kind: Kind = .firstTime,
        period: Period = .week,
        range: TimeRange,
        periods: Int = 12,
        criterion: Criterion = .on,
        minimumReturns: Int = 1,
        breakdown: Breakdown? = nil,
        people: PersonRule? = nil,
        eventFilters: [PropertyCondition] = []
    ) {
        self.start = start
        self.returning = returning
        self.kind = kind
        self.period = period
        self.range = range
        self.periods = periods
        self.criterion = criterion
        self.minimumReturns = minimumReturns
        self.breakdown = breakdown
        self.people = people
        self.eventFilters = eventFilters
    }

    public var propertyKeys: [String] {
        var keys = start.propertyKeys + returning.propertyKeys + eventFilters.map(\.key)
        if case .property(let key) = breakdown { keys.append(key) }
        if let people { keys += people.propertyKeys }
        return keys
    }

    public func problems() -> [String] {
        var problems: [String] = []
        if periods < 1 || periods > 400 { problems.append("periods must be 1 to 400") }
        if minimumReturns < 1 { problems.append("minimumReturns must be at least 1") }
        if range.to <= range.from { problems.append("the date range is empty") }
        if case .property = breakdown { problems.append("retention breaks down by channel, first/last-touch channel or a trait") }
        return problems
    }
}

/// The answer to a ``RetentionQuery``.
public struct RetentionResult: Sendable, Equatable {
    public struct Cohort: Sendable, Equatable {
        public var bucket: Int
        public var label: String
        public var size: Int
        /// People counted in period 0…periods; `nil` where the period has not begun yet.
        public var counts: [Int?]
    }

    public struct Table: Sendable, Equatable {
        /// Breakdown value, or `all`.
        public var value: String
        public var cohorts: [Cohort]
        /// Σ counts / Σ sizes over the cohorts that have reached each period.
        public var weighted: [Double?]
        /// Mean of the cohorts' rates for each period.
        public var simple: [Double?]
    }

    /// All people first, then one table per breakdown value (largest first).
    public var tables: [Table]
    /// First-time daily retention on day 1, 7 and 30 (weighted over the range's daily cohorts).
    public var day1: Double?
    public var day7: Double?
    public var day30: Double?
}

/// Computes retention tables over a ``Dataset``.
public struct RetentionEngine: Sendable {
    public let dataset: Dataset
    public let query: RetentionQuery
    public let calendar: LocalCalendar
    public let now: Int64
    private let startMatcher: CompiledMatcher
    private let returnMatcher: CompiledMatcher
    private let personFilter: PersonRuleEvaluator?

    public init(dataset: Dataset, query: RetentionQuery, calendar: LocalCalendar, now: Int64) {
        self.dataset = dataset
        self.query = query
        self.calendar = calendar
        self.now = now
        var start = query.start
        start.properties += query.eventFilters
        var returning = query.returning
        returning.properties += query.eventFilters
        startMatcher = CompiledMatcher(start, in: dataset)
        returnMatcher = CompiledMatcher(returning, in: dataset)
        personFilter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
    }

    /// One person's membership of a cohort: the cohort bucket, the periods (offsets) in which
    /// they qualified, and their breakdown value.
    struct Membership {
        var cohort: Int
        var qualified: [Int]
        var group: String
    }

    public func run() -> RetentionResult {
        let memberships = self.memberships(period: query.period, kind: query.kind, periods: query.periods)
        var tables = [table(memberships, value: "all", period: query.period, periods: query.periods)]
        if query.breakdown != nil {
            var byValue: [String: [Membership]] = [:]
            for membership in memberships { byValue[membership.group, default: []].append(membership) }
            let ordered = byValue.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            tables += ordered.map { table($0.value, value: $0.key, period: query.period, periods: query.periods) }
        }
        let daily = table(self.memberships(period: .day, kind: .firstTime, periods: 30), value: "all", period: .day, periods: 30)
        return RetentionResult(tables: tables, day1: daily.weighted[1], day7: daily.weighted[7], day30: daily.weighted[30])
    }

    func memberships(period: Period, kind: RetentionQuery.Kind, periods: Int) -> [Membership] {
        let firstCohort = calendar.bucket(query.range.from, period)
        let lastCohort = calendar.bucket(query.range.to - 1, period)
        var result: [Membership] = []
        var returnsPerOffset = [Int](repeating: 0, count: periods + 1)
        for person in 0..<dataset.personCount {
            if let personFilter, !personFilter.matches(person) { continue }
            let start = dataset.eventStart(person)
            let end = dataset.eventEnd(person)
            // Cohorts of this person, with the event that started each.
            var cohorts: [(bucket: Int, event: Int)] = []
            for index in start..<end where startMatcher.matches(index, in: dataset) {
                let bucket = calendar.bucket(dataset.timestamps[index], period)
                if kind == .firstTime {
                    if bucket >= firstCohort && bucket <= lastCohort { cohorts.append((bucket, index)) }
                    break
                }
                if bucket >= firstCohort && bucket <= lastCohort && cohorts.last?.bucket != bucket { cohorts.append((bucket, index)) }
            }
            guard !cohorts.isEmpty else { continue }
            for (cohort, event) in cohorts {
                for offset in returnsPerOffset.indices { returnsPerOffset[offset] = 0 }
                let from = calendar.start(ofBucket: cohort + 1, period)
                var index = dataset.firstEvent(of: person, atOrAfter: from)
                while index < end {
                    let offset = calendar.bucket(dataset.timestamps[index], period) - cohort
                    if offset > periods { break }
                    if offset >= 1, returnMatcher.matches(index, in: dataset) { returnsPerOffset[offset] += 1 }
                    index += 1
                }
                var qualified: [Int] = []
                for offset in 1...periods where returnsPerOffset[offset] >= query.minimumReturns { qualified.append(offset) }
                let group = query.breakdown.map { $0.value(person: person, event: event, in: dataset) } ?? "all"
                result.append(Membership(cohort: cohort, qualified: qualified, group: group))
            }
        }
        return result
    }

    func table(_ memberships: [Membership], value: String, period: Period, periods: Int) -> RetentionResult.Table {
        let firstCohort = calendar.bucket(query.range.from, period)
        let lastCohort = calendar.bucket(query.range.to - 1, period)
        let current = calendar.bucket(now, period)
        var sizes: [Int: Int] = [:]
        var counts: [Int: [Int]] = [:]
        for membership in memberships {
            sizes[membership.cohort, default: 0] += 1
            var row = counts[membership.cohort] ?? [Int](repeating: 0, count: periods + 1)
            row[0] += 1
            switch query.criterion {
            case .on:
                for offset in membership.qualified { row[offset] += 1 }
            case .onOrAfter:
                if let last = membership.qualified.last { for offset in 1...last { row[offset] += 1 } }
            }
            counts[membership.cohort] = row
        }
        var cohorts: [RetentionResult.Cohort] = []
        guard firstCohort <= lastCohort else { return RetentionResult.Table(value: value, cohorts: [], weighted: [], simple: []) }
        for bucket in firstCohort...lastCohort {
            let row = counts[bucket] ?? [Int](repeating: 0, count: periods + 1)
            let visible = row.enumerated().map { offset, count in bucket + offset <= current ? count : nil }
            cohorts.append(
                RetentionResult.Cohort(bucket: bucket, label: calendar.label(ofBucket: bucket, period), size: sizes[bucket] ?? 0, counts: visible)
            )
        }
        var weighted: [Double?] = []
        var simple: [Double?] = []
        for offset in 0...periods {
            var returned = 0
            var total = 0
            var rates: [Double] = []
            for cohort in cohorts where cohort.size > 0 {
                guard let count = cohort.counts[offset] else { continue }
                returned += count
                total += cohort.size
                rates.append(Double(count) / Double(cohort.size))
            }
            weighted.append(total == 0 ? nil : Double(returned) / Double(total))
            simple.append(rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count))
        }
        return RetentionResult.Table(value: value, cohorts: cohorts, weighted: weighted, simple: simple)
    }
}
