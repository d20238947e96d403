import Foundation
import SiyuCore
import SiyuStore

/// The journey editor's form: a journey's name, entry, goal and holdout, and its nodes as rows, each
/// with the fields of its kind, turned into exactly the definition the admin API reads
/// (`Components.Schemas.JourneyDefinition`) and back. People start at the first row.
///
/// Fields: `name`, `entryKind` (event, segment, label), `entryEvent`, `entryKey`, `entrySegment`,
/// `entryScheme`, `entryValues` (comma-separated), `reEntry`, `holdout` (percent), `goalEvent`,
/// `goalDays`; for row `n`: `n{n}.id`, `.kind`, `.next`, `.amount`, `.unit`, `.event`, `.timeoutNext`,
/// `.type`/`.key`/`.op`/`.value`/`.days` (a condition, as the segment builder's row), `.yes`, `.no`,
/// `.w1`…`.w4` and `.b1`…`.b4` (split weights and their nodes), `.count`, `.per`, `.text`,
/// `.assignee`, `.dueMinutes`, and `.locked` (a node the editor cannot show, kept as saved).
struct JourneyEditorForm: Sendable, Equatable {
    /// Kinds a row can take, in the menu's order.
    static let kinds = [
        "delay", "waitFor", "condition", "split", "rateLimit", "addTag", "removeTag", "addToSegment", "task", "webhook", "message", "exit",
    ]
    static let units = ["minute", "hour", "day", "week"]
    static let branchSlots = 4
    /// The longest text a field takes (the definition's own limits are checked by ``JourneyReader``).
    static let maximumField = 2000

    struct Node: Sendable, Equatable {
        var id = ""
        var kind = "delay"
        var next = ""
        var amount = ""
        var unit = "day"
        var event = ""
        var timeoutNext = ""
        var condition = SegmentRuleForm.Condition()
        var yes = ""
        var no = ""
        var weights = Array(repeating: "", count: JourneyEditorForm.branchSlots)
        var branches = Array(repeating: "", count: JourneyEditorForm.branchSlots)
        var count = ""
        var per = "hour"
        var text = ""
        var assignee = ""
        var dueMinutes = ""
        /// A node (or a condition's rule) the form cannot show, as saved (JSON text): kept as it is.
        var locked: String?
    }

    /// A mistake the form finds before the definition is read, as a string-table key and its arguments.
    struct Problem: Error, Sendable, Equatable {
        var key: String
        var arguments: [String: String] = [:]
    }

    var name = ""
    var entryKind = "event"
    var entryEvent = ""
    var entryKey = ""
    var entrySegment = ""
    var entryScheme = ""
    var entryValues = ""
    var reEntry = false
    var holdout = ""
    var goalEvent = ""
    var goalDays = ""
    var nodes: [Node] = []

    init() {}

    // MARK: - To the definition

    /// The definition as the admin API reads it (JSON), or the first field that is not a number where one is needed.
    func definition() throws(Problem) -> JSONValue {
        var object: JSONObject = [:]
        var entry: JSONObject = [:]
        switch entryKind {
        case "segment":
            if !entrySegment.isEmpty { entry["segment"] = .int(try Self.whole(entrySegment, "journeys.editor.fields.entrySegment")) }
        case "label":
            entry["label"] = [
                "scheme": .string(entryScheme),
                "values": .array(Self.list(entryValues).map(JSONValue.string)),
            ]
        default:
            if !entryEvent.isEmpty { entry["event"] = ["event": .string(entryEvent)] }
            if !entryKey.isEmpty { entry["key"] = .string(entryKey) }
        }
        object["entry"] = .object(entry)
        object["start"] = .string(nodes.first?.id ?? "")
        var list: [JSONValue] = []
        for (index, node) in nodes.enumerated() { list.append(try Self.json(node, row: index + 1)) }
        object["nodes"] = .array(list)
        if reEntry { object["reEntry"] = true }
        if !holdout.isEmpty {
            guard let percent = Double(holdout), percent.isFinite else {
                throw Problem(key: "journeys.editor.errors.number", arguments: ["field": "holdout"])
            }
            object["holdout"] = .double(percent / 100)
        }
        if !goalEvent.isEmpty {
            var goal: JSONObject = ["event": ["event": .string(goalEvent)]]
            if !goalDays.isEmpty { goal["withinDays"] = .int(try Self.whole(goalDays, "journeys.editor.fields.goalDays")) }
            object["goal"] = .object(goal)
        }
        return .object(object)
    }

    static func json(_ node: Node, row: Int) throws(Problem) -> JSONValue {
        if let locked = node.locked, node.kind == "locked" {
            guard let value = try? JSONParser.parse(locked), case .object = value else {
                throw Problem(key: "journeys.editor.errors.locked", arguments: ["row": String(row)])
            }
            return value
        }
        func whole(_ text: String, _ field: String) throws(Problem) -> Int64 {
            guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
                throw Problem(key: "journeys.editor.errors.rowNumber", arguments: ["row": String(row), "field": field])
            }
            return value
        }
        var object: JSONObject = ["id": .string(node.id)]
        func link(_ key: String, _ value: String) { if !value.isEmpty { object[key] = .string(value) } }
        switch node.kind {
        case "delay":
            object["delay"] = ["value": .int(try whole(node.amount, "amount")), "unit": .string(node.unit)]
            link("next", node.next)
        case "waitFor":
            object["waitFor"] = ["event": ["event": .string(node.event)]]
            object["timeout"] = ["value": .int(try whole(node.amount, "amount")), "unit": .string(node.unit)]
            link("next", node.next)
            link("timeoutNext", node.timeoutNext)
        case "condition":
            // A rule the row cannot show stays as saved until a condition is chosen in the row.
            if node.condition.isBlank, let locked = node.locked, let rule = try? JSONParser.parse(locked) {
                object["condition"] = rule
            } else {
                var form = SegmentRuleForm()
                form.groups = [SegmentRuleForm.Group(match: "all", conditions: node.condition.isBlank ? [] : [node.condition])]
                do {
                    object["condition"] = try form.rule()
                } catch {
                    throw Problem(key: "journeys.editor.errors.condition", arguments: ["row": String(row)])
                }
            }
            link("yes", node.yes)
            link("no", node.no)
        case "split":
            var branches: [JSONValue] = []
            for slot in 0..<Self.branchSlots where !node.branches[slot].isEmpty || !node.weights[slot].isEmpty {
                branches.append(["weight": .int(try whole(node.weights[slot], "weight")), "next": .string(node.branches[slot])])
            }
            object["split"] = .array(branches)
        case "rateLimit":
            object["rateLimit"] = ["count": .int(try whole(node.count, "count")), "per": .string(node.per)]
            link("next", node.next)
        case "addTag", "removeTag", "webhook", "task", "addToSegment", "message":
            let action: JSONValue
            switch node.kind {
            case "addTag": action = ["addTag": .string(node.text)]
            case "removeTag": action = ["removeTag": .string(node.text)]
            case "webhook": action = ["webhook": ["url": .string(node.text)]]
            case "addToSegment": action = ["addToSegment": .int(try whole(node.text, "segment"))]
            case "message": action = ["message": ["template": .int(try whole(node.text, "template"))]]
            default:
                var task: JSONObject = ["title": .string(node.text)]
                if !node.assignee.isEmpty { task["assignee"] = .string(node.assignee) }
                if !node.dueMinutes.isEmpty { task["dueMinutes"] = .int(try whole(node.dueMinutes, "dueMinutes")) }
                action = ["task": .object(task)]
            }
            object["action"] = action
            link("next", node.next)
        default:
            object["exit"] = [:]
        }
        return .object(object)
    }

    static func whole(_ text: String, _ key: String) throws(Problem) -> Int64 {
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)) else {
            throw Problem(key: "journeys.editor.errors.number", arguments: ["field": key])
        }
        return value
    }

    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "，" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: - Editing without JavaScript

    /// What the buttons ask: add a row (of `kind`), remove, move up or down a row (1-based).
    enum Intent: Equatable {
        case save, publish, refresh
        case add(String)
        case remove(Int)
        case up(Int)
        case down(Int)

        init?(_ text: String?, addKind: String?) {
            guard let text else { return nil }
            let parts = text.split(separator: "-", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count > 1 ? Int(parts[1]) : nil) {
            case ("save", _): self = .save
            case ("publish", _): self = .publish
            case ("refresh", _): self = .refresh
            case ("add", _): self = .add(JourneyEditorForm.kinds.contains(addKind ?? "") ? addKind ?? "delay" : "delay")
            case ("remove", let row?): self = .remove(row)
            case ("up", let row?): self = .up(row)
            case ("down", let row?): self = .down(row)
            default: return nil
            }
        }
    }

    /// Applies a row change; rows out of range change nothing. A new row gets a free id (`step3`).
    mutating func apply(_ intent: Intent) {
        switch intent {
        case .add(let kind):
            guard nodes.count < Journey.maximumNodes else { return }
            var number = nodes.count + 1
            let taken = Set(nodes.map(\.id))
            while taken.contains("step\(number)") { number += 1 }
            var node = Node(id: "step\(number)", kind: kind)
            if kind == "split" { node.weights = ["1", "1", "", ""] }
            nodes.append(node)
        case .remove(let row) where nodes.indices.contains(row - 1):
            nodes.remove(at: row - 1)
        case .up(let row) where row > 1 && nodes.indices.contains(row - 1):
            nodes.swapAt(row - 1, row - 2)
        case .down(let row) where nodes.indices.contains(row) && row >= 1:
            nodes.swapAt(row - 1, row)
        default:
            break
        }
    }
}

/// The editor's fields as posted (`ConsoleForm.decode(_:)`): row fields carry their row number, so
/// they are read by name rather than declared; every value is cut to ``JourneyEditorForm/maximumField``.
extension JourneyEditorForm: Decodable {
    init(from decoder: any Decoder) throws {
        let fields = try decoder.container(keyedBy: ConsoleForm.FieldName.self)
        func field(_ name: String) throws -> String {
            String((try fields.decodeIfPresent(String.self, forKey: ConsoleForm.FieldName(name)) ?? "").prefix(Self.maximumField))
                .trimmingCharacters(in: .whitespaces)
        }
        name = try field("name")
        entryKind = ["event", "segment", "label"].contains(try field("entryKind")) ? try field("entryKind") : "event"
        entryEvent = try field("entryEvent")
        entryKey = try field("entryKey")
        entrySegment = try field("entrySegment")
        entryScheme = try field("entryScheme")
        entryValues = try field("entryValues")
        reEntry = try field("reEntry") == "on"
        holdout = try field("holdout")
        goalEvent = try field("goalEvent")
        goalDays = try field("goalDays")
        for row in 1...Journey.maximumNodes {
            let prefix = "n\(row)."
            let kind = try field(prefix + "kind")
            guard !kind.isEmpty else { continue }
            var node = Node(id: try field(prefix + "id"), kind: Self.kinds.contains(kind) || kind == "locked" ? kind : "delay")
            node.next = try field(prefix + "next")
            node.amount = try field(prefix + "amount")
            node.unit = Self.units.contains(try field(prefix + "unit")) ? try field(prefix + "unit") : "day"
            node.event = try field(prefix + "event")
            node.timeoutNext = try field(prefix + "timeoutNext")
            node.condition = SegmentRuleForm.Condition(
                type: try field(prefix + "type"),
                key: try field(prefix + "key"),
                op: try field(prefix + "op"),
                value: try field(prefix + "value"),
                days: try field(prefix + "days")
            )
            node.yes = try field(prefix + "yes")
            node.no = try field(prefix + "no")
            for slot in 0..<Self.branchSlots {
                node.weights[slot] = try field(prefix + "w\(slot + 1)")
                node.branches[slot] = try field(prefix + "b\(slot + 1)")
            }
            node.count = try field(prefix + "count")
            node.per = try field(prefix + "per") == "minute" ? "minute" : "hour"
            node.text = try field(prefix + "text")
            node.assignee = try field(prefix + "assignee")
            node.dueMinutes = try field(prefix + "dueMinutes")
            let locked = try fields.decodeIfPresent(String.self, forKey: ConsoleForm.FieldName(prefix + "locked"))
            node.locked = locked.flatMap { $0.isEmpty || $0.utf8.count > JourneyRecord.maximumDefinitionBytes ? nil : $0 }
            nodes.append(node)
        }
    }
}
