import Foundation
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Reads a journey's definition as the contract types it (`Components.Schemas.JourneyDefinition`)
/// into the engine's ``Journey``: each node's one kind and the links it needs, durations, times of
/// day, rules (``RuleReader``), actions; then the engine's own checks (links, loops, numbers).
/// Every problem is named with its field (`definition.nodes[2].yes`), all of them at once, so the
/// editor can show them beside the nodes.
struct JourneyReader {
    let context: QueryContext

    /// A problem of a definition: the field at fault and what is wrong.
    struct Problem: Error, Equatable {
        var field: String
        var message: String
        /// Whether a draft with this problem is refused when saved: a value the contract does not
        /// allow (a tag too long, a weight out of range) is; an unfinished shape (a node without its
        /// links, a link to a node not written yet, a loop) is saved and listed until it is published.
        var refusesSave = true
    }

    /// The journey, or every problem found (then no journey).
    func read(_ definition: Components.Schemas.JourneyDefinition, id: Int64, version: Int) -> (journey: Journey?, problems: [Problem]) {
        var problems: [Problem] = []
        func attempt<T>(_ body: () throws -> T) -> T? {
            do {
                return try body()
            } catch let error as APIError {
                problems.append(Problem(field: error.field ?? "definition", message: error.message))
            } catch let problem as Problem {
                problems.append(problem)
            } catch {
                problems.append(Problem(field: "definition", message: "\(error)"))
            }
            return nil
        }
        let entry = attempt { try self.entry(definition.entry) }
        let goal = attempt { try definition.goal.map { try self.goal($0) } }
        if let holdout = definition.holdout, !(0...0.5).contains(holdout) {
            problems.append(Problem(field: "definition.holdout", message: "holdout is a share from 0 to 0.5"))
        }
        if !(1...Journey.maximumNodes).contains(definition.nodes.count) {
            problems.append(Problem(field: "definition.nodes", message: "a journey has 1 to \(Journey.maximumNodes) nodes"))
        }
        var nodes: [JourneyNode] = []
        var index: [String: Int] = [:]
        for (position, node) in definition.nodes.enumerated() {
            if index[node.id] != nil {
                problems.append(Problem(field: "definition.nodes[\(position)].id", message: "another node has the id `\(node.id)`"))
            }
            index[node.id] = position
            if let read = attempt({ try self.node(node, path: "definition.nodes[\(position)]") }) { nodes.append(read) }
        }
        guard let entry, problems.isEmpty else { return (nil, problems) }
        let journey = Journey(
            id: id,
            version: version,
            entry: entry,
            reEntry: definition.reEntry ?? false,
            start: definition.start,
            nodes: nodes,
            goal: goal ?? nil,
            holdout: definition.holdout ?? 0
        )
        // The engine's checks name nodes by id: `nodes[welcome]` becomes `definition.nodes[0]`.
        let engine = journey.problems().map { problem -> Problem in
            var field = problem.path
            if field.hasPrefix("nodes["), let close = field.firstIndex(of: "]") {
                let id = String(field[field.index(field.startIndex, offsetBy: 6)..<close])
                field = "nodes[\(index[id].map(String.init) ?? id)]" + field[field.index(after: close)...]
            }
            return Problem(field: "definition." + field, message: problem.message, refusesSave: false)
        }
        return engine.isEmpty ? (journey, []) : (nil, engine)
    }

    /// Reads a definition and throws its first problem as a 400 naming the field.
    func journey(_ definition: Components.Schemas.JourneyDefinition, id: Int64, version: Int) throws -> Journey {
        let (journey, problems) = read(definition, id: id, version: version)
        guard let journey else { throw APIError.badRequest(problems[0].message, field: problems[0].field) }
        return journey
    }

    // MARK: - Parts

    func entry(_ entry: Components.Schemas.JourneyEntry) throws -> JourneyEntry {
        let path = "definition.entry"
        if let label = entry.label { try Self.checkLabel(label, path + ".label") }
        let matcher = try entry.event.map { try context.matcher($0, path + ".event") }
        if let key = entry.key, !QueryLimits.isValidKey(key) {
            throw Problem(field: path + ".key", message: "a key is 1 to 200 bytes without control characters")
        }
        let given = [entry.segment != nil, entry.label != nil, entry.event != nil].filter { $0 }.count
        guard given == 1 else { throw Problem(field: path, message: "an entry is exactly one of segment, label and event", refusesSave: false) }
        if let segment = entry.segment {
            if entry.key != nil { throw Problem(field: path + ".key", message: "key is only for entry by event", refusesSave: false) }
            return .segment(id: segment)
        }
        if let label = entry.label {
            if entry.key != nil { throw Problem(field: path + ".key", message: "key is only for entry by event", refusesSave: false) }
            return .label(scheme: label.scheme, values: label.values)
        }
        guard let matcher, matcher.event != nil else {
            throw Problem(field: path + ".event", message: "entry by event names the event", refusesSave: false)
        }
        switch entry.key {
        case .none, "messageId": return .event(matcher, key: .messageId)
        case .some(let key): return .event(matcher, key: .property(key))
        }
    }

    func goal(_ goal: Components.Schemas.JourneyGoal) throws -> JourneyGoal {
        let days = goal.withinDays ?? 7
        guard Journey.Limits.goalDays.contains(days) else {
            throw Problem(field: "definition.goal.withinDays", message: "withinDays must be 1 to 365")
        }
        return JourneyGoal(event: try context.matcher(goal.event, "definition.goal.event"), withinDays: days)
    }

    /// `HH:MM` in minutes after midnight.
    static func minutes(_ time: String, _ field: String) throws -> Int {
        let parts = time.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours), (0..<60).contains(minutes) else {
            throw Problem(field: field, message: "a time of day is HH:MM, 00:00 to 23:59")
        }
        return hours * 60 + minutes
    }

    /// A node id as the contract takes it: 1 to 64 letters, digits, `-` and `_`.
    static func checkId(_ id: String, _ field: String) throws {
        guard (1...64).contains(id.utf8.count),
            id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
        else { throw Problem(field: field, message: "a node id is 1 to 64 letters, digits, - or _") }
    }

    /// Label values as the contract takes them: 1 to 50 values of 1 to 200 characters.
    static func checkLabel(_ label: Components.Schemas.JourneyLabelMatch, _ path: String) throws {
        guard QueryLimits.isValidKey(label.scheme) else {
            throw Problem(field: path + ".scheme", message: "a scheme is 1 to 200 bytes without control characters")
        }
        guard (1...50).contains(label.values.count), label.values.allSatisfy({ (1...200).contains($0.unicodeScalars.count) }) else {
            throw Problem(field: path + ".values", message: "values are 1 to 50 texts of 1 to 200 characters")
        }
    }

    func node(_ node: Components.Schemas.JourneyNode, path: String) throws -> JourneyNode {
        try Self.checkId(node.id, path + ".id")
        for (name, link) in [("next", node.next), ("timeoutNext", node.timeoutNext), ("yes", node.yes), ("no", node.no)] {
            if let link { try Self.checkId(link, "\(path).\(name)") }
        }
        // Every value given is read first, whatever the node's shape: a draft is saved only when
        // all of them are what the contract allows.
        let delay = try node.delay.map { try context.duration($0, path + ".delay", limits: Journey.Limits.delayMillis) }
        let delayUntil = try node.delayUntil.map { until -> JourneyDelay in
            guard (until.weekdays ?? []).allSatisfy((1...7).contains), (until.weekdays ?? []).count <= 7 else {
                throw Problem(field: path + ".delayUntil.weekdays", message: "weekdays are 1 (Monday) to 7 (Sunday)")
            }
            return .untilTime(
                minuteOfDay: try Self.minutes(until.time, path + ".delayUntil.time"),
                weekdays: Set(until.weekdays ?? []),
                zone: until.zone == .person ? .person : .workspace
            )
        }
        let delayUntilDate = try node.delayUntilDate.map { until -> JourneyDelay in
            guard QueryLimits.isValidKey(until.trait) else {
                throw Problem(field: path + ".delayUntilDate.trait", message: "a trait key is 1 to 200 bytes without control characters")
            }
            return .untilTraitDate(
                trait: until.trait,
                minuteOfDay: try Self.minutes(until.time ?? "10:00", path + ".delayUntilDate.time"),
                yearly: until.yearly ?? true,
                zone: until.zone == .person ? .person : .workspace
            )
        }
        let waitFor = try node.waitFor.map { try wait($0, path + ".waitFor") }
        let timeout = try node.timeout.map { try context.duration($0, path + ".timeout", limits: Journey.Limits.timeoutMillis) }
        let condition = try node.condition.map { try context.rule($0, path + ".condition") }
        let split = try node.split.map { branches -> [JourneyNode.Branch] in
            guard (2...10).contains(branches.count) else { throw Problem(field: path + ".split", message: "a split has 2 to 10 branches") }
            for (number, branch) in branches.enumerated() {
                guard (0...10_000).contains(branch.weight) else {
                    throw Problem(field: "\(path).split[\(number)].weight", message: "a weight is 0 to 10,000")
                }
                try Self.checkId(branch.next, "\(path).split[\(number)].next")
            }
            return branches.map { JourneyNode.Branch(weight: $0.weight, next: $0.next) }
        }
        if let limit = node.rateLimit, !(1...1_000_000).contains(limit.count) {
            throw Problem(field: path + ".rateLimit.count", message: "a rate limit lets 1 to 1,000,000 people through per period")
        }
        let action = try node.action.map { try self.action($0, path + ".action") }

        // Then the shape: exactly one kind, with the links it takes.
        let kinds: [(String, Bool)] = [
            ("delay", delay != nil), ("delayUntil", delayUntil != nil), ("delayUntilDate", delayUntilDate != nil), ("waitFor", waitFor != nil),
            ("condition", condition != nil), ("split", split != nil), ("rateLimit", node.rateLimit != nil), ("action", action != nil),
            ("exit", node.exit != nil),
        ]
        let present = kinds.filter(\.1).map(\.0)
        guard present.count == 1, let kind = present.first else {
            throw Problem(
                field: path,
                message:
                    "a node is exactly one of \(kinds.map(\.0).joined(separator: ", ")); this one is \(present.isEmpty ? "none" : present.joined(separator: " and "))",
                refusesSave: false
            )
        }
        let takes: Set<String> =
            switch kind {
            case "waitFor": ["next", "timeout", "timeoutNext"]
            case "condition": ["yes", "no"]
            case "split", "exit": []
            default: ["next"]
            }
        for (name, given) in [
            ("next", node.next != nil), ("timeout", node.timeout != nil), ("timeoutNext", node.timeoutNext != nil), ("yes", node.yes != nil),
            ("no", node.no != nil),
        ]
        where given && !takes.contains(name) {
            throw Problem(field: "\(path).\(name)", message: "\(name) is not for \(kind) nodes", refusesSave: false)
        }
        func required(_ value: String?, _ name: String) throws -> String {
            guard let value else { throw Problem(field: "\(path).\(name)", message: "a \(kind) node needs \(name)", refusesSave: false) }
            return value
        }
        switch kind {
        case "delay": return JourneyNode(node.id, .delay(.fixed(millis: delay!), next: try required(node.next, "next")))
        case "delayUntil": return JourneyNode(node.id, .delay(delayUntil!, next: try required(node.next, "next")))
        case "delayUntilDate": return JourneyNode(node.id, .delay(delayUntilDate!, next: try required(node.next, "next")))
        case "waitFor":
            guard let timeout else { throw Problem(field: path + ".timeout", message: "a waitFor node needs timeout", refusesSave: false) }
            return JourneyNode(
                node.id,
                .waitFor(
                    waitFor!,
                    timeoutMillis: timeout,
                    next: try required(node.next, "next"),
                    timeoutNext: try required(node.timeoutNext, "timeoutNext")
                )
            )
        case "condition": return JourneyNode(node.id, .condition(condition!, yes: try required(node.yes, "yes"), no: try required(node.no, "no")))
        case "split": return JourneyNode(node.id, .randomSplit(split!))
        case "rateLimit":
            let limit = node.rateLimit!
            return JourneyNode(
                node.id,
                .rateLimit(count: limit.count, periodMillis: limit.per == .hour ? 3_600_000 : 60_000, next: try required(node.next, "next"))
            )
        case "action": return JourneyNode(node.id, .action(action!, next: node.next))
        default: return JourneyNode(node.id, .exit)
        }
    }

    func wait(_ wait: Components.Schemas.JourneyWaitFor, _ path: String) throws -> JourneyWait {
        let event = try wait.event.map { try context.matcher($0, path + ".event") }
        if let label = wait.label { try Self.checkLabel(label, path + ".label") }
        let given = [event != nil, wait.segment != nil, wait.label != nil].filter { $0 }.count
        guard given == 1 else { throw Problem(field: path, message: "a wait is for exactly one of event, segment and label", refusesSave: false) }
        if let event { return .event(event) }
        if let segment = wait.segment { return .segment(id: segment) }
        return .label(scheme: wait.label!.scheme, values: wait.label!.values)
    }

    func action(_ action: Components.Schemas.JourneyAction, _ path: String) throws -> JourneyAction {
        var found: [JourneyAction] = []
        if let tag = action.addTag { found.append(.addTag(try Self.tag(tag, path + ".addTag"))) }
        if let tag = action.removeTag { found.append(.removeTag(try Self.tag(tag, path + ".removeTag"))) }
        if let segment = action.addToSegment { found.append(.addToSegment(id: segment)) }
        if let task = action.task {
            guard (1...200).contains(task.title.unicodeScalars.count), (task.assignee?.unicodeScalars.count ?? 0) <= 200 else {
                throw Problem(field: path + ".task", message: "a task's title is 1 to 200 characters, its assignee at most 200")
            }
            let minutes = task.dueMinutes ?? 1440
            guard (1...43_200).contains(minutes) else { throw Problem(field: path + ".task.dueMinutes", message: "dueMinutes must be 1 to 43200") }
            found.append(.staffTask(title: task.title, assignee: task.assignee, dueMinutes: minutes))
        }
        if let webhook = action.webhook {
            guard let url = URL(string: webhook.url), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil,
                webhook.url.utf8.count <= 2000
            else { throw Problem(field: path + ".webhook.url", message: "a webhook's url is an http(s) address of at most 2,000 bytes") }
            found.append(.webhook(url: webhook.url))
        }
        if let message = action.message {
            found.append(
                .message(
                    JourneyMessage(
                        templateId: message.template,
                        cap: try message.cap.map { try Self.cap($0, path + ".message.cap") },
                        deferWhenCapped: message.whenCapped == ._defer
                    )
                )
            )
        }
        guard found.count == 1 else {
            throw Problem(
                field: path,
                message: "an action is exactly one of addTag, removeTag, addToSegment, task, webhook and message",
                refusesSave: false
            )
        }
        return found[0]
    }

    /// A frequency cap: at least one of perDay (1 to 100) and perWeek (1 to 700).
    static func cap(_ cap: Components.Schemas.FrequencyCapSetting, _ field: String) throws -> FrequencyCap {
        guard cap.perDay != nil || cap.perWeek != nil else { throw Problem(field: field, message: "a cap has perDay, perWeek or both") }
        guard cap.perDay.map { (1...100).contains($0) } ?? true, cap.perWeek.map { (1...700).contains($0) } ?? true else {
            throw Problem(field: field, message: "perDay is 1 to 100 and perWeek 1 to 700")
        }
        return FrequencyCap(perDay: cap.perDay, perWeek: cap.perWeek)
    }

    /// A tag as people's tags take it: 1 to 64 characters without leading or trailing spaces.
    static func tag(_ tag: String, _ field: String) throws -> String {
        guard !tag.isEmpty, tag.unicodeScalars.count <= 64, tag.trimmingCharacters(in: .whitespaces) == tag,
            !tag.unicodeScalars.contains(where: { $0.value < 0x20 })
        else {
            throw Problem(field: field, message: "a tag is 1 to 64 characters without leading or trailing spaces")
        }
        return tag
    }
}
