import SiyuCore

/// The editor's form read from a saved draft: the start node first; nodes (or rules) the form has no
/// fields for are kept as saved.
extension JourneyEditorForm {
    /// The form of a saved draft (the start node first); nodes it cannot show are kept as they are.
    init(name: String, definition text: String) {
        self.name = name
        guard case .object(let object)? = try? JSONParser.parse(text) else { return }
        if case .object(let entry)? = object["entry"] {
            if let segment = entry["segment"]?.int64Value {
                entryKind = "segment"
                entrySegment = String(segment)
            } else if case .object(let label)? = entry["label"] {
                entryKind = "label"
                entryScheme = label["scheme"]?.stringValue ?? ""
                entryValues = (label["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
            } else {
                entryKind = "event"
                entryEvent = Self.eventName(entry["event"])
                entryKey = entry["key"]?.stringValue ?? ""
            }
        }
        reEntry = object["reEntry"]?.boolValue ?? false
        if let share = object["holdout"]?.doubleValue { holdout = Self.percent(share) }
        if case .object(let goal)? = object["goal"] {
            goalEvent = Self.eventName(goal["event"])
            goalDays = goal["withinDays"]?.int64Value.map(String.init) ?? ""
        }
        var rows = (object["nodes"]?.arrayValue ?? []).map(Self.node)
        if let start = object["start"]?.stringValue, let at = rows.firstIndex(where: { $0.id == start }), at > 0 {
            rows.insert(rows.remove(at: at), at: 0)
        }
        nodes = rows
    }

    static func eventName(_ matcher: JSONValue?) -> String {
        if let name = matcher?.stringValue { return name }
        return matcher?["event"]?.stringValue ?? ""
    }

    /// `0.1` → `10`, `0.125` → `12.5`.
    static func percent(_ share: Double) -> String {
        let value = (share * 1000).rounded() / 10
        return value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func node(_ value: JSONValue) -> Node {
        var node = Node()
        guard case .object(let object) = value else {
            node.kind = "locked"
            node.locked = JSONWriter.string(value)
            return node
        }
        node.id = object["id"]?.stringValue ?? ""
        func text(_ key: String) -> String { object[key]?.stringValue ?? "" }
        func duration(_ value: JSONValue?) -> (String, String)? {
            if let minutes = value?.int64Value { return (String(minutes), "minute") }
            guard let amount = value?["value"]?.int64Value else { return nil }
            var unit = value?["unit"]?.stringValue ?? "minute"
            if unit.hasSuffix("s") { unit.removeLast() }
            return Self.units.contains(unit) ? (String(amount), unit) : nil
        }
        let known: Set<String>
        if let delay = duration(object["delay"]) {
            node.kind = "delay"
            (node.amount, node.unit) = delay
            node.next = text("next")
            known = ["id", "delay", "next"]
        } else if case .object(let wait)? = object["waitFor"], wait.keys.elementsEqual(["event"]), let timeout = duration(object["timeout"]) {
            node.kind = "waitFor"
            node.event = eventName(wait["event"])
            (node.amount, node.unit) = timeout
            node.next = text("next")
            node.timeoutNext = text("timeoutNext")
            known = ["id", "waitFor", "timeout", "next", "timeoutNext"]
        } else if let rule = object["condition"] {
            node.kind = "condition"
            let form = SegmentRuleForm(rule: rule) ?? SegmentRuleForm(rule: ["all": [rule]])
            if let form, form.groups.count == 1, form.groups[0].conditions.count == 1 {
                node.condition = form.groups[0].conditions[0]
            } else {
                node.locked = JSONWriter.string(rule)
            }
            node.yes = text("yes")
            node.no = text("no")
            known = ["id", "condition", "yes", "no"]
        } else if let branches = object["split"]?.arrayValue, branches.count <= branchSlots {
            node.kind = "split"
            for (slot, branch) in branches.enumerated() {
                node.weights[slot] = branch["weight"]?.int64Value.map(String.init) ?? ""
                node.branches[slot] = branch["next"]?.stringValue ?? ""
            }
            known = ["id", "split"]
        } else if case .object(let limit)? = object["rateLimit"] {
            node.kind = "rateLimit"
            node.count = limit["count"]?.int64Value.map(String.init) ?? ""
            node.per = limit["per"]?.stringValue == "minute" ? "minute" : "hour"
            node.next = text("next")
            known = ["id", "rateLimit", "next"]
        } else if case .object(let action)? = object["action"], action.count == 1, let (kind, value) = action.elements.first {
            node.next = text("next")
            known = ["id", "action", "next"]
            switch kind {
            case "addTag", "removeTag":
                node.kind = kind
                node.text = value.stringValue ?? ""
            case "addToSegment":
                node.kind = kind
                node.text = value.int64Value.map(String.init) ?? ""
            case "webhook":
                node.kind = kind
                node.text = value["url"]?.stringValue ?? ""
            // A message with only its template; one with a cap of its own is kept as saved.
            case "message" where value.objectValue?.keys.elements == ["template"]:
                node.kind = kind
                node.text = value["template"]?.int64Value.map(String.init) ?? ""
            case "task":
                node.kind = kind
                node.text = value["title"]?.stringValue ?? ""
                node.assignee = value["assignee"]?.stringValue ?? ""
                node.dueMinutes = value["dueMinutes"]?.int64Value.map(String.init) ?? ""
            default:
                node.kind = "locked"
            }
        } else if object["exit"] != nil {
            node.kind = "exit"
            known = ["id", "exit"]
        } else {
            node.kind = "locked"
            known = []
        }
        // Anything else the node holds (a second kind, a field the form has no place for) keeps it as saved.
        if node.kind == "locked" || !Set(object.keys).isSubset(of: known) {
            node = Node(id: node.id, kind: "locked", locked: JSONWriter.string(value))
        }
        return node
    }
}
