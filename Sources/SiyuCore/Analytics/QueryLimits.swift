/// The ranges that every number and name of an analytics query or a person rule must fall in.
///
/// Queries and rules come from outside (the admin API, the console, saved segments and settings),
/// so each value is checked against these ranges where it is read, before any arithmetic; the
/// kernels also saturate, so a value that slipped through cannot stop the process. The
/// "Input limits" table of docs/operations.md lists them.
public enum QueryLimits {
    /// Days of a rule's window (`withinDays`) and of `lastSeenDaysAgo` / `firstSeenDaysAgo`: up to 100 years.
    public static let ruleDays: ClosedRange<Int> = 0...36_600
    /// Counts compared in a rule (`count`, `orders`).
    public static let ruleCount: ClosedRange<Int> = 0...1_000_000_000
    /// How deeply `all` / `any` / `not` may nest.
    public static let maximumRuleDepth = 10
    /// Conditions in one rule, counted over the whole tree.
    public static let maximumRuleConditions = 200
    /// Values in one `in` / `notIn` list.
    public static let maximumListValues = 1_000
    /// Bytes of a property, trait, label or attribute key: 1 to 200, no control characters.
    public static let maximumKeyBytes = 200
    /// Bytes of a text value compared in a condition, of a tag or an event name.
    public static let maximumTextBytes = 1_000
    /// A duration given in a query (a funnel's or a step's conversion window): 1 minute to 90 days.
    public static let durationMillis: ClosedRange<Int64> = 60_000...(90 * 86_400_000)
    /// Most cells one answer may hold (periods × cohorts × breakdown values, or rows of a table):
    /// larger answers are refused with `too_large` instead of filling the server's memory.
    public static let maximumAnswerCells = 250_000
    /// Most breakdown values an answer shows; the rest are summed as "other" where a kernel groups.
    public static let maximumBreakdownValues = 100

    /// Whether `key` may name a property, trait, label or attribute: 1 to ``maximumKeyBytes``
    /// bytes without control characters (NUL among them).
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = key.utf8.count
        return bytes >= 1 && bytes <= maximumKeyBytes && !key.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// Whether `text` may be compared in a condition: at most ``maximumTextBytes`` bytes, no NUL.
    public static func isValidText(_ text: String) -> Bool {
        text.utf8.count <= maximumTextBytes && !text.utf8.contains(0)
    }
}

extension PersonRule {
    /// What is wrong with the rule against ``QueryLimits``, each with the path of the part at fault
    /// (relative to the rule); empty when it may be evaluated.
    public func problems() -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        var conditions = 0
        check(path: "", depth: 0, conditions: &conditions, problems: &problems)
        if conditions > QueryLimits.maximumRuleConditions {
            problems.append(("", "a rule may hold at most \(QueryLimits.maximumRuleConditions) conditions; this one has \(conditions)"))
        }
        return problems
    }

    private func check(path: String, depth: Int, conditions: inout Int, problems: inout [(String, String)]) {
        func days(_ value: Int, _ field: String) {
            if !QueryLimits.ruleDays.contains(value) {
                problems.append((path + field, "days must be \(QueryLimits.ruleDays.lowerBound) to \(QueryLimits.ruleDays.upperBound)"))
            }
        }
        func window(_ window: RuleWindow) {
            if case .lastDays(let value) = window {
                if value < 1 || value > QueryLimits.ruleDays.upperBound {
                    problems.append((path + ".withinDays", "withinDays must be 1 to \(QueryLimits.ruleDays.upperBound)"))
                }
            }
        }
        func count(_ value: Int, _ field: String) {
            if !QueryLimits.ruleCount.contains(value) {
                problems.append((path + field, "a count must be 0 to \(QueryLimits.ruleCount.upperBound)"))
            }
        }
        func key(_ key: String, _ field: String) {
            if !QueryLimits.isValidKey(key) {
                problems.append((path + field, "a key is 1 to \(QueryLimits.maximumKeyBytes) bytes without control characters"))
            }
        }
        func values(_ list: [String], _ field: String) {
            if list.count > QueryLimits.maximumListValues {
                problems.append((path + field, "a list holds at most \(QueryLimits.maximumListValues) values"))
            }
            if !list.allSatisfy(QueryLimits.isValidText) {
                problems.append((path + field, "a value is at most \(QueryLimits.maximumTextBytes) bytes without NUL characters"))
            }
        }
        if depth > QueryLimits.maximumRuleDepth {
            problems.append((path, "rules may nest at most \(QueryLimits.maximumRuleDepth) levels deep"))
            return
        }
        switch self {
        case .all(let rules), .any(let rules):
            let name = { if case .all = self { return "all" } else { return "any" } }()
            for (index, rule) in rules.enumerated() {
                rule.check(path: "\(path).\(name)[\(index)]", depth: depth + 1, conditions: &conditions, problems: &problems)
            }
            return
        case .not(let rule):
            rule.check(path: path + ".not", depth: depth + 1, conditions: &conditions, problems: &problems)
            return
        case .trait(let condition):
            problems += condition.problems().map { (path + $0.path, $0.message) }
        case .tag(let tag):
            if !QueryLimits.isValidText(tag) || tag.isEmpty {
                problems.append((path + ".tag", "a tag is 1 to \(QueryLimits.maximumTextBytes) bytes"))
            }
        case .identity(let kind): key(kind, ".identity")
        case .firstChannel(_, let keys): values(keys, ".firstChannel.value")
        case .lastChannel(_, let keys): values(keys, ".lastChannel.value")
        case .eventCount(let matcher, _, let value, let within):
            count(value, ".count.value")
            window(within)
            problems += matcher.problems().map { (path + $0.path, $0.message) }
        case .orderCount(_, let value, let within):
            count(value, ".orders.value")
            window(within)
        case .revenue(_, let amount, let within):
            if !Money.isEventAmount(amount) {
                problems.append((path + ".revenue.value", "an amount may be at most \(Money.maximumEventMinorUnits) minor units"))
            }
            window(within)
        case .lastSeenDaysAgo(_, let value): days(value, ".lastSeenDaysAgo.value")
        case .firstSeenDaysAgo(_, let value): days(value, ".firstSeenDaysAgo.value")
        case .attribute(let name, _, let value):
            key(name, ".attribute")
            if !value.isFinite { problems.append((path + ".value", "an attribute is compared with a finite number")) }
        case .label(let name, _, let list):
            key(name, ".label")
            values(list, ".value")
        }
        conditions += 1
    }
}

extension PropertyCondition {
    /// What is wrong with the condition against ``QueryLimits`` (paths relative to the condition).
    public func problems() -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        if !QueryLimits.isValidKey(key) {
            problems.append((".key", "a key is 1 to \(QueryLimits.maximumKeyBytes) bytes without control characters"))
        }
        let texts: [JSONValue] = value.arrayValue ?? [value]
        if texts.count > QueryLimits.maximumListValues {
            problems.append((".value", "a list holds at most \(QueryLimits.maximumListValues) values"))
        }
        if texts.contains(where: { $0.stringValue.map { !QueryLimits.isValidText($0) } ?? false }) {
            problems.append((".value", "a value is at most \(QueryLimits.maximumTextBytes) bytes without NUL characters"))
        }
        return problems
    }
}

extension EventMatcher {
    /// What is wrong with the matcher against ``QueryLimits`` (paths relative to the matcher).
    public func problems() -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        if let name = event, !QueryLimits.isValidText(name) {
            problems.append((".event", "an event name is at most \(QueryLimits.maximumTextBytes) bytes without NUL characters"))
        }
        if properties.count > QueryLimits.maximumRuleConditions {
            problems.append((".where", "at most \(QueryLimits.maximumRuleConditions) conditions"))
        }
        for (index, condition) in properties.enumerated() {
            problems += condition.problems().map { (".where[\(index)]" + $0.path, $0.message) }
        }
        return problems
    }
}
