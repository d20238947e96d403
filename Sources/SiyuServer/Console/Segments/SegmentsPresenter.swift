import SiyuCore
import SiyuStore

/// Turns builder state into the builder's model (`SegmentsPage.Builder`), and rules into words.
struct SegmentsPresenter {
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

    func builder(
        _ state: SegmentBuilderState,
        channels: [Channel],
        eventNames: [String],
        traitKeys: [String],
        labelValues: [String]
    ) -> SegmentsPage.Builder {
        let groups = state.form.display().enumerated().map { g, group in
            SegmentsPage.Group(
                number: g + 1,
                matchAll: group.match == "all",
                matchAny: group.match == "any",
                rows: group.conditions.enumerated().map { r, condition in
                    SegmentsPage.Condition(
                        prefix: "g\(g + 1).c\(r + 1)",
                        number: r + 1,
                        type: condition.type,
                        types: SegmentRuleForm.types.map { type in
                            SegmentsPage.Option(value: type, label: text("types." + type), selected: type == condition.type)
                        },
                        key: condition.key,
                        value: condition.value,
                        days: condition.days,
                        ops: Self.ops.map { op in SegmentsPage.Option(value: op, label: text("ops." + op), selected: op == condition.op) }
                    )
                }
            )
        }
        func suggestion(_ value: String, _ label: String) -> SegmentsPage.Suggestion { SegmentsPage.Suggestion(value: value, label: label) }
        return SegmentsPage.Builder(
            isNew: state.existing == nil,
            action: state.existing.map { "/console/segments/\($0.id)/edit" } ?? "/console/segments",
            cancelHref: state.existing.map { "/console/segments/\($0.id)" } ?? "/console/segments",
            name: state.name,
            description: state.description,
            isDynamic: state.kind == .dynamic,
            isStatic: state.kind == .static,
            sourceRule: state.source == "rule",
            sourceCsv: state.source == "csv",
            csv: state.csv,
            showRule: state.existing.map { $0.kind == .dynamic } ?? true,
            matchAll: state.form.match == "all",
            matchAny: state.form.match == "any",
            groups: groups,
            refreshOptions: SegmentBuilderState.refreshChoices.map { minutes in
                SegmentsPage.Option(
                    value: minutes.map(String.init) ?? "",
                    label: minutes.map { strings.text("segments.everyMinutes", ["minutes": format.integer($0)]) } ?? text("onDemand"),
                    selected: minutes == state.refreshMinutes
                )
            },
            events: eventNames.sorted().map { SegmentsPage.Value(value: $0) },
            traitKeys: traitKeys.map { SegmentsPage.Value(value: $0) },
            identityKinds: Self.identityKinds.map { SegmentsPage.Value(value: $0) },
            channels: channels.map { suggestion($0.key, $0.name) },
            rfmClasses: RFMClass.allCases.map { suggestion($0.rawValue, strings.locale == .zhCN ? $0.chinese : $0.english) },
            churnBands: Self.churnBands.map { suggestion($0, strings.text("people.labelValues." + $0)) },
            tierSchemes: Self.tierSchemes.map { suggestion($0, strings.text("people.schemes." + $0)) },
            attributes: Self.attributes.map { suggestion($0, strings.text("people.valueNames." + $0)) },
            labelValues: labelValues.sorted().map { SegmentsPage.Value(value: $0) },
            canEditSegments: true,
            error: state.error,
            previewText: state.previewCount.map { strings.text("segments.previewCount", ["count": format.integer($0)]) },
            lockedRule: state.lockedRule
        )
    }

    /// One sentence per group of conditions, and how the groups combine.
    func words(_ form: SegmentRuleForm, names: [String: String]) -> SegmentsPage.Words {
        let groups = form.groups.map { group in
            group.conditions.map { condition($0, names: names) }.joined(separator: text(group.match == "any" ? "words.or" : "words.and"))
        }
        return SegmentsPage.Words(
            groups: groups.map { SegmentsPage.Sentence(text: $0) },
            combine: groups.count > 1 ? text(form.match == "any" ? "words.anyGroup" : "words.allGroups") : ""
        )
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
