/// A journey as the engine runs it: how people enter, the nodes they go through, the goal it is
/// measured by and the share held out. One published version of a journey's definition; a person
/// keeps the version they entered with.
///
/// The stored form is the admin API's JSON (the contract's `JourneyDefinition`); the server reads it
/// into this type, checking every reference and limit (``problems()``), so the engine never meets a
/// node that does not exist.
public struct Journey: Sendable, Equatable {
    public var id: Int64
    public var version: Int
    public var entry: JourneyEntry
    /// Whether a person who has left (exited or finished) may enter again; never while still inside.
    public var reEntry: Bool
    /// The node a person starts at.
    public var start: String
    public var nodes: [String: JourneyNode]
    public var goal: JourneyGoal?
    /// Share of entrants held out of every action (0 to 0.5), chosen by person, the same on every version.
    public var holdout: Double

    public init(
        id: Int64,
        version: Int,
        entry: JourneyEntry,
        reEntry: Bool = false,
        start: String,
        nodes: [JourneyNode],
        goal: JourneyGoal? = nil,
        holdout: Double = 0
    ) {
        self.id = id
        self.version = version
        self.entry = entry
        self.reEntry = reEntry
        self.start = start
        self.nodes = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.goal = goal
        self.holdout = holdout
    }

    /// The most nodes a journey may have.
    public static let maximumNodes = 100
}

/// How people enter a journey.
public enum JourneyEntry: Sendable, Equatable {
    /// When a person joins the segment (its refresh adds them).
    case segment(id: Int64)
    /// When a label of `scheme` (`rfm8`, `tier.colours`, `value.churn` …) becomes one of `values`.
    case label(scheme: String, values: [String])
    /// On each matching event: one instance per `key` (the event's `messageId`, or a property such
    /// as `order_id`), so a repeated event never starts a second instance.
    case event(EventMatcher, key: EntryKey)

    public enum EntryKey: Sendable, Equatable {
        case messageId
        case property(String)
    }
}

/// What the journey is for: a conversion event within some days of entry, compared with the holdout.
public struct JourneyGoal: Sendable, Equatable {
    public var event: EventMatcher
    public var withinDays: Int

    public init(event: EventMatcher, withinDays: Int) {
        self.event = event
        self.withinDays = withinDays
    }
}

/// One step of a journey.
public struct JourneyNode: Sendable, Equatable {
    public var id: String
    public var kind: Kind

    public init(_ id: String, _ kind: Kind) {
        self.id = id
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// Wait, then go on.
        case delay(JourneyDelay, next: String)
        /// Wait for something to happen (`next`), at most `timeoutMillis` (then `timeoutNext`).
        case waitFor(JourneyWait, timeoutMillis: Int64, next: String, timeoutNext: String)
        /// `yes` when the person matches the rule now, else `no`.
        case condition(PersonRule, yes: String, no: String)
        /// One branch by weight, the same branch for a person every time.
        case randomSplit([Branch])
        /// At most `count` people per `periodMillis` pass; the others wait for the next period.
        case rateLimit(count: Int, periodMillis: Int64, next: String)
        /// Do something, then go on (`next` nil: leave after it).
        case action(JourneyAction, next: String?)
        /// Leave the journey.
        case exit
    }

    public struct Branch: Sendable, Equatable {
        public var weight: Int
        public var next: String

        public init(weight: Int, next: String) {
            self.weight = weight
            self.next = next
        }
    }

    /// The nodes this one leads to.
    public var successors: [String] {
        switch kind {
        case .delay(_, let next), .rateLimit(_, _, let next): [next]
        case .waitFor(_, _, let next, let timeoutNext): [next, timeoutNext]
        case .condition(_, let yes, let no): [yes, no]
        case .randomSplit(let branches): branches.map(\.next)
        case .action(_, let next): next.map { [$0] } ?? []
        case .exit: []
        }
    }
}

/// How long a delay node holds a person.
public enum JourneyDelay: Sendable, Equatable {
    /// A fixed time.
    case fixed(millis: Int64)
    /// Until the next local time of day (minutes after midnight), on one of `weekdays` (1 = Monday
    /// … 7 = Sunday; empty: any day), in the workspace's or the person's time zone.
    case untilTime(minuteOfDay: Int, weekdays: Set<Int>, zone: JourneyZone)
    /// Until the date in a trait (`birthday`: `1990-05-17` or `05-17`) at a local time of day; with
    /// `yearly`, the next anniversary.
    case untilTraitDate(trait: String, minuteOfDay: Int, yearly: Bool, zone: JourneyZone)
}

/// Whose clock a time of day is read on.
public enum JourneyZone: String, Sendable, Equatable, CaseIterable {
    case workspace
    /// The person's `timezone` trait (IANA name), the workspace's when they have none.
    case person
}

/// What a wait-for node waits for.
public enum JourneyWait: Sendable, Equatable {
    case event(EventMatcher)
    case segment(id: Int64)
    case label(scheme: String, values: [String])
}

/// What an action node does. Messages and webhooks go through the outbox, exactly once per
/// (journey, version, person, node, entry).
public enum JourneyAction: Sendable, Equatable {
    /// Send a message from a template (its channel is the template's), capped for this journey as
    /// well as workspace-wide.
    case message(JourneyMessage)
    case addTag(String)
    case removeTag(String)
    case addToSegment(id: Int64)
    case staffTask(title: String, assignee: String?, dueMinutes: Int)
    case webhook(url: String)

    /// Whether the action reaches the customer (held out people skip these).
    public var reachesCustomer: Bool {
        switch self {
        case .message, .staffTask, .webhook: true
        case .addTag, .removeTag, .addToSegment: false
        }
    }
}

/// A message action: which template, and this journey's own cap on top of the workspace's.
public struct JourneyMessage: Sendable, Equatable {
    public var templateId: Int64
    public var cap: FrequencyCap?
    /// When a cap stops the message: wait until it allows (true) or skip it, counted (false).
    public var deferWhenCapped: Bool

    public init(templateId: Int64, cap: FrequencyCap? = nil, deferWhenCapped: Bool = false) {
        self.templateId = templateId
        self.cap = cap
        self.deferWhenCapped = deferWhenCapped
    }
}

/// How a message reaches a person.
public enum MessageChannel: String, Sendable, Equatable, CaseIterable, Codable {
    case email, sms, webhook, wecomRobot, staffTask
}

extension EventMatcher {
    /// Whether one event matches: its name (nil matches any) and every property condition.
    public func matches(name: String?, properties: JSONObject) -> Bool {
        if let event, event != name { return false }
        return self.properties.allSatisfy { $0.matches(properties[$0.key]) }
    }
}
