/// Moves one person through a journey from where they are as far as they can go now: through
/// conditions, splits and actions, until a delay, a wait, a rate limit or the exit holds them.
///
/// Pure: what the person is like (traits, rules they match) and whether a rate limit lets them
/// through come from the caller; what to do (actions) and where the person ends up are the answer.
/// The scheduler stores the answer and the actions' outbox rows in one transaction.
public struct JourneyWalker: Sendable {
    public let journey: Journey

    public init(_ journey: Journey) { self.journey = journey }

    /// The most nodes one walk passes; ``Journey/problems()`` refuses loops that never wait, so a
    /// walk this long means a definition that slipped past it.
    public static let maximumSteps = 500

    /// Where a person is: at `node`, either arriving (the node has not run yet) or waiting in it.
    public struct Position: Sendable, Equatable {
        public var node: String
        public var waiting: Bool

        public init(node: String, waiting: Bool) {
            self.node = node
            self.waiting = waiting
        }
    }

    /// Why a waiting person is looked at again.
    public enum Wake: Sendable, Equatable {
        /// Their time came: a delay ended, a wait timed out, a rate limit's period turned.
        case due
        /// What a wait-for node waits for happened.
        case matched
    }

    /// The person as the walk sees them.
    public struct Person: Sendable {
        public var id: Int64
        public var traits: JSONObject
        /// The workspace's calendar, and the person's own (their `timezone` trait) for nodes that ask for it.
        public var workspaceCalendar: LocalCalendar
        public var personCalendar: LocalCalendar
        /// Whether the person matches a rule now (condition nodes).
        public var matches: @Sendable (PersonRule) -> Bool

        public init(
            id: Int64,
            traits: JSONObject,
            workspaceCalendar: LocalCalendar,
            personCalendar: LocalCalendar? = nil,
            matches: @escaping @Sendable (PersonRule) -> Bool
        ) {
            self.id = id
            self.traits = traits
            self.workspaceCalendar = workspaceCalendar
            self.personCalendar = personCalendar ?? workspaceCalendar
            self.matches = matches
        }

        func calendar(_ zone: JourneyZone) -> LocalCalendar { zone == .person ? personCalendar : workspaceCalendar }
    }

    /// What happened at one node on the walk (the per-node counts are made of these).
    public enum Outcome: String, Sendable, Equatable, CaseIterable {
        /// The person arrived and is held there (delay, wait, rate limit).
        case waiting
        /// The person went through.
        case passed
        /// A wait ended by its timeout.
        case timedOut
        /// A delay whose date is missing or past, skipped.
        case skipped
        /// Held by a rate limit until its next period.
        case limited
        /// Left the journey here.
        case exited
    }

    /// Where the walk left the person.
    public enum End: Sendable, Equatable {
        /// Waiting in `node` until `until` (a delay's end, a rate limit's next period).
        case waitUntil(node: String, until: Int64)
        /// Waiting in `node` for `what`, at most until `until`.
        case waitFor(node: String, what: JourneyWait, until: Int64)
        /// Out of the journey (an exit node, or an action with nowhere to go).
        case exited(node: String)
    }

    /// What one walk did.
    public struct Walk: Sendable, Equatable {
        /// Actions to take, in order, with the node that asked.
        public var actions: [Act] = []
        /// Each node passed and what happened there.
        public var steps: [Step] = []
        public var end: End
    }

    public struct Act: Sendable, Equatable {
        public var node: String
        public var action: JourneyAction
    }

    public struct Step: Sendable, Equatable {
        public var node: String
        public var outcome: Outcome

        public init(_ node: String, _ outcome: Outcome) {
            self.node = node
            self.outcome = outcome
        }
    }

    /// Walks from `position`. `gate` answers a rate limit node: nil lets the person through (and
    /// counts them), an instant holds them until then.
    public func walk(
        from position: Position,
        wake: Wake = .due,
        person: Person,
        now: Int64,
        gate: (_ node: String, _ count: Int, _ periodMillis: Int64) -> Int64? = { _, _, _ in nil }
    ) -> Walk {
        var walk = Walk(end: .exited(node: position.node))
        var current = position.node
        var waiting = position.waiting
        for _ in 0..<Self.maximumSteps {
            guard let node = journey.nodes[current] else {
                walk.end = .exited(node: current)
                return walk
            }
            var next: String?
            switch node.kind {
            case .delay(let delay, let after):
                if waiting {
                    walk.steps.append(Step(current, .passed))
                    next = after
                } else if let end = JourneyTime.end(of: delay, now: now, calendar: person.calendar(delay.zone), traits: person.traits) {
                    walk.steps.append(Step(current, .waiting))
                    walk.end = .waitUntil(node: current, until: end)
                    return walk
                } else {
                    walk.steps.append(Step(current, .skipped))
                    next = after
                }
            case .waitFor(let what, let timeout, let matched, let timedOut):
                if waiting {
                    walk.steps.append(Step(current, wake == .matched ? .passed : .timedOut))
                    next = wake == .matched ? matched : timedOut
                } else {
                    walk.steps.append(Step(current, .waiting))
                    walk.end = .waitFor(node: current, what: what, until: now + timeout)
                    return walk
                }
            case .condition(let rule, let yes, let no):
                walk.steps.append(Step(current, .passed))
                next = person.matches(rule) ? yes : no
            case .randomSplit(let branches):
                walk.steps.append(Step(current, .passed))
                next = JourneyBucket.branch(branches, journey: journey.id, node: current, person: person.id)?.next
            case .rateLimit(let count, let period, let after):
                if let retry = gate(current, count, period) {
                    walk.steps.append(Step(current, .limited))
                    walk.end = .waitUntil(node: current, until: retry)
                    return walk
                }
                walk.steps.append(Step(current, .passed))
                next = after
            case .action(let action, let after):
                walk.actions.append(Act(node: current, action: action))
                walk.steps.append(Step(current, .passed))
                next = after
            case .exit:
                walk.steps.append(Step(current, .exited))
                walk.end = .exited(node: current)
                return walk
            }
            guard let next else {
                walk.end = .exited(node: current)
                return walk
            }
            current = next
            waiting = false
        }
        walk.end = .exited(node: current)
        return walk
    }
}

extension JourneyDelay {
    /// Whose clock the delay is read on.
    var zone: JourneyZone {
        switch self {
        case .fixed: .workspace
        case .untilTime(_, _, let zone), .untilTraitDate(_, _, _, let zone): zone
        }
    }
}
