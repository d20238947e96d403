/// What the store knows, before a batch, about the identities and people the batch mentions.
public struct IdentitySnapshot: Sendable {
    /// Message ids of the batch that are already stored.
    public var existingMessageIds: Set<String>
    /// Known identities and the person each points to (the person it was first attached to).
    public var identities: [IdentityKey: Int64]
    /// For each person named in `identities`, the person its group is merged into (itself if none).
    public var canonical: [Int64: Int64]
    /// The canonical people: who already has a user id.
    public var people: [Int64: PersonSummary]
    /// The id the next new person gets.
    public var nextPersonId: Int64
    /// Message ids of the batch that belonged to an erased person (replays are answered, not stored).
    public var suppressedMessageIds: Set<String> = []
    /// Identities of the batch that belonged to an erased person: events carrying one are not stored.
    public var suppressedIdentities: Set<IdentityKey> = []

    public init(
        existingMessageIds: Set<String> = [],
        identities: [IdentityKey: Int64] = [:],
        canonical: [Int64: Int64] = [:],
        people: [Int64: PersonSummary] = [:],
        nextPersonId: Int64 = 1
    ) {
        self.existingMessageIds = existingMessageIds
        self.identities = identities
        self.canonical = canonical
        self.people = people
        self.nextPersonId = nextPersonId
    }
}

/// The little the resolver must know about a person: whether they are identified.
public struct PersonSummary: Sendable, Equatable {
    public var id: Int64
    /// The person's (first) user id; `nil` while anonymous.
    public var userId: String?
    /// Server time the person was created.
    public var createdAt: Int64

    public init(id: Int64, userId: String? = nil, createdAt: Int64 = 0) {
        self.id = id
        self.userId = userId
        self.createdAt = createdAt
    }

    public var isIdentified: Bool { userId != nil }
}

/// A merge of two people into one, logged so that it can be undone.
public struct MergeRecord: Sendable, Equatable, Codable {
    public var survivor: Int64
    public var loser: Int64
    /// Server time of the merge.
    public var at: Int64
    public var messageId: String
    /// `identify`, `alias` or `event`: the kind of call that revealed the link.
    public var reason: String
    /// The identity through which the loser was found.
    public var identity: IdentityKey

    public init(survivor: Int64, loser: Int64, at: Int64, messageId: String, reason: String, identity: IdentityKey) {
        self.survivor = survivor
        self.loser = loser
        self.at = at
        self.messageId = messageId
        self.reason = reason
        self.identity = identity
    }
}

/// A merge Siyu refused because both people already had different user ids.
public struct MergeConflict: Sendable, Equatable, Codable {
    /// The person the event was attributed to.
    public var keptPerson: Int64
    /// The other identified person the event also pointed at.
    public var otherPerson: Int64
    /// The identity of `otherPerson` (or the new user id) that the event carried.
    public var identity: IdentityKey
    public var messageId: String
    public var at: Int64

    public init(keptPerson: Int64, otherPerson: Int64, identity: IdentityKey, messageId: String, at: Int64) {
        self.keptPerson = keptPerson
        self.otherPerson = otherPerson
        self.identity = identity
        self.messageId = messageId
        self.at = at
    }
}

/// One event of a batch the plan stores.
public struct PlannedEvent: Sendable, Equatable {
    /// Index of the event in the batch given to ``IdentityResolver/plan(_:snapshot:)``.
    public var index: Int
    public var personId: Int64
    /// The event's flags, with `mergeRefused` when resolution refused a merge.
    public var flags: EventFlags

    public init(index: Int, personId: Int64, flags: EventFlags) {
        self.index = index
        self.personId = personId
        self.flags = flags
    }
}

/// Everything a store writes for one batch, decided before any write happens.
public struct IngestPlan: Sendable {
    public enum Outcome: Sendable, Equatable {
        case stored
        case duplicate
        /// The event belongs to an erased person (its message id or an identity is on the
        /// suppression list): answered, not stored.
        case suppressed
    }

    /// One outcome per input event, in order.
    public var outcomes: [Outcome] = []
    /// Events to append (by their index in the planned batch), each with the person its strongest
    /// identity points to and the flags resolution added.
    public var events: [PlannedEvent] = []
    /// People created by this batch, in creation order (with an empty profile: the deltas fill it).
    public var newPersons: [PersonSummary] = []
    /// Identities to attach.
    public var newIdentities: [(key: IdentityKey, personId: Int64)] = []
    /// Merges, to be applied in order.
    public var merges: [MergeRecord] = []
    public var conflicts: [MergeConflict] = []
    /// What the events add to each person's profile, keyed by the person they belong to after
    /// every merge of the batch; applied after the merges.
    public var deltas: [ProfileDelta] = []

    public init() {}

    /// Whether the plan changes people beyond their counters: new people or identities, merges,
    /// refused merges or traits (analytics caches reload people then).
    public var changesPeople: Bool {
        !newPersons.isEmpty || !newIdentities.isEmpty || !merges.isEmpty || !conflicts.isEmpty || deltas.contains(where: \.hasTraits)
    }

    /// The profiles after applying the plan to `profiles`, exactly as a store must: create new
    /// people, merge in order, then add the deltas. The stores' SQL follows this reference.
    public func applied(to profiles: [Int64: PersonProfile]) -> [Int64: PersonProfile] {
        var result = profiles
        for person in newPersons { result[person.id] = PersonProfile(id: person.id, createdAt: person.createdAt) }
        for merge in merges {
            guard let survivor = result[merge.survivor], let loser = result[merge.loser] else { continue }
            result[merge.survivor] = survivor.merged(with: loser, keepingId: merge.survivor)
        }
        for delta in deltas { result[delta.personId]?.apply(delta) }
        return result
    }
}

/// Decides, for a batch of events, who each event belongs to: which people are new, which
/// identities attach to whom, which people turn out to be one, and which merges must be refused.
///
/// Pure: it reads an ``IdentitySnapshot`` and returns an ``IngestPlan``; the store applies the plan
/// in one transaction. Rules:
/// - an event whose identities are all unknown creates a person;
/// - unknown identities attach to the person of the strongest known identity;
/// - known identities of different people merge those people, unless both already have user ids
///   (then the event stays with the user id's person and a ``MergeConflict`` is recorded) — an
///   explicit `alias` call merges regardless;
/// - a new user id arriving with identities of a person who already has another user id starts a
///   new person instead of joining them (a shared device), again recording a conflict;
/// - the survivor of a merge is the identified person, otherwise the older one.
public struct IdentityResolver {
    private var snapshot: IdentitySnapshot
    private var redirect: [Int64: Int64] = [:]
    private var plan = IngestPlan()
    private var seenMessageIds: Set<String> = []
    private var deltas: [Int64: ProfileDelta] = [:]
    private var deltaOrder: [Int64] = []

    private init(snapshot: IdentitySnapshot) {
        self.snapshot = snapshot
    }

    /// Plans a batch. Events are taken in the order given.
    public static func plan(_ events: [PreparedEvent], snapshot: IdentitySnapshot) -> IngestPlan {
        var resolver = IdentityResolver(snapshot: snapshot)
        for index in events.indices { resolver.add(events[index], index: index) }
        return resolver.finish()
    }

    private mutating func add(_ event: PreparedEvent, index: Int) {
        let messageId = event.message.messageId
        if snapshot.existingMessageIds.contains(messageId) || !seenMessageIds.insert(messageId).inserted {
            plan.outcomes.append(.duplicate)
            return
        }
        if snapshot.suppressedMessageIds.contains(messageId) || Self.lookupKeys(event).contains(where: snapshot.suppressedIdentities.contains) {
            plan.outcomes.append(.suppressed)
            return
        }
        var flags = event.message.flags
        let person = resolve(event, flags: &flags)
        let group = canonical(person)
        if deltas[group] == nil {
            deltas[group] = ProfileDelta(personId: group)
            deltaOrder.append(group)
        }
        deltas[group]?.add(event)
        if snapshot.people[group]?.userId == nil, let user = event.message.userId { snapshot.people[group]?.userId = user }
        plan.events.append(PlannedEvent(index: index, personId: person, flags: flags))
        plan.outcomes.append(.stored)
    }

    /// The identities to look up for an event: its own, and for an alias both readings of `previousId`.
    public static func lookupKeys(_ event: PreparedEvent) -> [IdentityKey] {
        guard event.message.type == .alias, let previous = event.message.previousId else { return event.identities }
        return event.identities + [IdentityKey(IdentityKey.userId, previous), IdentityKey(IdentityKey.anonymousId, previous)]
    }

    /// Finds or creates the person of an event and records merges, attachments and conflicts.
    private mutating func resolve(_ event: PreparedEvent, flags: inout EventFlags) -> Int64 {
        let message = event.message
        let isAlias = message.type == .alias
        var keys = event.identities
        if isAlias, let previous = message.previousId {
            let asUser = IdentityKey(IdentityKey.userId, previous)
            let asAnonymous = IdentityKey(IdentityKey.anonymousId, previous)
            let key = snapshot.identities[asUser] != nil ? asUser : (snapshot.identities[asAnonymous] != nil ? asAnonymous : asUser)
            if !keys.contains(key) { keys.append(key) }
        }
        // One lookup per identity, in the events' order (a plain loop: cheaper in debug builds).
        var known: [(key: IdentityKey, origin: Int64)] = []
        var unknown: [IdentityKey] = []
        var position = 0
        while position < keys.count {
            let key = keys[position]
            if let origin = snapshot.identities[key] { known.append((key, origin)) } else { unknown.append(key) }
            position += 1
        }

        guard let strongest = known.first else {
            let person = newPerson(at: message.receivedAt)
            for key in unknown { attach(key, to: person) }
            return person
        }

        var target = canonical(strongest.origin)
        var excluded: Set<Int64> = []
        for entry in known.dropFirst() {
            let group = canonical(entry.origin)
            if group == target || excluded.contains(group) { continue }
            let bothIdentified = profile(target).isIdentified && profile(group).isIdentified
            if bothIdentified && !isAlias {
                plan.conflicts.append(
                    MergeConflict(keptPerson: target, otherPerson: group, identity: entry.key, messageId: message.messageId, at: message.receivedAt)
                )
                flags.insert(.mergeRefused)
                excluded.insert(group)
                continue
            }
            target = merge(target, group, message: message, identity: entry.key)
        }

        let anchor = known.first { canonical($0.origin) == target }?.origin ?? target
        if !isAlias, let newUser = unknown.first(where: { $0.kind == IdentityKey.userId }),
            let existingUser = profile(target).userId, existingUser != newUser.value
        {
            // Someone else's device or account: the new user id is a different person.
            let person = newPerson(at: message.receivedAt)
            for key in unknown { attach(key, to: person) }
            plan.conflicts.append(
                MergeConflict(keptPerson: person, otherPerson: target, identity: strongest.key, messageId: message.messageId, at: message.receivedAt)
            )
            flags.insert(.mergeRefused)
            return person
        }
        for key in unknown { attach(key, to: anchor) }
        if let userKey = keys.first(where: { $0.kind == IdentityKey.userId }), let origin = snapshot.identities[userKey],
            canonical(origin) == target
        {
            return origin
        }
        return anchor
    }

    /// Merges two groups and returns the survivor.
    private mutating func merge(_ a: Int64, _ b: Int64, message: Message, identity: IdentityKey) -> Int64 {
        let pa = profile(a)
        let pb = profile(b)
        let survivor: Int64
        if pa.isIdentified != pb.isIdentified {
            survivor = pa.isIdentified ? a : b
        } else {
            survivor = min(a, b)
        }
        let loser = survivor == a ? b : a
        let userId = profile(survivor).userId ?? profile(loser).userId
        snapshot.people[survivor]?.userId = userId
        redirect[loser] = survivor
        let reason = message.type == .alias ? "alias" : (message.type == .identify ? "identify" : "event")
        plan.merges.append(
            MergeRecord(survivor: survivor, loser: loser, at: message.receivedAt, messageId: message.messageId, reason: reason, identity: identity)
        )
        return survivor
    }

    private mutating func newPerson(at time: Int64) -> Int64 {
        let id = snapshot.nextPersonId
        snapshot.nextPersonId += 1
        snapshot.canonical[id] = id
        let summary = PersonSummary(id: id, createdAt: time)
        snapshot.people[id] = summary
        plan.newPersons.append(summary)
        return id
    }

    private mutating func attach(_ key: IdentityKey, to person: Int64) {
        snapshot.identities[key] = person
        plan.newIdentities.append((key, person))
    }

    private func canonical(_ person: Int64) -> Int64 {
        var current = snapshot.canonical[person] ?? person
        while let next = redirect[current] { current = next }
        return current
    }

    private func profile(_ group: Int64) -> PersonSummary {
        snapshot.people[group] ?? PersonSummary(id: group)
    }

    /// Redirects every delta to the person it belongs to after all merges, combining deltas of
    /// people that became one.
    private mutating func finish() -> IngestPlan {
        var combined: [Int64: ProfileDelta] = [:]
        var order: [Int64] = []
        for person in deltaOrder {
            guard var delta = deltas[person] else { continue }
            let target = canonical(person)
            delta.personId = target
            if combined[target] == nil {
                combined[target] = delta
                order.append(target)
            } else {
                combined[target]?.add(delta)
            }
        }
        plan.deltas = order.compactMap { combined[$0] }
        return plan
    }
}
