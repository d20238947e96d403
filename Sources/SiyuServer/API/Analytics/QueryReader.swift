import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// Reads analytics queries from JSON request bodies, with the field of every mistake named.
///
/// Dates are local dates of the workspace (`"2024-05-01"`, both ends included) or ISO 8601
/// instants; durations are given with their unit (`{"value": 7, "unit": "day"}`) or in minutes.
struct QueryReader {
    let body: JSONObject
    let workspace: Workspace
    let calendar: LocalCalendar
    let now: Int64

    init(_ body: JSONValue, workspace: Workspace, calendar: LocalCalendar, now: Int64) throws {
        guard case .object(let object) = body else { throw APIError.badRequest("the request body must be a JSON object") }
        self.body = object
        self.workspace = workspace
        self.calendar = calendar
        self.now = now
    }

    static func fail(_ message: String, _ field: String) -> APIError { APIError.badRequest(message, field: field) }

    // MARK: - Scalars

    func string(_ key: String, in object: JSONObject? = nil, path: String = "") throws -> String? {
        guard let value = (object ?? body)[key], !value.isNull else { return nil }
        guard let text = value.stringValue else { throw Self.fail("\(key) must be a string", path + key) }
        return text
    }

    func int(_ key: String, in object: JSONObject? = nil, path: String = "", range: ClosedRange<Int>? = nil) throws -> Int? {
        guard let value = (object ?? body)[key], !value.isNull else { return nil }
        guard let number = value.int64Value else { throw Self.fail("\(key) must be a whole number", path + key) }
        if let range, !range.contains(Int(number)) { throw Self.fail("\(key) must be \(range.lowerBound) to \(range.upperBound)", path + key) }
        return Int(number)
    }

    func bool(_ key: String, in object: JSONObject? = nil, path: String = "") throws -> Bool? {
        guard let value = (object ?? body)[key], !value.isNull else { return nil }
        guard let flag = value.boolValue else { throw Self.fail("\(key) must be true or false", path + key) }
        return flag
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, in object: JSONObject? = nil, path: String = "", default fallback: T) throws -> T
    where T.RawValue == String {
        guard let text = try string(key, in: object, path: path) else { return fallback }
        guard let value = T(rawValue: text) else {
            throw Self.fail("\(key) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", path + key)
        }
        return value
    }

    // MARK: - Time

    /// `from`/`to` as local dates (inclusive) or instants; default: the last `defaultDays` local days up to today.
    func range(defaultDays: Int = 30) throws -> TimeRange {
        let today = calendar.day(now)
        let from = try instant("from", endOfDay: false) ?? calendar.start(ofDay: today - defaultDays + 1)
        let to = try instant("to", endOfDay: true) ?? calendar.start(ofDay: today + 1)
        guard to > from else { throw Self.fail("`to` must come after `from`", "to") }
        guard to - from <= 3 * 366 * 86_400_000 else { throw Self.fail("the date range may be at most 3 years", "from") }
        return TimeRange(from: from, to: to)
    }

    /// A local date (start of the day, or start of the next day for an inclusive end) or an instant.
    func instant(_ key: String, endOfDay: Bool) throws -> Int64? {
        guard let text = try string(key) else { return nil }
        if text.count == 10, let midnight = Timestamp.parseISO8601(text) {
            let day = Int(midnight / 86_400_000)
            return calendar.start(ofDay: endOfDay ? day + 1 : day)
        }
        guard let instant = Timestamp.parseISO8601(text) else {
            throw Self.fail("\(key) must be a date (2024-05-01) or an ISO 8601 date-time", key)
        }
        return instant
    }

    /// A duration: `{"value": 7, "unit": "minute|hour|day|week"}`, or a number of minutes; within
    /// ``QueryLimits/durationMillis`` (1 minute to 90 days), checked before any multiplication.
    func duration(_ value: JSONValue, path: String) throws -> Int64 {
        let limits = QueryLimits.durationMillis
        let words = "a duration is 1 minute to 90 days: {\"value\": 7, \"unit\": \"day\"} or a number of minutes"
        if let minutes = value.int64Value {
            guard minutes >= 1, minutes <= limits.upperBound / 60_000 else { throw Self.fail(words, path) }
            return minutes * 60_000
        }
        guard case .object(let object) = value, let amount = object["value"]?.int64Value, amount > 0 else {
            throw Self.fail(words, path)
        }
        let unit = object["unit"]?.stringValue ?? "minute"
        let unitMillis: Int64
        switch unit {
        case "minute", "minutes": unitMillis = 60_000
        case "hour", "hours": unitMillis = 3_600_000
        case "day", "days": unitMillis = 86_400_000
        case "week", "weeks": unitMillis = 7 * 86_400_000
        default: throw Self.fail("unit must be minute, hour, day or week", path + ".unit")
        }
        guard amount <= limits.upperBound / unitMillis else { throw Self.fail(words, path + ".value") }
        return amount * unitMillis
    }

    // MARK: - Conditions, matchers, rules, breakdowns

    func conditions(_ value: JSONValue?, path: String) throws -> [PropertyCondition] {
        guard let value, !value.isNull else { return [] }
        guard case .array(let items) = value else { throw Self.fail("must be a list of conditions", path) }
        return try items.enumerated().map { index, item in try condition(item, path: "\(path)[\(index)]") }
    }

    /// `{"key": "city", "op": "eq", "value": "上海"}` (op defaults to eq).
    func condition(_ value: JSONValue, path: String) throws -> PropertyCondition {
        guard case .object(let object) = value, let key = object["key"]?.stringValue, !key.isEmpty else {
            throw Self.fail("a condition is {\"key\", \"op\", \"value\"}", path)
        }
        let op = try choice("op", in: object, path: path + ".", default: Comparison.eq)
        let operand = object["value"] ?? .null
        if operand.isNull && op != .isSet && op != .isNotSet { throw Self.fail("the condition needs a value", path + ".value") }
        if (op == .in || op == .notIn) && operand.arrayValue == nil { throw Self.fail("\(op.rawValue) needs a list of values", path + ".value") }
        let condition = PropertyCondition(key, op, operand)
        if let problem = condition.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return condition
    }

    /// `{"event": "Order Completed", "where": [...]}`; `"event": null` or absent means any event.
    func matcher(_ value: JSONValue?, path: String, required: Bool = true) throws -> EventMatcher {
        guard let value, !value.isNull else {
            if required { throw Self.fail("an event is required", path) }
            return EventMatcher(nil)
        }
        let matcher: EventMatcher
        if let name = value.stringValue {
            matcher = EventMatcher(name)
        } else {
            guard case .object(let object) = value else { throw Self.fail("an event is a name or {\"event\", \"where\"}", path) }
            let name = try string("event", in: object, path: path + ".")
            if required && name == nil && object["any"]?.boolValue != true { throw Self.fail("event is required", path + ".event") }
            matcher = EventMatcher(name, where: try conditions(object["where"], path: path + ".where"))
        }
        if let problem = matcher.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return matcher
    }

    func breakdown(_ value: JSONValue?, path: String = "breakdown") throws -> Breakdown? {
        guard let value, !value.isNull else { return nil }
        if let text = value.stringValue {
            switch text {
            case "channel": return .channel
            case "firstTouchChannel", "firstChannel": return .firstTouchChannel
            case "lastTouchChannel", "lastChannel": return .lastTouchChannel
            default: throw Self.fail("breakdown is channel, firstTouchChannel, lastTouchChannel, {\"trait\": …} or {\"property\": …}", path)
            }
        }
        for (field, make) in [("trait", Breakdown.trait), ("property", Breakdown.property)] {
            guard let key = value[field]?.stringValue else { continue }
            guard QueryLimits.isValidKey(key) else {
                throw Self.fail("a key is 1 to \(QueryLimits.maximumKeyBytes) bytes without control characters", "\(path).\(field)")
            }
            return make(key)
        }
        throw Self.fail("breakdown is channel, firstTouchChannel, lastTouchChannel, {\"trait\": …} or {\"property\": …}", path)
    }

    /// A person rule (see docs/admin-api.md): `{"all": [...]}`, `{"any": [...]}`, `{"not": …}`, `{"trait": …}`,
    /// `{"tag": …}`, `{"identity": …}`, `{"firstChannel"|"lastChannel": …}`, `{"event": …, "count": …, "withinDays": …}`,
    /// `{"orders": …}`, `{"revenue": …}`, `{"lastSeenDaysAgo": …}`, `{"firstSeenDaysAgo": …}`, `{"attribute": …}`, `{"label": …}`.
    ///
    /// The rule is checked against ``QueryLimits`` (windows, counts, depth, keys) before it is answered.
    func rule(_ value: JSONValue, path: String) throws -> PersonRule {
        let rule = try parseRule(value, path: path)
        if let problem = rule.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return rule
    }

    private func parseRule(_ value: JSONValue, path: String) throws -> PersonRule {
        guard case .object(let object) = value else { throw Self.fail("a rule is a JSON object", path) }
        if case .array(let items) = object["all"] ?? .null {
            return .all(try items.enumerated().map { try parseRule($1, path: "\(path).all[\($0)]") })
        }
        if case .array(let items) = object["any"] ?? .null {
            return .any(try items.enumerated().map { try parseRule($1, path: "\(path).any[\($0)]") })
        }
        if let inner = object["not"] { return .not(try parseRule(inner, path: path + ".not")) }
        if let trait = object["trait"] {
            if case .object = trait { return .trait(try condition(trait, path: path + ".trait")) }
            var flat = object
            flat["key"] = trait
            flat["trait"] = nil
            return .trait(try condition(.object(flat), path: path))
        }
        if let tag = object["tag"]?.stringValue { return .tag(tag) }
        if let kind = object["identity"]?.stringValue { return .identity(kind) }
        for key in ["firstChannel", "lastChannel"] {
            guard let spec = object[key] else { continue }
            let (op, values) = try membership(spec, path: "\(path).\(key)")
            return key == "firstChannel" ? .firstChannel(op, values) : .lastChannel(op, values)
        }
        let window = try ruleWindow(object, path: path)
        if object["event"] != nil || object["anyEvent"]?.boolValue == true {
            let matcher = try self.matcher(.object(object), path: path, required: object["anyEvent"]?.boolValue != true)
            let (op, count) = try comparison(object["count"] ?? ["op": "gte", "value": 1], path: path + ".count")
            guard let whole = count.int64Value else { throw Self.fail("count must be a whole number", path + ".count.value") }
            return .eventCount(matcher, op, Int(whole), within: window)
        }
        if let spec = object["orders"] {
            let (op, count) = try comparison(spec, path: path + ".orders")
            guard let whole = count.int64Value else { throw Self.fail("orders must be a whole number", path + ".orders.value") }
            return .orderCount(op, Int(whole), within: window)
        }
        if let spec = object["revenue"] {
            let (op, amount) = try comparison(spec, path: path + ".revenue")
            guard let minor = Money.minorUnits(amount, currency: workspace.currency) else {
                throw Self.fail("revenue is an amount in \(workspace.currency), e.g. \"500.00\"", path + ".revenue.value")
            }
            return .revenue(op, minor, within: window)
        }
        for key in ["lastSeenDaysAgo", "firstSeenDaysAgo"] {
            guard let spec = object[key] else { continue }
            let (op, days) = try comparison(spec, path: "\(path).\(key)")
            guard let whole = days.int64Value else { throw Self.fail("\(key) is a number of days", "\(path).\(key).value") }
            return key == "lastSeenDaysAgo" ? .lastSeenDaysAgo(op, Int(whole)) : .firstSeenDaysAgo(op, Int(whole))
        }
        if let name = object["attribute"]?.stringValue {
            let op = try choice("op", in: object, path: path + ".", default: Comparison.gte)
            guard let number = object["value"]?.doubleValue else { throw Self.fail("an attribute is compared with a number", path + ".value") }
            return .attribute(name, op, number)
        }
        if let name = object["label"]?.stringValue {
            let (op, values) = try membership(.object(object), path: path)
            return .label(name, op, values)
        }
        throw Self.fail("unknown rule; see docs/admin-api.md for the rule forms", path)
    }

    private func ruleWindow(_ object: JSONObject, path: String) throws -> RuleWindow {
        if let days = object["withinDays"] {
            let limit = QueryLimits.ruleDays.upperBound
            guard let number = days.int64Value, number > 0, number <= limit else {
                throw Self.fail("withinDays must be a whole number of days from 1 to \(limit)", path + ".withinDays")
            }
            return .lastDays(Int(number))
        }
        return .ever
    }

    /// `{"op": "gte", "value": 2}` or a bare value (then `eq`).
    private func comparison(_ value: JSONValue, path: String) throws -> (Comparison, JSONValue) {
        guard case .object(let object) = value else { return (.eq, value) }
        let op = try choice("op", in: object, path: path + ".", default: Comparison.eq)
        guard let operand = object["value"], !operand.isNull else { throw Self.fail("value is required", path + ".value") }
        return (op, operand)
    }

    /// `{"op": "in", "value": ["a", "b"]}`, `{"op": "eq", "value": "a"}` or a bare string.
    private func membership(_ value: JSONValue, path: String) throws -> (Comparison, [String]) {
        if let text = value.stringValue { return (.eq, [text]) }
        guard case .object(let object) = value else { throw Self.fail("expected {\"op\", \"value\"}", path) }
        let op = try choice("op", in: object, path: path + ".", default: Comparison.eq)
        guard [.eq, .neq, .in, .notIn].contains(op) else { throw Self.fail("op must be eq, neq, in or notIn", path + ".op") }
        let values = (object["value"]?.arrayValue ?? object["value"].map { [$0] } ?? []).compactMap(\.scalarText)
        guard !values.isEmpty else { throw Self.fail("value is required", path + ".value") }
        return (op, values)
    }

    var people: PersonRule? {
        get throws { try body["people"].map { try rule($0, path: "people") } }
    }

    var eventFilters: [PropertyCondition] {
        get throws { try conditions(body["where"], path: "where") }
    }

    // MARK: - Queries

    func funnel() throws -> FunnelQuery {
        guard case .array(let items) = body["steps"] ?? .null else { throw Self.fail("steps must be a list of 2 to 20 steps", "steps") }
        let steps = try items.enumerated().map { index, item -> FunnelQuery.Step in
            let path = "steps[\(index)]"
            let matcher = try self.matcher(item, path: path)
            let object = item.objectValue ?? [:]
            let window = try object["window"].map { try duration($0, path: path + ".window") }
            return FunnelQuery.Step(
                matcher,
                isOptional: try bool("optional", in: object, path: path + ".") ?? false,
                window: window,
                occurrence: try choice("occurrence", in: object, path: path + ".", default: FunnelQuery.Occurrence.any)
            )
        }
        let window = try body["window"].map { try duration($0, path: "window") } ?? 7 * 86_400_000
        var exclusions: [FunnelQuery.Exclusion] = []
        if case .array(let list) = body["exclusions"] ?? .null {
            for (index, item) in list.enumerated() {
                let path = "exclusions[\(index)]"
                guard let object = item.objectValue, let from = object["fromStep"]?.int64Value, let to = object["toStep"]?.int64Value else {
                    throw Self.fail("an exclusion is {\"event\", \"where\", \"fromStep\", \"toStep\"}", path)
                }
                exclusions.append(FunnelQuery.Exclusion(try matcher(item, path: path), fromStep: Int(from), toStep: Int(to)))
            }
        }
        var attribution = FunnelQuery.Attribution.firstTouch
        if let value = body["attribution"] {
            switch value {
            case "firstTouch": attribution = .firstTouch
            case "lastTouch": attribution = .lastTouch
            default:
                guard let step = value["step"]?.int64Value else {
                    throw Self.fail("attribution is firstTouch, lastTouch or {\"step\": n}", "attribution")
                }
                attribution = .step(Int(step))
            }
        }
        let trend: Period? = try string("trend").map { text in
            guard let period = Period(rawValue: text), period == .day || period == .week else { throw Self.fail("trend is day or week", "trend") }
            return period
        }
        let query = FunnelQuery(
            steps: steps,
            range: try range(),
            window: window,
            order: try choice("order", default: FunnelQuery.Order.ordered),
            exclusions: exclusions,
            breakdown: try breakdown(body["breakdown"]),
            attribution: attribution,
            people: try people,
            eventFilters: try eventFilters,
            trend: trend,
            histogramBins: try int("bins", range: 1...100) ?? 10
        )
        if let problem = query.problems().first { throw Self.fail(problem, "steps") }
        return query
    }

    func retention() throws -> RetentionQuery {
        let query = RetentionQuery(
            start: try matcher(body["start"], path: "start"),
            returning: try matcher(body["return"], path: "return", required: false),
            kind: try choice("kind", default: RetentionQuery.Kind.firstTime),
            period: try choice("period", default: Period.week),
            range: try range(defaultDays: 84),
            periods: try int("periods", range: 1...400) ?? 12,
            criterion: try choice("criterion", default: RetentionQuery.Criterion.on),
            minimumReturns: try int("minimumReturns", range: 1...1000) ?? 1,
            breakdown: try breakdown(body["breakdown"]),
            people: try people,
            eventFilters: try eventFilters
        )
        if let problem = query.problems().first { throw Self.fail(problem, "periods") }
        return query
    }
}

extension QueryReader {
    /// `"step": k, "status": "dropped"` (reached step k−1, not k; the default) or `"reached"`.
    func funnelStep(steps: Int) throws -> (step: Int, status: FunnelStepStatus) {
        guard let step = try int("step", range: 0...(steps - 1)) else { throw Self.fail("step is required", "step") }
        guard let status = FunnelStepStatus(rawValue: try string("status") ?? "dropped") else {
            throw Self.fail("status is dropped or reached", "status")
        }
        if status == .dropped && step == 0 { throw Self.fail("nobody drops at the first step; ask for step 1 or later", "step") }
        return (step, status)
    }
}
