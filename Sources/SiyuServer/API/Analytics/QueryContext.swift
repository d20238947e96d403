import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// What reading an analytics query needs besides the request: the workspace (its currency), its
/// calendar (local dates) and the instant now. The request types are the contract's
/// (`Components.Schemas.FunnelRequest` …), decoded by the generated glue wherever a query comes from:
/// the admin API, a saved setting, the console's forms and the daily jobs. Each turns into a kernel
/// query with ``QueryContext`` (see `AnalyticsRequests.swift`); a mistake names its field.
///
/// Dates are local dates of the workspace (`"2024-05-01"`, both ends included) or ISO 8601
/// instants; durations are given with their unit (`{"value": 7, "unit": "day"}`) or in minutes.
struct QueryContext: Sendable {
    let workspace: Workspace
    let calendar: LocalCalendar
    let now: Int64

    static func fail(_ message: String, _ field: String) -> APIError { APIError.badRequest(message, field: field) }

    /// The workspace's context; an unknown time zone is the server's fault (the workspace was checked when saved).
    init(workspace: Workspace, now: Int64) throws {
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else {
            throw APIError(.internalServerError, code: "internal_error", message: "unknown time zone \(workspace.timeZone)")
        }
        self.init(workspace: workspace, calendar: calendar, now: now)
    }

    init(workspace: Workspace, calendar: LocalCalendar, now: Int64) {
        self.workspace = workspace
        self.calendar = calendar
        self.now = now
    }

    var rules: RuleReader { RuleReader(currency: workspace.currency) }

    /// The kernel's value of a contract enum spelled the same (`FunnelOrder.strict` → `FunnelQuery.Order.strict`);
    /// a value the contract lists and the kernel lacks is the server's fault, never the caller's.
    static func same<Kernel: RawRepresentable, Contract: RawRepresentable>(_ value: Contract) throws -> Kernel
    where Kernel.RawValue == String, Contract.RawValue == String {
        guard let kernel = Kernel(rawValue: value.rawValue) else {
            throw APIError(.internalServerError, code: "internal_error", message: "the kernels do not know `\(value.rawValue)`")
        }
        return kernel
    }

    // MARK: - Numbers

    /// `value` within `range`, or nil when absent.
    func number(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let value else { return nil }
        guard range.contains(value) else { throw Self.fail("\(field) must be \(range.lowerBound) to \(range.upperBound)", field) }
        return value
    }

    /// An amount in the workspace's currency (`500`, `"500.00"`), in minor units.
    func amount(_ value: Components.Schemas.AnalyticsAmount, _ field: String) throws -> Int64 {
        let json: JSONValue
        switch value {
        case .case1(let number): json = .double(number)
        case .case2(let text): json = .string(text)
        }
        guard let minor = Money.minorUnits(json, currency: workspace.currency) else {
            throw Self.fail("\(field.split(separator: ".").last ?? "") is an amount in \(workspace.currency), e.g. \"500.00\"", field)
        }
        return minor
    }

    // MARK: - Time

    /// `from`/`to` as local dates (inclusive) or instants; default: the last `defaultDays` local days up to today.
    func range(from: String?, to: String?, defaultDays: Int = 30) throws -> TimeRange {
        let today = calendar.day(now)
        let start = try instant(from, "from", endOfDay: false) ?? calendar.start(ofDay: today - defaultDays + 1)
        let end = try instant(to, "to", endOfDay: true) ?? calendar.start(ofDay: today + 1)
        guard end > start else { throw Self.fail("`to` must come after `from`", "to") }
        guard end - start <= 3 * 366 * 86_400_000 else { throw Self.fail("the date range may be at most 3 years", "from") }
        return TimeRange(from: start, to: end)
    }

    /// A local date (start of the day, or start of the next day for an inclusive end) or an instant.
    func instant(_ text: String?, _ field: String, endOfDay: Bool) throws -> Int64? {
        guard let text else { return nil }
        if text.count == 10, let midnight = Timestamp.parseISO8601(text) {
            let day = Int(midnight / 86_400_000)
            return calendar.start(ofDay: endOfDay ? day + 1 : day)
        }
        guard let instant = Timestamp.parseISO8601(text) else {
            throw Self.fail("\(field) must be a date (2024-05-01) or an ISO 8601 date-time", field)
        }
        return instant
    }

    /// A duration within `limits` (by default ``QueryLimits/durationMillis``, 1 minute to 90 days), checked before any multiplication.
    func duration(
        _ value: Components.Schemas.AnalyticsDuration,
        _ path: String,
        limits: ClosedRange<Int64> = QueryLimits.durationMillis
    ) throws -> Int64 {
        let words = "a duration is 1 minute to \(limits.upperBound / 86_400_000) days: {\"value\": 7, \"unit\": \"day\"} or a number of minutes"
        switch value {
        case .case1(let minutes):
            // The contract's numbers: at most 129,600 (90 days of minutes; longer durations give a unit).
            guard minutes >= max(1, limits.lowerBound / 60_000), minutes <= min(129_600, limits.upperBound / 60_000) else {
                throw Self.fail(words, path)
            }
            return minutes * 60_000
        case .AnalyticsDurationValue(let amount):
            guard amount.value > 0, amount.value <= 129_600 else { throw Self.fail(words, path + ".value") }
            let unitMillis: Int64 =
                switch amount.unit ?? .minute {
                case .minute, .minutes: 60_000
                case .hour, .hours: 3_600_000
                case .day, .days: 86_400_000
                case .week, .weeks: 7 * 86_400_000
                }
            guard amount.value <= limits.upperBound / unitMillis, amount.value * unitMillis >= limits.lowerBound else {
                throw Self.fail(words, path + ".value")
            }
            return amount.value * unitMillis
        }
    }

    // MARK: - Conditions, events, breakdowns, rules

    /// Event property filters; all must hold.
    func conditions(_ items: Components.Schemas.AnalyticsConditions?, _ path: String) throws -> [PropertyCondition] {
        try (items ?? []).enumerated().map { index, item in
            try RuleReader.condition(
                key: item.key,
                op: try Self.same(item.op ?? .eq),
                value: item.value.map(JSONValue.init),
                path: "\(path)[\(index)]"
            )
        }
    }

    /// An event name, or an event with property filters.
    func matcher(_ value: Components.Schemas.AnalyticsEventMatcher, _ path: String) throws -> EventMatcher {
        switch value {
        case .AnalyticsText(let name): try matcher(name, conditions: [], path)
        case .AnalyticsEventFilter(let filter): try matcher(filter.event, any: filter.any, filter._where, path)
        }
    }

    /// An event that must be named unless `any` is true (then any event matches), with its filters.
    func matcher(_ name: String?, any: Bool?, _ filters: Components.Schemas.AnalyticsConditions?, _ path: String) throws -> EventMatcher {
        if name == nil && any != true { throw Self.fail("event is required", path + ".event") }
        return try matcher(name, conditions: conditions(filters, path + ".where"), path)
    }

    /// An event name or events with property filters; absent, `null` or without `event`: any event.
    func matcher(_ value: Components.Schemas.AnalyticsOptionalEventMatcher?, _ path: String) throws -> EventMatcher {
        switch value {
        case .none: EventMatcher(nil)
        case .AnalyticsText(let name): try matcher(name, conditions: [], path)
        case .AnalyticsAnyEventFilter(let filter): try matcher(filter.event, conditions: conditions(filter._where, path + ".where"), path)
        }
    }

    func matcher(_ name: String?, conditions: [PropertyCondition], _ path: String) throws -> EventMatcher {
        let matcher = EventMatcher(name, where: conditions)
        if let problem = matcher.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return matcher
    }

    func breakdown(_ value: Components.Schemas.AnalyticsBreakdown?) throws -> Breakdown? {
        switch value {
        case .none: nil
        case .AnalyticsBreakdownChannel(let channel): Self.channel(channel.rawValue)
        case .AnalyticsBreakdownTrait(let trait): .trait(try key(trait.trait, "breakdown.trait"))
        case .AnalyticsBreakdownProperty(let property): .property(try key(property.property, "breakdown.property"))
        }
    }

    func breakdown(_ value: Components.Schemas.RetentionBreakdown?) throws -> Breakdown? {
        switch value {
        case .none: nil
        case .AnalyticsBreakdownChannel(let channel): Self.channel(channel.rawValue)
        case .AnalyticsBreakdownTrait(let trait): .trait(try key(trait.trait, "breakdown.trait"))
        }
    }

    func breakdown(_ value: Components.Schemas.AudienceBreakdown?) throws -> Breakdown? {
        switch value {
        case .none: nil
        case .AnalyticsBreakdownTouch(let channel): Self.channel(channel.rawValue)
        case .AnalyticsBreakdownTrait(let trait): .trait(try key(trait.trait, "breakdown.trait"))
        }
    }

    /// A channel breakdown by its name in the contract (with the aliases `firstChannel`, `lastChannel`).
    static func channel(_ name: String) -> Breakdown {
        switch name {
        case "firstTouchChannel", "firstChannel": .firstTouchChannel
        case "lastTouchChannel", "lastChannel": .lastTouchChannel
        default: .channel
        }
    }

    private func key(_ key: String, _ field: String) throws -> String {
        guard QueryLimits.isValidKey(key) else {
            throw Self.fail("a key is 1 to \(QueryLimits.maximumKeyBytes) bytes without control characters", field)
        }
        return key
    }

    /// A person rule (``RuleReader``); nil when absent.
    func rule(_ value: OpenAPIValueContainer?, _ path: String) throws -> PersonRule? {
        guard let value else { return nil }
        return try rules.rule(JSONValue(value), path: path)
    }

    /// A person rule that must be there.
    func rule(_ value: OpenAPIValueContainer, _ path: String) throws -> PersonRule {
        try rules.rule(JSONValue(value), path: path)
    }
}
