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
        queryPropertyKeys([start, returning], filters: eventFilters, breakdown: breakdown, people: people)
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

    /// Counts of one table while people are added: cohort sizes and, per cohort, the people
    /// counted in periods 0…periods (flat, `periods + 1` per cohort).
    struct Tally {
        let firstCohort: Int
        let periods: Int
        var sizes: [Int]
        var counts: [Int]
        var members = 0

        init(firstCohort: Int, lastCohort: Int, periods: Int) {
            self.firstCohort = firstCohort
            self.periods = periods
            let cohorts = Swift.max(0, lastCohort - firstCohort + 1)
            sizes = [Int](repeating: 0, count: cohorts)
            counts = [Int](repeating: 0, count: cohorts * (periods + 1))
        }

        /// Adds one membership of `cohort`, given the return events counted in each period after it.
        mutating func add(cohort: Int, returns: [Int], minimumReturns: Int, criterion: RetentionQuery.Criterion) {
            let row = (cohort - firstCohort) * (periods + 1)
            members += 1
            sizes[cohort - firstCohort] += 1
            counts[row] += 1
            switch criterion {
            case .on:
                for offset in 1...periods where returns[offset] >= minimumReturns { counts[row + offset] += 1 }
            case .onOrAfter:
                var last = periods
                while last > 0 && returns[last] < minimumReturns { last -= 1 }
                if last > 0 { for offset in 1...last { counts[row + offset] += 1 } }
            }
        }

        static func += (left: inout Tally, right: Tally) {
            for i in left.sizes.indices { left.sizes[i] += right.sizes[i] }
            for i in left.counts.indices { left.counts[i] += right.counts[i] }
            left.members += right.members
        }
    }

    /// One table's shape: its period, how many periods follow a cohort, and its cohorts.
    struct Shape {
        let period: Period
        let kind: RetentionQuery.Kind
        let periods: Int
        let firstCohort: Int
        let lastCohort: Int

        func tally() -> Tally { Tally(firstCohort: firstCohort, lastCohort: lastCohort, periods: periods) }
    }

    /// What one chunk of people adds: the requested table (all people and per breakdown value)
    /// and the daily first-time table behind D1/D7/D30.
    struct Partial {
        var all: Tally
        var groups: [String: Tally]
        var daily: Tally
    }

    public func run() -> RetentionResult {
        let main = shape(query.period, query.kind, query.periods)
        let dailyShape = shape(.day, .firstTime, 30)
        let partials = PersonChunks.map(dataset.personCount) { people in
            var partial = Partial(all: main.tally(), groups: [:], daily: dailyShape.tally())
            var returns = [Int](repeating: 0, count: Swift.max(query.periods, 30) + 1)
            for person in people {
                if let personFilter, !personFilter.matches(person) { continue }
                var from = dataset.eventStart(person)
                while let (cohort, event) = nextCohort(person, main, after: &from) {
                    qualify(person, cohort: cohort, main, &returns)
                    partial.all.add(cohort: cohort, returns: returns, minimumReturns: query.minimumReturns, criterion: query.criterion)
                    if let breakdown = query.breakdown {
                        let value = breakdown.value(person: person, event: event, in: dataset)
                        partial.groups[value, default: main.tally()]
                            .add(cohort: cohort, returns: returns, minimumReturns: query.minimumReturns, criterion: query.criterion)
                    }
                }
                from = dataset.eventStart(person)
                if let (cohort, _) = nextCohort(person, dailyShape, after: &from) {
                    qualify(person, cohort: cohort, dailyShape, &returns)
                    partial.daily.add(cohort: cohort, returns: returns, minimumReturns: query.minimumReturns, criterion: query.criterion)
                }
            }
            return partial
        }
        var all = main.tally()
        var daily = dailyShape.tally()
        var groups: [String: Tally] = [:]
        for partial in partials {
            all += partial.all
            daily += partial.daily
            for (value, tally) in partial.groups { groups[value, default: main.tally()] += tally }
        }
        var tables = [table(all, value: "all", shape: main)]
        if query.breakdown != nil {
            let ordered = groups.sorted { ($0.value.members, $1.key) > ($1.value.members, $0.key) }
            tables += ordered.map { table($0.value, value: $0.key, shape: main) }
        }
        let dailyTable = table(daily, value: "all", shape: dailyShape)
        return RetentionResult(tables: tables, day1: dailyTable.weighted[1], day7: dailyTable.weighted[7], day30: dailyTable.weighted[30])
    }

    func shape(_ period: Period, _ kind: RetentionQuery.Kind, _ periods: Int) -> Shape {
        Shape(
            period: period,
            kind: kind,
            periods: periods,
            firstCohort: calendar.bucket(query.range.from, period),
            lastCohort: calendar.bucket(query.range.to - 1, period)
        )
    }

    /// The next cohort of `person` in `shape` from event `from` on, with the event that starts it;
    /// `from` moves past it. First-time cohorts: only the first start event counts (and only when
    /// it falls in the range); recurring: each period of the range with a start event, once.
    private func nextCohort(_ person: Int, _ shape: Shape, after from: inout Int) -> (cohort: Int, event: Int)? {
        let end = dataset.eventEnd(person)
        while from < end {
            let index = from
            from += 1
            guard startMatcher.matches(index, in: dataset) else { continue }
            let cohort = calendar.bucket(dataset.timestamps[index], shape.period)
            let inRange = cohort >= shape.firstCohort && cohort <= shape.lastCohort
            if shape.kind == .firstTime {
                from = end
                return inRange ? (cohort, index) : nil
            }
            guard inRange else { continue }
            // Each period once: go on from the next period.
            from = Swift.max(from, dataset.firstEvent(of: person, atOrAfter: calendar.start(ofBucket: cohort + 1, shape.period)))
            return (cohort, index)
        }
        return nil
    }

    /// Counts `person`'s return events in each of the `shape.periods` periods after `cohort`.
    private func qualify(_ person: Int, cohort: Int, _ shape: Shape, _ returns: inout [Int]) {
        let end = dataset.eventEnd(person)
        for offset in 0...shape.periods { returns[offset] = 0 }
        // Events from the start of period 1 to the end of the last period; only return events need
        // their period worked out.
        let until = calendar.start(ofBucket: cohort + shape.periods + 1, shape.period)
        var index = dataset.firstEvent(of: person, atOrAfter: calendar.start(ofBucket: cohort + 1, shape.period))
        while index < end, dataset.timestamps[index] < until {
            if returnMatcher.matches(index, in: dataset) {
                let offset = calendar.bucket(dataset.timestamps[index], shape.period) - cohort
                if offset >= 1 && offset <= shape.periods { returns[offset] += 1 }
            }
            index += 1
        }
    }

    func table(_ tally: Tally, value: String, shape: Shape) -> RetentionResult.Table {
        let current = calendar.bucket(now, shape.period)
        guard shape.firstCohort <= shape.lastCohort else { return RetentionResult.Table(value: value, cohorts: [], weighted: [], simple: []) }
        let width = shape.periods + 1
        let cohorts = (shape.firstCohort...shape.lastCohort).map { bucket in
            let row = (bucket - shape.firstCohort) * width
            let visible = (0...shape.periods).map { offset in bucket + offset <= current ? tally.counts[row + offset] : nil }
            return RetentionResult.Cohort(
                bucket: bucket,
                label: calendar.label(ofBucket: bucket, shape.period),
                size: tally.sizes[bucket - shape.firstCohort],
                counts: visible
            )
        }
        var weighted: [Double?] = []
        var simple: [Double?] = []
        for offset in 0...shape.periods {
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
