/// A conversion funnel: 2–20 steps people go through, with a conversion window.
///
/// Semantics (documented in docs/analytics.md, mirrored by the SQL reference in the tests):
/// - Each occurrence of step 0 inside ``range`` is an attempt; a person's result is their most
///   successful attempt (most steps reached; ties go to the earliest).
/// - `ordered`: each step takes the first matching event after the previous required step's
///   event, within the funnel window from the attempt's start and, when the step has one, within
///   its own window from the previous required step; other events may come between.
/// - `strict`: each step must be the person's very next event after the previous step.
/// - `unordered`: from the attempt's start (an event of any step), the steps done within the
///   window count in the order they were first done.
/// - An optional step counts when done between the previous required step and the next one; it
///   never blocks the path. (Ordered funnels only.)
/// - An exclusion `X` between steps `i` and `j`: a person who does `X` after reaching step `i`
///   and before reaching step `j` drops out at the last step reached before `X`.
/// - A step marked `firstEver` only matches the person's first-ever event of that name (if it
///   also meets the step's filters); `firstMatching` only the first-ever event meeting them.
public struct FunnelQuery: Sendable, Equatable {
    public enum Order: String, Sendable, CaseIterable {
        case ordered, strict, unordered
    }

    /// Which occurrences of an event a step may use.
    public enum Occurrence: String, Sendable, CaseIterable {
        case any
        case firstEver
        case firstMatching
    }

    /// Where a funnel breakdown takes its value for event-level breakdowns.
    public enum Attribution: Sendable, Equatable {
        case firstTouch
        case lastTouch
        case step(Int)
    }

    public struct Step: Sendable, Equatable {
        public var matcher: EventMatcher
        public var isOptional: Bool
        /// Longest time from the previous required step, milliseconds; `nil`: the funnel window only.
        public var window: Int64?
        public var occurrence: Occurrence

        public init(_ matcher: EventMatcher, isOptional: Bool = false, window: Int64? = nil, occurrence: Occurrence = .any) {
            self.matcher = matcher
            self.isOptional = isOptional
            self.window = window
            self.occurrence = occurrence
        }
    }

    public struct Exclusion: Sendable, Equatable {
        public var matcher: EventMatcher
        public var fromStep: Int
        public var toStep: Int

        public init(_ matcher: EventMatcher, fromStep: Int, toStep: Int) {
            self.matcher = matcher
            self.fromStep = fromStep
            self.toStep = toStep
        }
    }

    public var steps: [Step]
    /// Attempts start (step 0 happens) inside this range.
    public var range: TimeRange
    /// Conversion window from the attempt's start, milliseconds.
    public var window: Int64
    public var order: Order
    public var exclusions: [Exclusion]
    public var breakdown: Breakdown?
    public var attribution: Attribution
    /// Only people matching this rule are counted.
    public var people: PersonRule?
    /// Conditions added to every step's matcher (the query's event filters).
    public var eventFilters: [PropertyCondition]
    /// Conversion trend by the period of the attempt's start (day or week).
    public var trend: Period?
    /// Number of bins of the time-to-convert histograms.
    public var histogramBins: Int

    public init(
        steps: [Step],
        range: TimeRange,
        window: Int64,
        order: Order = .ordered,
        exclusions: [Exclusion] = [],
        breakdown: Breakdown? = nil,
        attribution: Attribution = .firstTouch,
        people: PersonRule? = nil,
        eventFilters: [PropertyCondition] = [],
        trend: Period? = nil,
        histogramBins: Int = 10
    ) {
        self.steps = steps
        self.range = range
        self.window = window
        self.order = order
        self.exclusions = exclusions
        self.breakdown = breakdown
        self.attribution = attribution
        self.people = people
        self.eventFilters = eventFilters
        self.trend = trend
        self.histogramBins = histogramBins
    }

    /// Shortest and longest conversion windows accepted: one minute to 90 days.
    public static let windowLimits: ClosedRange<Int64> = 60_000...(90 * 86_400_000)

    /// Every property key the query reads.
    public var propertyKeys: [String] {
        queryPropertyKeys(steps.map(\.matcher) + exclusions.map(\.matcher), filters: eventFilters, breakdown: breakdown, people: people)
    }

    /// Problems that make the query meaningless, in words for the caller (empty when valid).
    public func problems() -> [String] {
        var problems: [String] = []
        if steps.count < 2 || steps.count > 20 { problems.append("a funnel has 2 to 20 steps") }
        if !Self.windowLimits.contains(window) { problems.append("the conversion window must be between 1 minute and 90 days") }
        if range.to <= range.from { problems.append("the date range is empty") }
        if steps.first?.isOptional == true || steps.last?.isOptional == true { problems.append("the first and last steps cannot be optional") }
        if order != .ordered && steps.contains(where: \.isOptional) { problems.append("optional steps need an ordered funnel") }
        if order == .unordered && !exclusions.isEmpty { problems.append("exclusions need an ordered or strict funnel") }
        for exclusion in exclusions
        where !(0..<steps.count).contains(exclusion.fromStep) || exclusion.toStep <= exclusion.fromStep
            || exclusion.toStep >= steps.count
        {
            problems.append("an exclusion runs from one step to a later step of the funnel")
        }
        if case .step(let step) = attribution, !(0..<steps.count).contains(step) {
            problems.append("the attribution step is not a step of the funnel")
        }
        for step in steps { if let window = step.window, window <= 0 { problems.append("a step window must be positive") } }
        if histogramBins < 1 || histogramBins > 100 { problems.append("histogram bins must be 1 to 100") }
        return problems
    }
}

/// Which people of a funnel step: those who got there, or those who stopped just before it.
public enum FunnelStepStatus: String, Sendable, CaseIterable {
    case reached, dropped
}

/// How far one person went in a funnel.
public struct FunnelOutcome: Sendable, Equatable {
    public var person: Int
    /// Index of the last step reached (0: entered only).
    public var reached: Int
    /// Event index of each step reached (`nil` for steps not reached, and optional steps skipped).
    public var events: [Int?]
    /// The breakdown group the person counts in.
    public var group: String
}

/// The answer to a ``FunnelQuery``.
public struct FunnelResult: Sendable, Equatable {
    public struct Bin: Sendable, Equatable {
        /// Lower bound (inclusive), milliseconds.
        public var from: Int64
        /// Upper bound (exclusive except for the last bin), milliseconds.
        public var to: Int64
        public var count: Int
    }

    public struct Step: Sendable, Equatable {
        public var count: Int
        /// Share of the people who entered.
        public var conversionFromStart: Double
        /// Share of the people at the previous required step.
        public var conversionFromPrevious: Double
        /// People at the previous required step who did not reach this one (0 for optional steps).
        public var dropped: Int
        /// Time from the previous step, milliseconds (`nil` for step 0 or when nobody got here).
        public var medianTime: Double?
        public var meanTime: Double?
        public var histogram: [Bin]
    }

    public struct Group: Sendable, Equatable {
        /// Breakdown value, or `all`.
        public var value: String
        public var steps: [Step]
    }

    public struct TrendPoint: Sendable, Equatable {
        public var bucket: Int
        public var label: String
        public var entered: Int
        public var converted: Int
        public var rate: Double
    }

    /// All people first, then one group per breakdown value (largest first).
    public var groups: [Group]
    public var trend: [TrendPoint]
}

/// Computes funnels over a ``Dataset``.
public struct FunnelEngine: Sendable {
    public let dataset: Dataset
    public let query: FunnelQuery
    public let calendar: LocalCalendar
    private let matchers: [CompiledMatcher]
    /// Name index of each step's event (`-2` any event, `-3` unknown name).
    private let stepNames: [Int32]
    private let exclusionMatchers: [CompiledMatcher]
    private let personFilter: PersonRuleEvaluator?
    /// Per step, its occurrence rule and whether it is optional (read per event: plain values, no
    /// copies of the query's steps).
    private let occurrences: [FunnelQuery.Occurrence]
    private let optional: [Bool]

    public init(dataset: Dataset, query: FunnelQuery, calendar: LocalCalendar, now: Int64) {
        self.dataset = dataset
        self.query = query
        self.calendar = calendar
        matchers = query.steps.map { step in
            var matcher = step.matcher
            matcher.properties += query.eventFilters
            return CompiledMatcher(matcher, in: dataset)
        }
        stepNames = query.steps.map { step in step.matcher.event.map { dataset.nameIndex($0) ?? -3 } ?? -2 }
        exclusionMatchers = query.exclusions.map { CompiledMatcher($0.matcher, in: dataset) }
        personFilter = query.people.map { PersonRuleEvaluator($0, dataset: dataset, now: now) }
        occurrences = query.steps.map(\.occurrence)
        optional = query.steps.map(\.isOptional)
    }

    /// Every person who entered, with how far they went.
    public func outcomes() -> [FunnelOutcome] {
        PersonChunks.map(dataset.personCount) { people in
            var outcomes: [FunnelOutcome] = []
            var scratch = Scratch(steps: matchers.count, exclusions: exclusionMatchers.count)
            for person in people {
                if let personFilter, !personFilter.matches(person) { continue }
                if let outcome = evaluate(person, &scratch) { outcomes.append(outcome) }
            }
            return outcomes
        }.flatMap { $0 }
    }

    /// The funnel's counts, conversions, times to convert, breakdown groups and trend.
    public func run() -> FunnelResult {
        let outcomes = outcomes()
        var groups = [summarize(outcomes, value: "all")]
        if query.breakdown != nil {
            var byValue: [String: [FunnelOutcome]] = [:]
            for outcome in outcomes { byValue[outcome.group, default: []].append(outcome) }
            let ordered = byValue.sorted { ($0.value.count, $1.key) > ($1.value.count, $0.key) }
            groups += ordered.map { summarize($0.value, value: $0.key) }
        }
        return FunnelResult(groups: groups, trend: trend(outcomes))
    }

    /// The people (dataset indexes, in person order) who reached `step`, or — `.dropped` — who
    /// reached the required step before it but not `step` itself: the list an operator follows up.
    public func people(at step: Int, _ status: FunnelStepStatus, in outcomes: [FunnelOutcome]) -> [Int] {
        let previousRequired = (0..<step).last { !optional[$0] } ?? 0
        return outcomes.filter { outcome in
            switch status {
            case .reached: return outcome.events[step] != nil
            case .dropped: return outcome.events[previousRequired] != nil && outcome.events[step] == nil && outcome.reached < step
            }
        }.map(\.person)
    }

    // MARK: - One person

    /// Reused buffers: the person's matching event indexes per step and per exclusion.
    private struct Scratch {
        var occurrences: [[Int]]
        var excluded: [[Int]]
        /// Per step: whether the step's first occurrence is still to be seen.
        var firstOfName: [Bool]

        init(steps: Int, exclusions: Int) {
            occurrences = Array(repeating: [], count: steps)
            excluded = Array(repeating: [], count: exclusions)
            firstOfName = Array(repeating: true, count: steps)
        }
    }

    private func evaluate(_ person: Int, _ scratch: inout Scratch) -> FunnelOutcome? {
        let start = dataset.eventStart(person)
        let end = dataset.eventEnd(person)
        guard start < end else { return nil }
        for k in scratch.occurrences.indices { scratch.occurrences[k].removeAll(keepingCapacity: true) }
        for k in scratch.excluded.indices { scratch.excluded[k].removeAll(keepingCapacity: true) }
        for k in scratch.firstOfName.indices { scratch.firstOfName[k] = true }
        for index in start..<end {
            for k in occurrences.indices {
                switch occurrences[k] {
                case .any:
                    if matchers[k].matches(index, in: dataset) { scratch.occurrences[k].append(index) }
                case .firstEver:
                    guard scratch.firstOfName[k], stepNames[k] == -2 || dataset.names[index] == stepNames[k] else { continue }
                    scratch.firstOfName[k] = false
                    if matchers[k].matches(index, in: dataset) { scratch.occurrences[k].append(index) }
                case .firstMatching:
                    if scratch.firstOfName[k], matchers[k].matches(index, in: dataset) {
                        scratch.firstOfName[k] = false
                        scratch.occurrences[k].append(index)
                    }
                }
            }
            for x in exclusionMatchers.indices where exclusionMatchers[x].matches(index, in: dataset) { scratch.excluded[x].append(index) }
        }
        let best: [Int?]?
        switch query.order {
        case .ordered, .strict: best = bestOrderedAttempt(scratch, end: end)
        case .unordered: best = bestUnorderedAttempt(scratch)
        }
        guard let path = best, let entry = path[0] else { return nil }
        let reached = path.lastIndex { $0 != nil } ?? 0
        return FunnelOutcome(person: person, reached: reached, events: path, group: group(person, entry: entry, path: path, reached: reached))
    }

    /// The most successful ordered/strict attempt (events per step).
    private func bestOrderedAttempt(_ scratch: Scratch, end: Int) -> [Int?]? {
        var best: [Int?]?
        var bestReached = -1
        var path = [Int?](repeating: nil, count: optional.count)
        for entry in scratch.occurrences[0] where query.range.contains(dataset.timestamps[entry]) {
            walk(from: entry, end: end, scratch, into: &path)
            let reached = path.lastIndex { $0 != nil } ?? 0
            if reached > bestReached {
                best = path
                bestReached = reached
                if reached == optional.count - 1 { break }
            }
        }
        return best
    }

    /// One attempt from `entry`, written into `path`: required steps take the first matching event
    /// after the previous required one; optional steps are looked up between their neighbours;
    /// exclusions truncate.
    private func walk(from entry: Int, end: Int, _ scratch: Scratch, into path: inout [Int?]) {
        for k in path.indices { path[k] = nil }
        path[0] = entry
        let deadline = dataset.timestamps[entry] + query.window
        var previous = entry
        var k = 1
        while k < optional.count {
            if optional[k] {
                k += 1
                continue
            }
            // No closure here: one capturing `dataset` would retain each of its columns, per step.
            var limit = deadline
            if let window = query.steps[k].window { limit = min(deadline, dataset.timestamps[previous] + window) }
            let next: Int?
            if query.order == .strict {
                let candidate = previous + 1
                next = candidate < end && Self.contains(scratch.occurrences[k], candidate) ? candidate : nil
            } else {
                next = Self.firstAfter(scratch.occurrences[k], previous)
            }
            guard let found = next, dataset.timestamps[found] <= limit else { break }
            // Optional steps just before this one: done between the previous required step and this one.
            var o = k - 1
            while o > 0, optional[o] {
                if let optional = Self.firstAfter(scratch.occurrences[o], previous), optional < found { path[o] = optional }
                o -= 1
            }
            path[k] = found
            previous = found
            k += 1
        }
        if !query.exclusions.isEmpty { path = truncateAtExclusions(path, entry: entry, scratch) }
    }

    /// Applies the exclusions: a person who does an excluded event after reaching step `from`
    /// and before reaching step `to` keeps only the steps reached before that event.
    private func truncateAtExclusions(_ path: [Int?], entry: Int, _ scratch: Scratch) -> [Int?] {
        var path = path
        let deadline = dataset.timestamps[entry] + query.window
        for (x, exclusion) in query.exclusions.enumerated() {
            guard let from = path[exclusion.fromStep] else { continue }
            let until = path[exclusion.toStep].map { dataset.timestamps[$0] } ?? deadline
            guard let excluded = Self.firstAfter(scratch.excluded[x], from),
                dataset.timestamps[excluded] <= until, excluded < (path[exclusion.toStep] ?? Int.max)
            else { continue }
            for k in (exclusion.fromStep + 1)..<path.count {
                if let event = path[k], event > excluded { path[k] = nil }
            }
            // Steps after a dropped required step are not reached either.
            var stillReached = true
            for k in 1..<path.count where !query.steps[k].isOptional {
                if path[k] == nil { stillReached = false }
                if !stillReached { path[k] = nil }
            }
        }
        return path
    }

    /// The most successful unordered attempt: events of the steps done within the window of a start.
    private func bestUnorderedAttempt(_ scratch: Scratch) -> [Int?]? {
        var starts: [Int] = []
        for list in scratch.occurrences { starts += list.filter { query.range.contains(dataset.timestamps[$0]) } }
        starts.sort()
        var best: [Int?]?
        var bestCount = 0
        for entry in starts {
            let deadline = dataset.timestamps[entry] + query.window
            var firsts: [Int] = []
            for list in scratch.occurrences {
                if let first = Self.firstAtOrAfter(list, entry), dataset.timestamps[first] <= deadline { firsts.append(first) }
            }
            firsts.sort()
            if firsts.count > bestCount {
                bestCount = firsts.count
                best = (0..<query.steps.count).map { $0 < firsts.count ? firsts[$0] : nil }
                if bestCount == query.steps.count { break }
            }
        }
        return best
    }

    private func group(_ person: Int, entry: Int, path: [Int?], reached: Int) -> String {
        guard let breakdown = query.breakdown else { return "all" }
        guard breakdown.isEventLevel else { return breakdown.value(person: person, event: nil, in: dataset) }
        switch query.attribution {
        case .firstTouch: return breakdown.value(person: person, event: entry, in: dataset)
        case .lastTouch: return breakdown.value(person: person, event: path[reached] ?? entry, in: dataset)
        case .step(let step): return breakdown.value(person: person, event: path[step], in: dataset)
        }
    }

    // MARK: - Summaries

    private func summarize(_ outcomes: [FunnelOutcome], value: String) -> FunnelResult.Group {
        let stepCount = optional.count
        let entered = outcomes.count
        // One pass: how many reached each step, and each step's times from the step before it.
        var counts = [Int](repeating: 0, count: stepCount)
        var times = [[Int64]](repeating: [], count: stepCount)
        for outcome in outcomes {
            for k in 0..<stepCount {
                guard let event = outcome.events[k] else { continue }
                counts[k] += 1
                guard k > 0 else { continue }
                var p = k - 1
                while p > 0, optional[p], outcome.events[p] == nil { p -= 1 }
                if let before = outcome.events[p] { times[k].append(dataset.timestamps[event] - dataset.timestamps[before]) }
            }
        }
        var results: [FunnelResult.Step] = []
        var previousRequired = 0
        for k in 0..<stepCount {
            let count = counts[k]
            let previousCount = k == 0 ? entered : results[previousRequired].count
            times[k].sort()
            let step = FunnelResult.Step(
                count: count,
                conversionFromStart: entered == 0 ? 0 : Double(count) / Double(entered),
                conversionFromPrevious: previousCount == 0 ? 0 : Double(count) / Double(previousCount),
                dropped: optional[k] || k == 0 ? 0 : previousCount - count,
                medianTime: Self.median(times[k]),
                meanTime: times[k].isEmpty ? nil : Double(times[k].reduce(0, +)) / Double(times[k].count),
                histogram: Self.histogram(times[k], bins: query.histogramBins)
            )
            results.append(step)
            if !optional[k] { previousRequired = k }
        }
        return FunnelResult.Group(value: value, steps: results)
    }

    /// Entered and converted (reached the last step) by the period of the attempt's start,
    /// every period of the range listed.
    private func trend(_ outcomes: [FunnelOutcome]) -> [FunnelResult.TrendPoint] {
        guard let period = query.trend, query.range.to > query.range.from else { return [] }
        let last = query.steps.count - 1
        var entered: [Int: Int] = [:]
        var converted: [Int: Int] = [:]
        for outcome in outcomes {
            guard let entry = outcome.events[0] else { continue }
            let bucket = calendar.bucket(dataset.timestamps[entry], period)
            entered[bucket, default: 0] += 1
            if outcome.reached == last { converted[bucket, default: 0] += 1 }
        }
        let first = calendar.bucket(query.range.from, period)
        let lastBucket = calendar.bucket(query.range.to - 1, period)
        return (first...max(first, lastBucket)).map { bucket in
            let n = entered[bucket] ?? 0
            let c = converted[bucket] ?? 0
            return FunnelResult.TrendPoint(
                bucket: bucket,
                label: calendar.label(ofBucket: bucket, period),
                entered: n,
                converted: c,
                rate: n == 0 ? 0 : Double(c) / Double(n)
            )
        }
    }

    /// The median of sorted values (mean of the two middle ones for an even count).
    static func median(_ sorted: [Int64]) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[middle]) : (Double(sorted[middle - 1]) + Double(sorted[middle])) / 2
    }

    /// Equal-width bins from the smallest to the largest value.
    static func histogram(_ sorted: [Int64], bins: Int) -> [FunnelResult.Bin] {
        guard let low = sorted.first, let high = sorted.last else { return [] }
        let width = max(1, (high - low + Int64(bins) - 1) / Int64(bins))
        var result = (0..<bins).map { FunnelResult.Bin(from: low + Int64($0) * width, to: low + Int64($0 + 1) * width, count: 0) }
        for value in sorted { result[min(bins - 1, Int((value - low) / width))].count += 1 }
        while result.count > 1, result.last?.count == 0 { result.removeLast() }
        return result
    }

    static func firstAfter(_ sorted: [Int], _ value: Int) -> Int? { firstAtOrAfter(sorted, value + 1) }

    static func firstAtOrAfter(_ sorted: [Int], _ value: Int) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < sorted.count ? sorted[low] : nil
    }

    static func contains(_ sorted: [Int], _ value: Int) -> Bool { firstAtOrAfter(sorted, value) == value }
}
