import SiyuCore

/// Reads a person rule (docs/admin-api.md, "Person rules") from its JSON: `{"all": [...]}`,
/// `{"any": [...]}`, `{"not": …}`, `{"trait": …}`, `{"tag": …}`, `{"identity": …}`,
/// `{"firstChannel"|"lastChannel": …}`, `{"event": …, "count": …, "withinDays": …}`, `{"orders": …}`,
/// `{"revenue": …}`, `{"lastSeenDaysAgo": …}`, `{"firstSeenDaysAgo": …}`, `{"attribute": …}`, `{"label": …}`.
///
/// A rule is the one part of the query language the contract hands over as JSON: it is recursive
/// and has fifteen forms, and a mistake is named down to its field (`people.all[2].orders.value`),
/// which a decoder trying fifteen alternatives cannot do. Rules come from requests, saved segments,
/// settings and the console's rule builder alike, and are read here only.
struct RuleReader: Sendable {
    /// The workspace's currency, in which `revenue` amounts are given.
    let currency: String

    static func fail(_ message: String, _ field: String) -> APIError { APIError.badRequest(message, field: field) }

    /// The rule at `path`, checked against ``QueryLimits`` (windows, counts, depth, keys).
    func rule(_ value: JSONValue, path: String) throws -> PersonRule {
        let rule = try parse(value, path: path)
        if let problem = rule.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return rule
    }

    private func parse(_ value: JSONValue, path: String) throws -> PersonRule {
        guard case .object(let object) = value else { throw Self.fail("a rule is a JSON object", path) }
        if case .array(let items) = object["all"] ?? .null {
            return .all(try items.enumerated().map { try parse($1, path: "\(path).all[\($0)]") })
        }
        if case .array(let items) = object["any"] ?? .null {
            return .any(try items.enumerated().map { try parse($1, path: "\(path).any[\($0)]") })
        }
        if let inner = object["not"] { return .not(try parse(inner, path: path + ".not")) }
        if let trait = object["trait"] {
            if case .object(let condition) = trait { return .trait(try self.condition(condition, path: path + ".trait")) }
            var flat = object
            flat["key"] = trait
            flat["trait"] = nil
            return .trait(try condition(flat, path: path))
        }
        if let tag = object["tag"]?.stringValue { return .tag(tag) }
        if let kind = object["identity"]?.stringValue { return .identity(kind) }
        for key in ["firstChannel", "lastChannel"] {
            guard let spec = object[key] else { continue }
            let (op, values) = try membership(spec, path: "\(path).\(key)")
            return key == "firstChannel" ? .firstChannel(op, values) : .lastChannel(op, values)
        }
        let window = try window(object, path: path)
        if object["event"] != nil || object["anyEvent"]?.boolValue == true {
            let matcher = try self.matcher(object, path: path, required: object["anyEvent"]?.boolValue != true)
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
            guard let minor = Money.minorUnits(amount, currency: currency) else {
                throw Self.fail("revenue is an amount in \(currency), e.g. \"500.00\"", path + ".revenue.value")
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
            let op = try comparisonOperator(object["op"], path: path + ".op", default: .gte)
            guard let number = object["value"]?.doubleValue else { throw Self.fail("an attribute is compared with a number", path + ".value") }
            return .attribute(name, op, number)
        }
        if let name = object["label"]?.stringValue {
            let (op, values) = try membership(.object(object), path: path)
            return .label(name, op, values)
        }
        throw Self.fail("unknown rule; see docs/admin-api.md for the rule forms", path)
    }

    /// `{"key": "city", "op": "eq", "value": "上海"}` (op defaults to eq).
    private func condition(_ object: JSONObject, path: String) throws -> PropertyCondition {
        guard let key = object["key"]?.stringValue else { throw Self.fail("a condition is {\"key\", \"op\", \"value\"}", path) }
        return try Self.condition(
            key: key,
            op: comparisonOperator(object["op"], path: path + ".op", default: .eq),
            value: object["value"],
            path: path
        )
    }

    /// A condition on `key`, checked as every condition is (a request's `where` and a rule's `trait`).
    static func condition(key: String, op: Comparison, value: JSONValue?, path: String) throws -> PropertyCondition {
        guard !key.isEmpty else { throw fail("a condition is {\"key\", \"op\", \"value\"}", path) }
        let operand = value ?? .null
        if operand.isNull && op != .isSet && op != .isNotSet { throw fail("the condition needs a value", path + ".value") }
        if (op == .in || op == .notIn) && operand.arrayValue == nil { throw fail("\(op.rawValue) needs a list of values", path + ".value") }
        let condition = PropertyCondition(key, op, operand)
        if let problem = condition.problems().first { throw fail(problem.message, path + problem.path) }
        return condition
    }

    /// The event of an event rule: `"event": "Order Completed"` (or `null`/`"anyEvent": true` for any)
    /// with its `where` conditions.
    private func matcher(_ object: JSONObject, path: String, required: Bool) throws -> EventMatcher {
        var name: String?
        if let value = object["event"], !value.isNull {
            guard let text = value.stringValue else { throw Self.fail("event must be a string", path + ".event") }
            name = text
        }
        if required && name == nil && object["any"]?.boolValue != true { throw Self.fail("event is required", path + ".event") }
        var conditions: [PropertyCondition] = []
        if let list = object["where"], !list.isNull {
            guard case .array(let items) = list else { throw Self.fail("must be a list of conditions", path + ".where") }
            conditions = try items.enumerated().map { index, item in
                guard case .object(let condition) = item else {
                    throw Self.fail("a condition is {\"key\", \"op\", \"value\"}", "\(path).where[\(index)]")
                }
                return try self.condition(condition, path: "\(path).where[\(index)]")
            }
        }
        let matcher = EventMatcher(name, where: conditions)
        if let problem = matcher.problems().first { throw Self.fail(problem.message, path + problem.path) }
        return matcher
    }

    private func window(_ object: JSONObject, path: String) throws -> RuleWindow {
        guard let days = object["withinDays"] else { return .ever }
        let limit = QueryLimits.ruleDays.upperBound
        guard let number = days.int64Value, number > 0, number <= limit else {
            throw Self.fail("withinDays must be a whole number of days from 1 to \(limit)", path + ".withinDays")
        }
        return .lastDays(Int(number))
    }

    private func comparisonOperator(_ value: JSONValue?, path: String, default fallback: Comparison) throws -> Comparison {
        guard let value, !value.isNull else { return fallback }
        guard let text = value.stringValue, let op = Comparison(rawValue: text) else {
            throw Self.fail("op must be one of \(Comparison.allCases.map(\.rawValue).joined(separator: ", "))", path)
        }
        return op
    }

    /// `{"op": "gte", "value": 2}` or a bare value (then `eq`).
    private func comparison(_ value: JSONValue, path: String) throws -> (Comparison, JSONValue) {
        guard case .object(let object) = value else { return (.eq, value) }
        let op = try comparisonOperator(object["op"], path: path + ".op", default: .eq)
        guard let operand = object["value"], !operand.isNull else { throw Self.fail("value is required", path + ".value") }
        return (op, operand)
    }

    /// `{"op": "in", "value": ["a", "b"]}`, `{"op": "eq", "value": "a"}` or a bare string.
    private func membership(_ value: JSONValue, path: String) throws -> (Comparison, [String]) {
        if let text = value.stringValue { return (.eq, [text]) }
        guard case .object(let object) = value else { throw Self.fail("expected {\"op\", \"value\"}", path) }
        let op = try comparisonOperator(object["op"], path: path + ".op", default: .eq)
        guard [.eq, .neq, .in, .notIn].contains(op) else { throw Self.fail("op must be eq, neq, in or notIn", path + ".op") }
        let values = (object["value"]?.arrayValue ?? object["value"].map { [$0] } ?? []).compactMap(\.scalarText)
        guard !values.isEmpty else { throw Self.fail("value is required", path + ".value") }
        return (op, values)
    }
}
