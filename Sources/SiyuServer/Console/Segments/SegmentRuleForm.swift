import Foundation
import SiyuCore

/// The rule builder's form: groups of condition rows chosen from dropdowns, turned into exactly the
/// `PersonRule` JSON the admin API reads (docs/admin-api.md, "Person rules and segments") and back.
///
/// Fields: `match` (all / any: how the groups combine), and for group `g` and row `r`
/// `g{g}.match`, `g{g}.c{r}.type`, `.key`, `.op`, `.value`, `.days`. Rows without a type are ignored.
struct SegmentRuleForm: Sendable, Equatable {
    struct Condition: Sendable, Equatable {
        var type = ""
        var key = ""
        var op = ""
        var value = ""
        var days = ""

        var isBlank: Bool { type.isEmpty }
    }

    struct Group: Sendable, Equatable {
        var match = "all"
        var conditions: [Condition] = []
    }

    /// A mistake in one row, as a string-table key and its arguments.
    struct Problem: Error, Sendable, Equatable {
        var key: String
        var arguments: [String: String] = [:]
    }

    var match = "all"
    var groups: [Group] = []

    /// Condition types offered in the dropdown, in order.
    static let types = [
        "event", "trait", "tag", "identity", "firstChannel", "lastChannel", "orders", "revenue", "lastSeen", "rfm", "tier", "churn",
        "attribute",
    ]
    static let minimumGroups = 2
    static let minimumRows = 3

    init() {}

    /// The form for a saved rule, or nil when the rule uses something the builder does not show
    /// (`not`, deeper nesting, other label schemes): such rules are edited through the API.
    init?(rule: JSONValue) {
        guard case .object(let object) = rule else { return nil }
        func leaves(_ items: [JSONValue]) -> [Condition]? {
            var out: [Condition] = []
            for item in items {
                guard let condition = Self.condition(item) else { return nil }
                out.append(condition)
            }
            return out
        }
        for combinator in ["all", "any"] {
            guard case .array(let items) = object[combinator] ?? .null else { continue }
            match = combinator
            if let flat = leaves(items) {
                groups = [Group(match: combinator, conditions: flat)]
                return
            }
            for item in items {
                if let condition = Self.condition(item) {
                    groups.append(Group(match: "all", conditions: [condition]))
                    continue
                }
                guard case .object(let inner) = item else { return nil }
                if case .array(let sub) = inner["all"] ?? .null, let flat = leaves(sub) {
                    groups.append(Group(match: "all", conditions: flat))
                } else if case .array(let sub) = inner["any"] ?? .null, let flat = leaves(sub) {
                    groups.append(Group(match: "any", conditions: flat))
                } else {
                    return nil
                }
            }
            return
        }
        guard let condition = Self.condition(rule) else { return nil }
        groups = [Group(match: "all", conditions: [condition])]
    }

    var isEmpty: Bool { groups.allSatisfy { $0.conditions.isEmpty } }

    /// The rule as the admin API reads it. A single condition stands alone; a single group is its
    /// `all`/`any`; several groups are combined with `match`.
    func rule() throws(Problem) -> JSONValue {
        var built: [JSONValue] = []
        for group in groups where !group.conditions.isEmpty {
            var conditions: [JSONValue] = []
            for (row, condition) in group.conditions.enumerated() {
                conditions.append(try Self.json(condition, row: "\(built.count + 1).\(row + 1)"))
            }
            built.append(conditions.count == 1 ? conditions[0] : .object([group.match: .array(conditions)]))
        }
        guard !built.isEmpty else { throw Problem(key: "segments.errors.noConditions") }
        if built.count == 1 {
            // A lone condition is wrapped so that the group's AND/OR survives an edit.
            if case .object(let object) = built[0], object["all"] == nil, object["any"] == nil { return .object(["all": .array(built)]) }
            return built[0]
        }
        return .object([match: .array(built)])
    }

    /// The rows a page shows: every group and row filled in, plus empty ones to add more.
    func display() -> [Group] {
        var shown = groups
        while shown.count < Self.minimumGroups { shown.append(Group()) }
        return shown.map { group in
            var group = group
            let rows = max(Self.minimumRows, group.conditions.count + 1)
            while group.conditions.count < rows { group.conditions.append(Condition()) }
            return group
        }
    }

    // MARK: - One condition

    private static func json(_ c: Condition, row: String) throws(Problem) -> JSONValue {
        func need(_ text: String, _ what: String) throws(Problem) {
            if text.isEmpty { throw Problem(key: "segments.errors.missing", arguments: ["row": row, "what": what]) }
        }
        func whole(_ text: String, _ what: String, allowZero: Bool = true) throws(Problem) -> Int64 {
            guard let number = Int64(text), number >= (allowZero ? 0 : 1) else {
                throw Problem(key: "segments.errors.number", arguments: ["row": row, "what": what, "value": text])
            }
            return number
        }
        func window(_ object: inout JSONObject) throws(Problem) {
            if !c.days.isEmpty { object["withinDays"] = .int(try whole(c.days, "days", allowZero: false)) }
        }
        func op(_ allowed: [String], _ fallback: String) throws(Problem) -> String {
            if c.op.isEmpty { return fallback }
            guard allowed.contains(c.op) else { throw Problem(key: "segments.errors.op", arguments: ["row": row]) }
            return c.op
        }
        switch c.type {
        case "event":
            try need(c.key, "event")
            var object: JSONObject = [
                "event": .string(c.key),
                "count": ["op": .string(try op(["gte", "lte", "eq"], "gte")), "value": .int(try whole(c.value.isEmpty ? "1" : c.value, "count"))],
            ]
            try window(&object)
            return .object(object)
        case "trait":
            try need(c.key, "trait")
            let comparison = try op(["eq", "neq", "contains", "gt", "lt", "isSet", "isNotSet"], "eq")
            var object: JSONObject = ["trait": .string(c.key), "op": .string(comparison)]
            if comparison != "isSet" && comparison != "isNotSet" {
                try need(c.value, "value")
                if comparison == "gt" || comparison == "lt" {
                    object["value"] = try Self.number(c.value, row: row)
                } else {
                    object["value"] = .string(c.value)
                }
            }
            return .object(object)
        case "tag":
            try need(c.value, "tag")
            return ["tag": .string(c.value)]
        case "identity":
            try need(c.key, "identity")
            return ["identity": .string(c.key)]
        case "firstChannel", "lastChannel":
            try need(c.value, "channel")
            let keys = c.value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return [c.type: ["op": .string(try op(["in", "notIn"], "in")), "value": .array(keys.map(JSONValue.string))]]
        case "orders":
            var object: JSONObject = ["orders": ["op": .string(try op(["gte", "lte", "eq"], "gte")), "value": .int(try whole(c.value, "orders"))]]
            try window(&object)
            return .object(object)
        case "revenue":
            try need(c.value, "amount")
            guard let amount = Double(c.value), amount >= 0 else {
                throw Problem(key: "segments.errors.number", arguments: ["row": row, "what": "amount", "value": c.value])
            }
            _ = amount
            var object: JSONObject = ["revenue": ["op": .string(try op(["gt", "lt", "gte", "lte"], "gt")), "value": .string(c.value)]]
            try window(&object)
            return .object(object)
        case "lastSeen":
            return ["lastSeenDaysAgo": ["op": .string(try op(["gt", "lt"], "gt")), "value": .int(try whole(c.value, "days"))]]
        case "rfm":
            try need(c.value, "class")
            return ["label": "rfm8", "value": .string(c.value)]
        case "tier":
            try need(c.key, "scheme")
            try need(c.value, "tier")
            return ["label": .string(c.key), "value": .string(c.value)]
        case "churn":
            try need(c.value, "band")
            return ["label": .string(WorkspaceValue.churnLabel), "value": .string(c.value)]
        case "attribute":
            try need(c.key, "attribute")
            let comparison = try op(["gt", "lt", "gte", "lte"], "gt")
            let number = try Self.number(c.value, row: row)
            return ["attribute": .string(c.key), "op": .string(comparison), "value": number]
        default:
            throw Problem(key: "segments.errors.type", arguments: ["row": row])
        }
    }

    /// A whole number stays whole (as the API's own JSON would have it).
    private static func number(_ text: String, row: String) throws(Problem) -> JSONValue {
        if let whole = Int64(text) { return .int(whole) }
        guard let number = Double(text), number.isFinite else {
            throw Problem(key: "segments.errors.number", arguments: ["row": row, "what": "value", "value": text])
        }
        return .double(number)
    }

    /// The row for one leaf of a saved rule, or nil if the builder cannot show it.
    static func condition(_ value: JSONValue) -> Condition? {
        guard case .object(let o) = value else { return nil }
        func text(_ v: JSONValue?) -> String { v?.scalarText ?? "" }
        func days() -> String { o["withinDays"].map { text($0) } ?? "" }
        if let name = o["event"]?.stringValue {
            let count = o["count"]
            return Condition(
                type: "event",
                key: name,
                op: text(count?["op"]).isEmpty ? "gte" : text(count?["op"]),
                value: text(count?["value"] ?? count),
                days: days()
            )
        }
        if let key = o["trait"]?.stringValue {
            return Condition(type: "trait", key: key, op: text(o["op"]).isEmpty ? "eq" : text(o["op"]), value: text(o["value"]))
        }
        if let tag = o["tag"]?.stringValue { return Condition(type: "tag", value: tag) }
        if let kind = o["identity"]?.stringValue { return Condition(type: "identity", key: kind) }
        for key in ["firstChannel", "lastChannel"] {
            guard let spec = o[key] else { continue }
            if let single = spec.stringValue { return Condition(type: key, op: "in", value: single) }
            let values = spec["value"]?.arrayValue?.compactMap(\.scalarText) ?? [text(spec["value"])]
            let op = text(spec["op"])
            let mapped = op == "neq" ? "notIn" : (op == "eq" || op.isEmpty ? "in" : op)
            return Condition(type: key, op: mapped, value: values.joined(separator: ","))
        }
        if let spec = o["orders"] { return Condition(type: "orders", op: text(spec["op"]), value: text(spec["value"] ?? spec), days: days()) }
        if let spec = o["revenue"] { return Condition(type: "revenue", op: text(spec["op"]), value: text(spec["value"] ?? spec), days: days()) }
        if let spec = o["lastSeenDaysAgo"] { return Condition(type: "lastSeen", op: text(spec["op"]), value: text(spec["value"] ?? spec)) }
        if let name = o["attribute"]?.stringValue { return Condition(type: "attribute", key: name, op: text(o["op"]), value: text(o["value"])) }
        if let scheme = o["label"]?.stringValue, let value = o["value"]?.stringValue {
            if scheme == "rfm8" { return Condition(type: "rfm", value: value) }
            if scheme == WorkspaceValue.churnLabel { return Condition(type: "churn", value: value) }
            if scheme.hasPrefix("tier.") { return Condition(type: "tier", key: scheme, value: value) }
        }
        return nil
    }
}

/// The builder's rows as posted (`ConsoleForm.decode(_:)`): the field names carry the group and
/// row numbers, so they are read by name rather than declared.
extension SegmentRuleForm: Decodable {
    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: ConsoleForm.FieldName.self)
        func field(_ name: String) throws -> String? { try fields.decodeIfPresent(String.self, forKey: ConsoleForm.FieldName(name)) }
        match = try field("match") == "any" ? "any" : "all"
        for g in 1...12 {
            var group = Group(match: try field("g\(g).match") == "any" ? "any" : "all")
            for r in 1...20 {
                let prefix = "g\(g).c\(r)."
                guard let type = try field(prefix + "type") else { continue }
                let condition = Condition(
                    type: type.trimmingCharacters(in: .whitespaces),
                    key: (try field(prefix + "key") ?? "").trimmingCharacters(in: .whitespaces),
                    op: try field(prefix + "op") ?? "",
                    value: (try field(prefix + "value") ?? "").trimmingCharacters(in: .whitespaces),
                    days: (try field(prefix + "days") ?? "").trimmingCharacters(in: .whitespaces)
                )
                if !condition.isBlank { group.conditions.append(condition) }
            }
            if !group.conditions.isEmpty { groups.append(group) }
        }
    }
}
