import SiyuCore
import SiyuStore

/// What the builder page holds: the segment's own fields and the rule form.
struct SegmentBuilderState: Sendable {
    var existing: SegmentRecord?
    var name = ""
    var description = ""
    var kind = SegmentKind.dynamic
    var refreshMinutes: Int? = 60
    /// For a new static segment: `rule` (a snapshot of the rule now) or `csv` (a list of people).
    var source = "rule"
    var csv = ""
    var form = SegmentRuleForm()
    /// A saved rule the builder cannot show (written through the API), as JSON.
    var lockedRule: String?
    var error: String?
    var previewCount: Int?

    /// Refresh schedules offered, in minutes (nil: only on demand).
    static let refreshChoices: [Int?] = [nil, 15, 60, 360, 1440]

    init() {}

    init(segment: SegmentRecord) {
        existing = segment
        name = segment.name
        description = segment.description
        kind = segment.kind
        refreshMinutes = segment.refreshMinutes
        if let text = segment.rule {
            if let json = try? JSONParser.parse(text), let form = SegmentRuleForm(rule: json) {
                self.form = form
            } else {
                lockedRule = text
            }
        }
    }

    init(form fields: ConsoleForm, existing: SegmentRecord?) {
        self.existing = existing
        name = fields["name"] ?? ""
        description = fields["description"] ?? ""
        kind = existing?.kind ?? (fields["kind"] == "static" ? .static : .dynamic)
        refreshMinutes = (fields["refresh"]).flatMap { Int($0) }
        source = fields["source"] == "csv" ? "csv" : "rule"
        csv = fields["csv"] ?? ""
        form = SegmentRuleForm(form: fields)
    }

    /// Whether saving reads the rule rows (dynamic segments, and new static ones frozen from a rule).
    var usesRule: Bool {
        if let existing { return existing.kind == .dynamic }
        return kind == .dynamic || source == "rule"
    }
}

/// Turns builder state into template values, and rules into words.
struct SegmentBuilderView {
    let strings: StringTable
    let format: LocaleFormat

    static let ops = ["gte", "lte", "eq", "neq", "gt", "lt", "contains", "isSet", "isNotSet", "in", "notIn"]
    static let identityKinds = ["user_id", "phone", "email", "openid", "unionid", "anonymous_id"]
    static let attributes = [
        WorkspaceValue.Attribute.clv, WorkspaceValue.Attribute.probabilityAlive, WorkspaceValue.Attribute.expectedOrders90,
        WorkspaceValue.Attribute.expectedAverageValue,
    ]
    static let tierSchemes = ["tier.pyramid", "tier.fiveThreeTwo", "tier.colours", "tier.ladder"]
    static let churnBands = ["red", "yellow", "green"]

    func data(
        _ state: SegmentBuilderState,
        channels: [Channel],
        eventNames: [String],
        traitKeys: [String],
        labelValues: [String]
    ) -> [String: Any] {
        let groups = state.form.display().enumerated().map { g, group -> [String: Any] in
            [
                "number": g + 1, "matchAll": group.match == "all", "matchAny": group.match == "any",
                "rows": group.conditions.enumerated().map { r, condition -> [String: Any] in
                    [
                        "prefix": "g\(g + 1).c\(r + 1)", "number": r + 1, "type": condition.type,
                        "types": SegmentRuleForm.types.map { type -> [String: Any] in
                            ["value": type, "label": text("types." + type), "selected": type == condition.type]
                        },
                        "key": condition.key, "value": condition.value, "days": condition.days,
                        "ops": Self.ops.map { op -> [String: Any] in ["value": op, "label": text("ops." + op), "selected": op == condition.op] },
                    ]
                },
            ]
        }
        let path = state.existing.map { "/console/segments/\($0.id)/edit" } ?? "/console/segments"
        var data: [String: Any] = [
            "isNew": state.existing == nil, "action": path,
            "cancelHref": state.existing.map { "/console/segments/\($0.id)" } ?? "/console/segments",
            "name": state.name, "description": state.description,
            "isDynamic": state.kind == .dynamic, "isStatic": state.kind == .static,
            "sourceRule": state.source == "rule", "sourceCsv": state.source == "csv", "csv": state.csv,
            "showRule": state.existing.map { $0.kind == .dynamic } ?? true,
            "matchAll": state.form.match == "all", "matchAny": state.form.match == "any",
            "groups": groups,
            "refreshOptions": SegmentBuilderState.refreshChoices.map { minutes -> [String: Any] in
                [
                    "value": minutes.map(String.init) ?? "",
                    "label": minutes.map { strings.text("segments.everyMinutes", ["minutes": format.integer($0)]) } ?? text("onDemand"),
                    "selected": minutes == state.refreshMinutes,
                ]
            },
            "events": eventNames.sorted().map { ["value": $0] },
            "traitKeys": traitKeys.map { ["value": $0] },
            "identityKinds": Self.identityKinds.map { ["value": $0] },
            "channels": channels.map { ["value": $0.key, "label": $0.name] },
            "rfmClasses": RFMClass.allCases.map { ["value": $0.rawValue, "label": strings.locale == .zhCN ? $0.chinese : $0.english] },
            "churnBands": Self.churnBands.map { ["value": $0, "label": strings.text("people.labelValues." + $0)] },
            "tierSchemes": Self.tierSchemes.map { ["value": $0, "label": strings.text("people.schemes." + $0)] },
            "attributes": Self.attributes.map { ["value": $0, "label": strings.text("people.valueNames." + $0)] },
            "labelValues": labelValues.sorted().map { ["value": $0] },
        ]
        if let error = state.error { data["error"] = error }
        if let count = state.previewCount { data["previewText"] = strings.text("segments.previewCount", ["count": format.integer(count)]) }
        if let locked = state.lockedRule { data["lockedRule"] = locked }
        return data
    }

    /// One sentence per group of conditions, and how the groups combine.
    func words(_ form: SegmentRuleForm, names: [String: String]) -> [String: Any] {
        let groups = form.groups.map { group in
            group.conditions.map { condition($0, names: names) }.joined(separator: text(group.match == "any" ? "words.or" : "words.and"))
        }
        return [
            "groups": groups.map { ["text": $0] },
            "combine": groups.count > 1 ? text(form.match == "any" ? "words.anyGroup" : "words.allGroups") : "",
        ]
    }

    func condition(_ c: SegmentRuleForm.Condition, names: [String: String]) -> String {
        let op = text("opWords." + (c.op.isEmpty ? "eq" : c.op))
        var value = c.value
        switch c.type {
        case "firstChannel", "lastChannel":
            value = c.value.split(separator: ",").map { names[String($0)] ?? String($0) }.joined(separator: ", ")
        case "rfm": value = RFMClass(rawValue: c.value).map { strings.locale == .zhCN ? $0.chinese : $0.english } ?? c.value
        case "churn": value = strings.text("people.labelValues." + c.value)
        default: break
        }
        var key = c.key
        if c.type == "attribute" || c.type == "tier" {
            let lookup = c.type == "attribute" ? "people.valueNames." + c.key : "people.schemes." + c.key
            let found = strings.text(lookup)
            if found != lookup { key = found }
        }
        var sentence = text("words." + c.type, ["key": key, "op": op, "value": value])
        if !c.days.isEmpty { sentence += text("words.within", ["days": c.days]) }
        return sentence
    }

    private func text(_ key: String, _ arguments: [String: String] = [:]) -> String { strings.text("segments." + key, arguments) }
}
