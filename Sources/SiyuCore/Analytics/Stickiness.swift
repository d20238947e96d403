/// How often people come back within a window: how many people did an event on exactly 1, 2, …,
/// N distinct local days of each window.
///
/// Semantics (documented in docs/analytics.md):
/// - The window is a local calendar week (Monday to Sunday, N = 7), a local calendar month
///   (N = 28…31) or the whole date range (N = its number of local days). With `week` or `month`
///   and a range spanning several of them, there is one histogram per week or month that
///   overlaps the range, oldest first; only days inside the range count, so a window cut by the
///   range has fewer possible days (``StickinessResult/Histogram/days``).
/// - A person counts in a window when they did at least one matching event in it; their value is
///   the number of distinct local days (workspace time zone) on which they did one.
/// - A person-level breakdown (first/last-touch channel, trait) puts each person in one group.
///   An event-level breakdown (channel, event property) counts a person in every group of which
///   they did a matching event, with the days of that group's events only.
public struct StickinessQuery: Sendable, Equatable {
    /// The stretch of time of one histogram.
    public enum Window: String, Sendable, Codable, CaseIterable {
        case week, month
        /// One histogram over the whole date range.
        case range
    }

    public var event: EventMatcher
    public var range: TimeRange
    public var window: Window
    public var breakdown: Breakdown?
    public var people: PersonRule?
    public var eventFilters: [PropertyCondition]

    public init(
        event: EventMatcher,
        range: TimeRange,
        window: Window = .week,
        breakdown: Breakdown? = nil,
        people: PersonRule? = nil,
        eventFilters: [PropertyCondition] = []
    ) {
        self.event = event
        self.range = range
        self.window = window
        self.breakdown = breakdown
        self.people = people
        self.eventFilters = eventFilters
    }

    /// Every property key the query reads.
    public var propertyKeys: [String] {
        queryPropertyKeys([event], filters: eventFilters, breakdown: breakdown, people: people)
    }

    /// Longest date range accepted for a single histogram, in days.
    public static let maximumDays = 366

    /// Problems that make the query meaningless, in words for the caller (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if range.to <= range.from {
            problems.append("the date range is empty")
        } else if range.to - range.from > Int64(Self.maximumDays) * 86_400_000 {
            problems.append("the date range is at most \(Self.maximumDays) days")
        }
        return problems
    }
}

/// The answer to a ``StickinessQuery``.
public struct StickinessResult: Sendable, Equatable, Codable {
    public struct Histogram: Sendable, Equatable, Codable {
        /// The week or month bucket (``LocalCalendar/bucket(_:_:)``); `nil` for a whole-range window.
        public var bucket: Int?
        /// `2024-W18`, `2024-05`, or `2024-05-01…2024-05-14` for a whole-range window.
        public var label: String
        /// Local days of the window inside the range: the most days anyone can have.
        public var days: Int
        /// `counts[k - 1]`: people active on exactly `k` days, for `k` in `1...days`.
        public var counts: [Int]

        /// People active on at least one day of the window.
        public var people: Int { counts.reduce(0, +) }

        /// `atLeast[k - 1]`: people active on `k` days or more.
        public var atLeast: [Int] {
            var running = 0
            return counts.reversed().map { count in
                running += count
                return running
            }.reversed()
        }

        /// Mean number of active days of the people counted (`nil` when nobody was active).
        public var meanDays: Double? {
            let total = people
            guard total > 0 else { return nil }
            let days = counts.enumerated().reduce(0) { $0 + ($1.offset + 1) * $1.element }
            return Double(days) / Double(total)
        }
    }

    public struct Group: Sendable, Equatable, Codable {
        /// Breakdown value, or `all`.
        public var value: String
        public var histograms: [Histogram]
    }

    /// All people first, then one group per breakdown value (most people first).
    public var groups: [Group]
}

/// Computes stickiness histograms over a ``Dataset``.
public struct StickinessEngine: Sendable {
    public let dataset: Dataset
    public let query: StickinessQuery
    public let calendar: LocalCalendar
    private let matcher: CompiledMatcher
    private let personFilter: PersonRuleEvaluator?

    public init(dataset: Dataset, query: StickinessQuery, calendar: LocalCalendar, now: Int64) {
        self.dataset = dataset
        self.query = query
        self.calendar = calendar
        var event = query.event
        event.properties += query.eventFilters
        matcher = CompiledMatcher(event, in: dataset)
        personFilter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
    }

    /// One window of the result: its bucket, first and last local day inside the range.
    struct Window {
        var bucket: Int?
        var firstDay: Int
        var lastDay: Int
    }

    /// The windows of the range, oldest first.
    func windows() -> [Window] {
        guard query.range.to > query.range.from else { return [] }
        let firstDay = calendar.day(query.range.from)
        let lastDay = calendar.day(query.range.to - 1)
        let period: Period
        switch query.window {
        case .range: return [Window(bucket: nil, firstDay: firstDay, lastDay: lastDay)]
        case .week: period = .week
        case .month: period = .month
        }
        let first = calendar.bucket(query.range.from, period)
        let last = calendar.bucket(query.range.to - 1, period)
        return (first...last).map { bucket in
            Window(
                bucket: bucket,
                firstDay: max(firstDay, calendar.firstDay(ofBucket: bucket, period)),
                lastDay: min(lastDay, calendar.firstDay(ofBucket: bucket + 1, period) - 1)
            )
        }
    }

    public func run() -> StickinessResult {
        let windows = self.windows()
        let wholeRange = query.window == .range
        let period: Period = query.window == .month ? .month : .week
        let firstBucket = windows.first?.bucket ?? 0
        let eventLevel = query.breakdown?.isEventLevel ?? false
        func empty() -> [[Int]] { windows.map { [Int](repeating: 0, count: $0.lastDay - $0.firstDay + 1) } }
        // [window][days - 1], for everyone and per breakdown value.
        var all = empty()
        var counts: [String: [[Int]]] = [:]
        // The current person's finished windows, and their running count per event-level group.
        var finished: [(window: Int, days: Int)] = []
        var groups: [String: DayCount] = [:]
        for person in 0..<dataset.personCount where !windows.isEmpty {
            if let personFilter, !personFilter.matches(person) { continue }
            finished.removeAll(keepingCapacity: true)
            groups.removeAll(keepingCapacity: true)
            var total = DayCount()
            var index = dataset.firstEvent(of: person, atOrAfter: query.range.from)
            let end = dataset.eventEnd(person)
            while index < end, dataset.timestamps[index] < query.range.to {
                defer { index += 1 }
                guard matcher.matches(index, in: dataset) else { continue }
                let time = dataset.timestamps[index]
                let day = calendar.day(time)
                let window = wholeRange ? 0 : calendar.bucket(time, period) - firstBucket
                if let done = total.add(window: window, day: day) { finished.append(done) }
                guard eventLevel, let breakdown = query.breakdown else { continue }
                let group = breakdown.value(person: person, event: index, in: dataset)
                if let done = groups[group, default: DayCount()].add(window: window, day: day) {
                    counts[group, default: empty()][done.window][done.days - 1] += 1
                }
            }
            if let done = total.open { finished.append(done) }
            for done in finished { all[done.window][done.days - 1] += 1 }
            if let breakdown = query.breakdown, !eventLevel, !finished.isEmpty {
                let group = breakdown.value(person: person, event: nil, in: dataset)
                for done in finished { counts[group, default: empty()][done.window][done.days - 1] += 1 }
            }
            for (group, count) in groups {
                if let done = count.open { counts[group, default: empty()][done.window][done.days - 1] += 1 }
            }
        }
        func histograms(_ rows: [[Int]]) -> [StickinessResult.Histogram] {
            zip(windows, rows).map { window, row in
                StickinessResult.Histogram(bucket: window.bucket, label: label(window), days: row.count, counts: row)
            }
        }
        var result = [StickinessResult.Group(value: "all", histograms: histograms(all))]
        let ordered = counts.map { ($0.key, $0.value, $0.value.reduce(0) { $0 + $1.reduce(0, +) }) }
            .sorted { ($0.2, $1.0) > ($1.2, $0.0) }
        result += ordered.map { StickinessResult.Group(value: $0.0, histograms: histograms($0.1)) }
        return StickinessResult(groups: result)
    }

    /// A person's distinct active days in their current window, fed events in time order.
    struct DayCount {
        var window = -1
        var lastDay = 0
        var days = 0

        /// Counts an event on `day` of `window`; returns the window just left, with its day count.
        @inline(__always)
        mutating func add(window: Int, day: Int) -> (window: Int, days: Int)? {
            if self.window != window {
                let done = open
                self = DayCount(window: window, lastDay: day, days: 1)
                return done
            }
            // Events are in time order, so a new day is always a later one.
            if day != lastDay {
                lastDay = day
                days += 1
            }
            return nil
        }

        /// The window being counted, if any.
        var open: (window: Int, days: Int)? { window >= 0 ? (window, days) : nil }
    }

    private func label(_ window: Window) -> String {
        switch query.window {
        case .week: return calendar.label(ofBucket: window.bucket ?? 0, .week)
        case .month: return calendar.label(ofBucket: window.bucket ?? 0, .month)
        case .range:
            return calendar.label(ofBucket: window.firstDay, .day) + "…" + calendar.label(ofBucket: window.lastDay, .day)
        }
    }
}
