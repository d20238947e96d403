extension Journey {
    /// Limits a journey's numbers are held to where they enter.
    public enum Limits {
        /// A fixed delay: 1 second to 366 days; a wait's timeout: 1 minute to 366 days.
        public static let delayMillis: ClosedRange<Int64> = 1000...(366 * 86_400_000)
        public static let timeoutMillis: ClosedRange<Int64> = 60_000...(366 * 86_400_000)
        /// People per period through a rate limit node.
        public static let rateCount: ClosedRange<Int> = 1...1_000_000
        /// Branches of a random split and their weights.
        public static let branches: ClosedRange<Int> = 2...10
        public static let weight: ClosedRange<Int> = 0...10_000
        /// A goal's window in days.
        public static let goalDays: ClosedRange<Int> = 1...365
        /// A node id: 1 to 64 letters, digits, `-` and `_`.
        public static let maximumIdLength = 64
    }

    /// What is wrong with the journey, each with the path of the field at fault (`nodes[welcome].next`),
    /// empty when it can run: every node reached by a link exists, the start exists, numbers are in
    /// range, and no loop can go round without waiting (a walk would never end).
    public func problems() -> [(path: String, message: String)] {
        var problems: [(String, String)] = []
        if nodes.isEmpty { problems.append(("nodes", "a journey needs at least one node")) }
        if nodes.count > Self.maximumNodes { problems.append(("nodes", "a journey has at most \(Self.maximumNodes) nodes")) }
        if nodes[start] == nil { problems.append(("start", "the start node `\(start)` does not exist")) }
        if !(0...0.5).contains(holdout) { problems.append(("holdout", "holdout is a share from 0 to 0.5")) }
        if let goal, !Limits.goalDays.contains(goal.withinDays) {
            problems.append(("goal.withinDays", "withinDays must be \(Limits.goalDays.lowerBound) to \(Limits.goalDays.upperBound)"))
        }
        for id in nodes.keys.sorted() {
            guard let node = nodes[id] else { continue }
            let path = "nodes[\(id)]"
            if id.isEmpty || id.utf8.count > Limits.maximumIdLength
                || !id.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") })
            {
                problems.append((path, "a node id is 1 to \(Limits.maximumIdLength) letters, digits, - or _"))
            }
            for next in node.successors where nodes[next] == nil {
                problems.append((path, "links to `\(next)`, which does not exist"))
            }
            problems += node.problems().map { (path + $0.path, $0.message) }
        }
        if let loop = instantLoop() {
            problems.append(("nodes[\(loop)]", "a loop through `\(loop)` never waits; put a delay or a wait in it"))
        }
        return problems
    }

    /// A node on a loop of nodes that run at once (conditions, splits, actions), if there is one.
    func instantLoop() -> String? {
        func instant(_ id: String) -> [String] {
            guard let node = nodes[id] else { return [] }
            switch node.kind {
            case .condition, .randomSplit, .action: return node.successors
            case .delay, .waitFor, .rateLimit, .exit: return []
            }
        }
        var state: [String: Int] = [:]  // 1: on the path, 2: done
        func visit(_ id: String) -> String? {
            if state[id] == 1 { return id }
            if state[id] == 2 { return nil }
            state[id] = 1
            for next in instant(id) { if let found = visit(next) { return found } }
            state[id] = 2
            return nil
        }
        for id in nodes.keys.sorted() { if let found = visit(id) { return found } }
        return nil
    }
}

extension JourneyNode {
    /// Problems of the node's own numbers, with paths below the node.
    func problems() -> [(path: String, message: String)] {
        let limits = Journey.Limits.self
        switch kind {
        case .delay(.fixed(let millis), _) where !limits.delayMillis.contains(millis):
            return [(".delay", "a delay is 1 second to 366 days")]
        case .delay(let delay, _):
            switch delay {
            case .untilTime(let minute, let weekdays, _):
                if !(0..<1440).contains(minute) { return [(".time", "a time of day is 00:00 to 23:59")] }
                if !weekdays.allSatisfy((1...7).contains) { return [(".weekdays", "weekdays are 1 (Monday) to 7 (Sunday)")] }
            case .untilTraitDate(let trait, let minute, _, _):
                if !(0..<1440).contains(minute) { return [(".time", "a time of day is 00:00 to 23:59")] }
                if !QueryLimits.isValidKey(trait) { return [(".trait", "a trait key is 1 to 200 bytes without control characters")] }
            case .fixed: break
            }
            return []
        case .waitFor(_, let timeout, _, _) where !limits.timeoutMillis.contains(timeout):
            return [(".timeout", "a wait's timeout is 1 minute to 366 days")]
        case .rateLimit(let count, let period, _):
            if !limits.rateCount.contains(count) { return [(".count", "a rate limit lets 1 to 1,000,000 people through per period")] }
            if period != 60_000 && period != 3_600_000 { return [(".per", "a rate limit counts per minute or per hour")] }
            return []
        case .randomSplit(let branches):
            if !limits.branches.contains(branches.count) { return [(".branches", "a random split has 2 to 10 branches")] }
            if let bad = branches.firstIndex(where: { !limits.weight.contains($0.weight) }) {
                return [(".branches[\(bad)].weight", "a weight is 0 to 10,000")]
            }
            if branches.allSatisfy({ $0.weight == 0 }) { return [(".branches", "at least one branch needs a weight above 0")] }
            return []
        default:
            return []
        }
    }
}
