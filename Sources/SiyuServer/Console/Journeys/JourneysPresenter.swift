import Foundation
import SiyuAPI
import SiyuCore
import SiyuStore

/// Turns journeys, their counts and their goal into what the journey pages show, in the reader's language.
struct JourneysPresenter {
    let fmt: PeopleFormat
    var strings: StringTable { fmt.strings }
    var format: LocaleFormat { fmt.format }

    /// The outcomes the walker records at a node, in the order the chart lists them.
    static let outcomes = JourneyWalker.Outcome.allCases.map(\.rawValue)

    func status(_ status: JourneyStatus) -> String { strings.text("journeys.status." + status.rawValue) }

    /// A row of the list. `states`: the journey's instances by state now; `outbox`: its rows made today by status.
    func row(
        _ journey: JourneyRecord,
        states: [JourneyInstanceState: Int],
        outbox: [OutboxStatus: Int],
        goal: JourneyGoalCounts,
        canRun: Bool
    ) -> JourneysPage.Row {
        let entered = states.values.reduce(0, +)
        return JourneysPage.Row(
            id: journey.id,
            name: journey.name,
            status: status(journey.status),
            statusKey: journey.status.rawValue,
            version: journey.version == 0 ? strings.text("journeys.draft") : "v\(journey.version)",
            entered: format.integer(entered),
            hasEntrants: entered > 0,
            waiting: format.integer(states[.waiting] ?? 0),
            sentToday: format.integer(outbox[.delivered] ?? 0),
            goal: self.goal(goal),
            canPause: canRun && journey.status == .active,
            canResume: canRun && journey.status == .paused,
            canStop: canRun && journey.status != .stopped
        )
    }

    /// The goal in a few words: each group's rate, and the difference with its 95 % interval from the
    /// same Newcombe interval the admin API's report answers (``ProportionDifference``).
    func goal(_ goal: JourneyGoalCounts) -> JourneysPage.Goal {
        let interval = ProportionDifference(treated: (goal.treatedConverted, goal.treated), control: (goal.heldOutConverted, goal.heldOut))
        return JourneysPage.Goal(
            treated: rate(goal.treatedConverted, goal.treated),
            heldOut: goal.heldOut == 0 ? strings.text("journeys.noHoldout") : rate(goal.heldOutConverted, goal.heldOut),
            difference: interval.map { points($0.difference) } ?? "–",
            interval: interval.map { strings.text("journeys.interval", ["lower": points($0.lower), "upper": points($0.upper)]) } ?? "",
            direction: interval.map { $0.lower > 0 ? "up" : $0.upper < 0 ? "down" : "" } ?? ""
        )
    }

    /// `12.5%`, or an en dash for nobody.
    func rate(_ part: Int, _ whole: Int) -> String { whole == 0 ? "–" : format.percent(Double(part) / Double(whole)) }

    /// A difference of two rates in percentage points: `+4.2 pp`, `−1.0 pp`.
    func points(_ difference: Double) -> String {
        let text = format.decimal(abs(difference) * 100, digits: 1)
        let sign = text == format.decimal(0, digits: 1) ? "" : difference < 0 ? "−" : "+"
        return strings.text("journeys.points", ["value": sign + text])
    }

    /// The goal table of a journey's page.
    func goalTable(_ goal: JourneyGoalCounts, target: JourneyGoal?) -> JourneysPage.GoalTable {
        let summary = self.goal(goal)
        let rows = [
            JourneysPage.GoalRow(
                group: strings.text("journeys.goal.treated"),
                entrants: format.integer(goal.treated),
                converted: format.integer(goal.treatedConverted),
                rate: summary.treated
            ),
            JourneysPage.GoalRow(
                group: strings.text("journeys.goal.heldOut"),
                entrants: format.integer(goal.heldOut),
                converted: format.integer(goal.heldOutConverted),
                rate: rate(goal.heldOutConverted, goal.heldOut)
            ),
        ]
        var goalText = strings.text("journeys.goal.none")
        if let target {
            goalText = strings.text(
                "journeys.goal.text",
                ["event": target.event.event ?? strings.text("journeys.anyEvent"), "days": format.integer(target.withinDays)]
            )
        }
        return JourneysPage.GoalTable(
            hasGoal: target != nil,
            goalText: goalText,
            rows: rows,
            difference: summary.difference,
            interval: summary.interval,
            direction: summary.direction,
            hasHoldout: goal.heldOut > 0
        )
    }

    /// Per node, the outcomes of one version: node → outcome → people.
    static func counts(_ counts: [JourneyNodeCount], version: Int) -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for count in counts where count.version == version { result[count.node, default: [:]][count.outcome, default: 0] += count.count }
        return result
    }

    /// The flow chart and the node table of a journey read from its definition.
    func flow(
        _ journey: Journey,
        definition: Components.Schemas.JourneyDefinition,
        counts: [String: [String: Int]],
        title: String
    ) -> (svg: String, rows: [JourneysPage.NodeRow]) {
        let rules = Self.rules(definition)
        var nodes: [JourneyFlowChart.Node] = []
        var edges: [JourneyFlowChart.Edge] = []
        var rows: [JourneysPage.NodeRow] = []
        for id in definition.nodes.map(\.id) {
            guard let node = journey.nodes[id] else { continue }
            let (kind, family) = self.kind(node.kind)
            let text = describe(node.kind, rule: rules[id])
            let recorded = Self.outcomes.compactMap { outcome -> (outcome: String, label: String, count: Int)? in
                guard let count = counts[id]?[outcome], count > 0 else { return nil }
                return (outcome, strings.text("journeys.outcomes." + outcome), count)
            }
            nodes.append(JourneyFlowChart.Node(id: id, kind: kind, family: family, text: text, counts: recorded))
            edges += self.edges(node)
            rows.append(
                JourneysPage.NodeRow(
                    id: id,
                    kind: kind,
                    text: text,
                    counts: recorded.isEmpty ? "–" : recorded.map { "\($0.label) \(format.integer($0.count))" }.joined(separator: " · ")
                )
            )
        }
        let chart = JourneyFlowChart(
            title: title,
            start: journey.start,
            nodes: nodes,
            edges: edges,
            noCountsText: strings.text("journeys.noCounts"),
            format: { [format] in format.integer($0) }
        )
        return (chart.svg(), rows)
    }

    func kind(_ kind: JourneyNode.Kind) -> (label: String, family: String) {
        let (key, family): (String, String) =
            switch kind {
            case .delay: ("delay", "wait")
            case .waitFor: ("waitFor", "wait")
            case .rateLimit: ("rateLimit", "wait")
            case .condition: ("condition", "branch")
            case .randomSplit: ("split", "branch")
            case .action: ("action", "action")
            case .exit: ("exit", "exit")
            }
        return (strings.text("journeys.kinds." + key), family)
    }

    /// The links leaving a node, with their labels.
    func edges(_ node: JourneyNode) -> [JourneyFlowChart.Edge] {
        switch node.kind {
        case .delay(_, let next), .rateLimit(_, _, let next):
            return [.init(from: node.id, to: next, label: nil)]
        case .waitFor(_, _, let next, let timeoutNext):
            return [
                .init(from: node.id, to: next, label: strings.text("journeys.links.happened")),
                .init(from: node.id, to: timeoutNext, label: strings.text("journeys.links.timeout")),
            ]
        case .condition(_, let yes, let no):
            return [
                .init(from: node.id, to: yes, label: strings.text("journeys.links.yes")),
                .init(from: node.id, to: no, label: strings.text("journeys.links.no")),
            ]
        case .randomSplit(let branches):
            let total = branches.reduce(0) { $0 + max($1.weight, 0) }
            return branches.map { branch in
                let share = total > 0 ? format.percent(Double(branch.weight) / Double(total), digits: 0) : "–"
                return .init(from: node.id, to: branch.next, label: share)
            }
        case .action(_, let next):
            return next.map { [.init(from: node.id, to: $0, label: nil)] } ?? []
        case .exit:
            return []
        }
    }

    /// A node in a few words: "Wait 2 days", "Send webhook", "Add tag vip".
    func describe(_ kind: JourneyNode.Kind, rule: String?) -> String {
        switch kind {
        case .delay(.fixed(let millis), _):
            return strings.text("journeys.text.wait", ["duration": duration(millis)])
        case .delay(.untilTime(let minute, let weekdays, _), _):
            var text = strings.text("journeys.text.until", ["time": time(minute)])
            if !weekdays.isEmpty {
                text +=
                    " (" + weekdays.sorted().map { strings.text("journeys.weekdays.\($0)") }.joined(separator: strings.text("journeys.listSeparator"))
                    + ")"
            }
            return text
        case .delay(.untilTraitDate(let trait, let minute, let yearly, _), _):
            return strings.text(yearly ? "journeys.text.untilDateYearly" : "journeys.text.untilDate", ["trait": trait, "time": time(minute)])
        case .waitFor(let what, let timeout, _, _):
            let target: String =
                switch what {
                case .event(let matcher): strings.text("journeys.text.event", ["event": matcher.event ?? strings.text("journeys.anyEvent")])
                case .segment(let id): strings.text("journeys.text.segment", ["id": String(id)])
                case .label(let scheme, let values): "\(scheme): " + values.joined(separator: strings.text("journeys.listSeparator"))
                }
            return strings.text("journeys.text.waitFor", ["what": target, "duration": duration(timeout)])
        case .condition:
            return rule.map(ruleWords) ?? strings.text("journeys.kinds.condition")
        case .randomSplit(let branches):
            return strings.text("journeys.text.split", ["count": format.integer(branches.count)])
        case .rateLimit(let count, let period, _):
            return strings.text(
                period >= 3_600_000 ? "journeys.text.perHour" : "journeys.text.perMinute",
                ["count": format.integer(count)]
            )
        case .action(let action, _):
            switch action {
            case .addTag(let tag): return strings.text("journeys.text.addTag", ["tag": tag])
            case .removeTag(let tag): return strings.text("journeys.text.removeTag", ["tag": tag])
            case .addToSegment(let id): return strings.text("journeys.text.addToSegment", ["id": String(id)])
            case .staffTask(let title, _, _): return strings.text("journeys.text.task", ["title": title])
            case .webhook: return strings.text("journeys.text.webhook")
            case .message(let message):
                return strings.text("journeys.text.message", ["template": String(message.templateId)])
            }
        case .exit:
            return strings.text("journeys.text.exit")
        }
    }

    /// `2 days`, `90 minutes`: the largest unit that divides the time exactly.
    func duration(_ millis: Int64) -> String {
        let units: [(String, Int64)] = [("week", 604_800_000), ("day", 86_400_000), ("hour", 3_600_000), ("minute", 60_000)]
        for (unit, size) in units where millis >= size && millis % size == 0 {
            return strings.text("journeys.units." + unit, ["n": format.integer(millis / size)])
        }
        return strings.text("journeys.units.minute", ["n": format.integer(max(millis / 60_000, 0))])
    }

    /// `09:30` from minutes after midnight.
    func time(_ minute: Int) -> String { PeopleFormat.two(minute / 60) + ":" + PeopleFormat.two(minute % 60) }

    /// A condition's rule in the segment builder's words, or as compact JSON when the builder cannot say it.
    func ruleWords(_ json: String) -> String {
        guard let rule = try? JSONParser.parse(json) else { return json }
        // The builder reads a rule of groups; a journey's condition is often one condition alone.
        guard let form = SegmentRuleForm(rule: rule) ?? SegmentRuleForm(rule: ["all": [rule]]) else { return json }
        let words = SegmentsPresenter(strings: strings, format: format).words(form, names: [:])
        let text = words.groups.map(\.text).joined(separator: words.combine.isEmpty ? " " : " " + words.combine + " ")
        return text.isEmpty ? json : text
    }

    /// The rule of each condition node, as compact JSON.
    static func rules(_ definition: Components.Schemas.JourneyDefinition) -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var result: [String: String] = [:]
        for node in definition.nodes {
            guard let condition = node.condition, let data = try? encoder.encode(condition) else { continue }
            result[node.id] = String(decoding: data, as: UTF8.self)
        }
        return result
    }
}
