import SiyuCore

/// Where a journey is in its life: edited as a draft, running, paused (nobody moves, nobody
/// enters; due work waits) or stopped (for good: nobody enters, those inside leave).
public enum JourneyStatus: String, Sendable, Codable, CaseIterable {
    case draft, active, paused, stopped
}

/// A saved journey: its name, its draft definition and the latest published version.
public struct JourneyRecord: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var name: String
    public var status: JourneyStatus
    /// The definition being edited, as the API received it (JSON text).
    public var draft: String
    /// The latest published version (0: never published); people enter this one.
    public var version: Int
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(
        id: Int64,
        workspaceId: Int64,
        name: String,
        status: JourneyStatus,
        draft: String,
        version: Int,
        createdAt: Int64,
        updatedAt: Int64
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.name = name
        self.status = status
        self.draft = draft
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The longest name and definition a journey may have.
    public static let maximumNameLength = 200
    public static let maximumDefinitionBytes = 256 * 1024
}

/// Where a person is in a journey.
public enum JourneyInstanceState: String, Sendable, Codable, CaseIterable {
    /// Between nodes: due now (just entered, or woken).
    case active
    /// Held in a node until `dueAt` or what it waits for.
    case waiting
    /// Out of the journey.
    case exited
    /// In the holdout: measured against the goal, never acted on.
    case heldOut
}

/// One person's pass through one version of a journey.
public struct JourneyInstance: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var journeyId: Int64
    public var version: Int
    public var personId: Int64
    /// What makes this entry unique in the journey (an order id, a person and entry time …).
    public var entryKey: String
    public var node: String
    public var state: JourneyInstanceState
    /// When the node holding the person lets go (a delay's end, a wait's timeout); nil: not waiting on time.
    public var dueAt: Int64?
    /// What a wait-for node waits for (``JourneyWaitKey``), nil otherwise.
    public var waitKey: String?
    /// Advances so far: an advance applies only to the step it was computed from.
    public var step: Int
    public var enteredAt: Int64
    public var updatedAt: Int64
    public var exitedAt: Int64?
    /// When the goal event came (within the goal's window), nil if not (yet).
    public var goalAt: Int64?
    /// The properties of the event that started the instance (JSON object text), for messages'
    /// `event.*` variables; nil for entry by segment or label.
    public var entryEvent: String?

    public init(
        id: Int64,
        workspaceId: Int64,
        journeyId: Int64,
        version: Int,
        personId: Int64,
        entryKey: String,
        node: String,
        state: JourneyInstanceState,
        dueAt: Int64?,
        waitKey: String?,
        step: Int,
        enteredAt: Int64,
        updatedAt: Int64,
        exitedAt: Int64?,
        goalAt: Int64?,
        entryEvent: String? = nil
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.journeyId = journeyId
        self.version = version
        self.personId = personId
        self.entryKey = entryKey
        self.node = node
        self.state = state
        self.dueAt = dueAt
        self.waitKey = waitKey
        self.step = step
        self.enteredAt = enteredAt
        self.updatedAt = updatedAt
        self.exitedAt = exitedAt
        self.goalAt = goalAt
        self.entryEvent = entryEvent
    }
}

/// A person entering a journey.
public struct JourneyEntrant: Sendable, Equatable {
    public var personId: Int64
    public var entryKey: String
    public var heldOut: Bool
    /// The entering event's properties as JSON object text (at most ``maximumEventBytes``; larger
    /// ones are not kept), nil when not entering by event.
    public var event: String?

    public init(personId: Int64, entryKey: String, heldOut: Bool, event: String? = nil) {
        self.personId = personId
        self.entryKey = entryKey
        self.heldOut = heldOut
        self.event = event.flatMap { $0.utf8.count <= Self.maximumEventBytes ? $0 : nil }
    }

    /// The most bytes of event properties an instance keeps for its messages.
    public static let maximumEventBytes = 16 * 1024
}

/// One walk's result, stored at once: the instance's new place, what happened at each node, and
/// the side effects as outbox rows.
public struct JourneyAdvance: Sendable, Equatable {
    public var instanceId: Int64
    /// The step the walk was computed from; if the instance has moved since, nothing is stored.
    public var fromStep: Int
    public var node: String
    public var state: JourneyInstanceState
    public var dueAt: Int64?
    public var waitKey: String?
    /// (node, outcome) of each node passed, counted per version.
    public var counts: [(node: String, outcome: String)]
    public var outbox: [OutboxDraft]
    public var now: Int64

    public init(
        instanceId: Int64,
        fromStep: Int,
        node: String,
        state: JourneyInstanceState,
        dueAt: Int64?,
        waitKey: String?,
        counts: [(node: String, outcome: String)],
        outbox: [OutboxDraft],
        now: Int64
    ) {
        self.instanceId = instanceId
        self.fromStep = fromStep
        self.node = node
        self.state = state
        self.dueAt = dueAt
        self.waitKey = waitKey
        self.counts = counts
        self.outbox = outbox
        self.now = now
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.instanceId == b.instanceId && a.fromStep == b.fromStep && a.node == b.node && a.state == b.state && a.dueAt == b.dueAt
            && a.waitKey == b.waitKey && a.counts.map(\.node) == b.counts.map(\.node) && a.counts.map(\.outcome) == b.counts.map(\.outcome)
            && a.outbox == b.outbox && a.now == b.now
    }
}

/// How many people had an outcome at a node of a version.
public struct JourneyNodeCount: Sendable, Equatable {
    public var version: Int
    public var node: String
    public var outcome: String
    public var count: Int

    public init(version: Int, node: String, outcome: String, count: Int) {
        self.version = version
        self.node = node
        self.outcome = outcome
        self.count = count
    }
}

/// Entrants and goal conversions of a journey, those who went through and the holdout apart.
public struct JourneyGoalCounts: Sendable, Equatable {
    public var treated: Int
    public var treatedConverted: Int
    public var heldOut: Int
    public var heldOutConverted: Int

    public init(treated: Int, treatedConverted: Int, heldOut: Int, heldOutConverted: Int) {
        self.treated = treated
        self.treatedConverted = treatedConverted
        self.heldOut = heldOut
        self.heldOutConverted = heldOutConverted
    }
}

/// A side effect waiting to happen: a message, a webhook call, a tag or trait change, a staff task.
public struct OutboxDraft: Sendable, Equatable {
    /// Unique in the workspace: the same effect is stored once however often it is asked for
    /// (journey, version, person, node, entry for journeys).
    public var key: String
    public var channel: String
    /// What to do, as JSON text (the channel's message).
    public var payload: String
    /// Not before this instant (quiet hours, caps).
    public var notBefore: Int64
    public var journeyId: Int64?
    public var personId: Int64?

    public init(key: String, channel: String, payload: String, notBefore: Int64, journeyId: Int64?, personId: Int64?) {
        self.key = key
        self.channel = channel
        self.payload = payload
        self.notBefore = notBefore
        self.journeyId = journeyId
        self.personId = personId
    }
}

public enum OutboxStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its time or its next attempt.
    case pending
    /// Claimed by a delivery worker until its lease ends (then it is pending again).
    case sending
    case delivered
    /// Not sent on purpose: the person unsubscribed, or a frequency cap skipped it.
    case skipped
    /// Failed for good (a permanent error, or out of attempts); an operator may retry it.
    case failed
}

/// A stored side effect and how its delivery went.
public struct OutboxMessage: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var key: String
    public var channel: String
    public var payload: String
    public var status: OutboxStatus
    public var attempts: Int
    /// When it is due (pending), or when its lease ends (sending).
    public var dueAt: Int64
    public var lastError: String?
    /// What the provider answered on delivery.
    public var response: String?
    public var journeyId: Int64?
    public var personId: Int64?
    public var createdAt: Int64
    public var deliveredAt: Int64?

    public init(
        id: Int64,
        workspaceId: Int64,
        key: String,
        channel: String,
        payload: String,
        status: OutboxStatus,
        attempts: Int,
        dueAt: Int64,
        lastError: String?,
        response: String?,
        journeyId: Int64?,
        personId: Int64?,
        createdAt: Int64,
        deliveredAt: Int64?
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.key = key
        self.channel = channel
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.dueAt = dueAt
        self.lastError = lastError
        self.response = response
        self.journeyId = journeyId
        self.personId = personId
        self.createdAt = createdAt
        self.deliveredAt = deliveredAt
    }
}

/// How one delivery attempt ended.
public enum OutboxResult: Sendable, Equatable {
    case delivered(response: String)
    /// Try again at `at`.
    case retry(at: Int64, error: String)
    case failed(error: String)
    /// Not sent, on purpose, for good (unsubscribed, capped and skipped); `count` names the
    /// journey node outcome to add one to, so that skips are counted with the journey.
    case skipped(reason: String, count: JourneyNodeOutcome?)
    /// Not yet: held until `until` (quiet hours, a cap that defers) without using up an attempt.
    case deferred(until: Int64, reason: String)
}

/// What finishing an attempt writes to its outbox row, stated once for both stores.
struct OutboxChange {
    var status: OutboxStatus
    var dueAt: Int64
    var error: String?
    var response: String?
    var deliveredAt: Int64?
    /// Attempts given back: a deferral is not an attempt.
    var refund: Int
    var count: JourneyNodeOutcome?

    init(_ result: OutboxResult, now: Int64) {
        (refund, count) = (0, nil)
        switch result {
        case .delivered(let response): (status, dueAt, error, self.response, deliveredAt) = (.delivered, now, nil, response, now)
        case .retry(let at, let error): (status, dueAt, self.error, response, deliveredAt) = (.pending, at, error, nil, nil)
        case .failed(let error): (status, dueAt, self.error, response, deliveredAt) = (.failed, now, error, nil, nil)
        case .skipped(let reason, let count):
            (status, dueAt, error, response, deliveredAt) = (.skipped, now, nil, reason, nil)
            self.count = count
        case .deferred(let until, let reason):
            (status, dueAt, error, response, deliveredAt) = (.pending, until, nil, reason, nil)
            refund = 1
        }
    }
}

/// One outcome at one node of one journey version, to count.
public struct JourneyNodeOutcome: Sendable, Equatable {
    public var journeyId: Int64
    public var version: Int
    public var node: String
    public var outcome: String

    public init(journeyId: Int64, version: Int, node: String, outcome: String) {
        self.journeyId = journeyId
        self.version = version
        self.node = node
        self.outcome = outcome
    }
}

/// The rules both stores follow for journeys, stated once.
public enum JourneyValidation {
    /// A name of 1 to 200 characters without control characters; a definition of at most 256 KiB.
    public static func check(name: String?, definition: String?) throws {
        if let name { try NameRule.check(name, what: "journey", maximum: JourneyRecord.maximumNameLength) }
        if let definition, definition.utf8.count > JourneyRecord.maximumDefinitionBytes {
            throw StoreError.invalid("a journey's definition is at most \(JourneyRecord.maximumDefinitionBytes / 1024) KiB")
        }
    }

    /// Whether a journey may go from one status to another: a draft is published (active), an active
    /// journey is paused and resumed, and either is stopped for good.
    public static func checkMove(from: JourneyStatus, to: JourneyStatus) throws {
        let allowed: Bool =
            switch (from, to) {
            case (.active, .paused), (.paused, .active), (.active, .stopped), (.paused, .stopped), (.draft, .stopped): true
            default: from == to
            }
        guard allowed else { throw StoreError.conflict("a \(from.rawValue) journey cannot become \(to.rawValue)") }
    }

    /// Publishing makes the draft the next version: never for a stopped journey.
    public static func checkPublish(_ journey: JourneyRecord) throws {
        guard journey.status != .stopped else { throw StoreError.conflict("a stopped journey cannot be published again; copy it instead") }
    }
}

/// Texts the outbox keeps from providers: at most 2 KiB, cut on a character boundary.
public enum OutboxText {
    public static let maximumBytes = 2048

    public static func bounded(_ text: String) -> String {
        guard text.utf8.count > maximumBytes else { return text }
        var cut = ""
        for character in text {
            if cut.utf8.count + character.utf8.count > maximumBytes - 3 { break }
            cut.append(character)
        }
        return cut + "…"
    }
}
