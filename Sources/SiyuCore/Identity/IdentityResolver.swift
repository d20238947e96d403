/// What the store knows, before a batch, about the identities and people the batch mentions.
public struct IdentitySnapshot: Sendable {
    /// Message ids of the batch that are already stored.
    public var existingMessageIds: Set<String>
    /// Known identities and the person each points to (the person it was first attached to).
    public var identities: [IdentityKey: Int64]
    /// For each person named in `identities`, the person its group is merged into (itself if none).
    public var canonical: [Int64: Int64]
    /// Profiles of the canonical people.
    public var profiles: [Int64: PersonProfile]
    /// The id the next new person gets.
    public var nextPersonId: Int64

    public init(
        existingMessageIds: Set<String> = [], identities: [IdentityKey: Int64] = [:], canonical: [Int64: Int64] = [:],
        profiles: [Int64: PersonProfile] = [:], nextPersonId: Int64 = 1
    ) {
        self.existingMessageIds = existingMessageIds
        self.identities = identities
        self.canonical = canonical
        self.profiles = profiles
        self.nextPersonId = nextPersonId
    }
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

/// Everything a store writes for one batch, decided before any write happens.
public struct IngestPlan: Sendable {
    public enum Outcome: Sendable, Equatable {
        case stored
        case duplicate
    }

    /// One outcome per input event, in order.
    public var outcomes: [Outcome] = []
    /// Events to append, each with the person its strongest identity points to.
    public var events: [(event: PreparedEvent, personId: Int64)] = []
    /// Ids of people created by this batch, in creation order.
    public var newPersons: [Int64] = []
    /// Identities to attach.
    public var newIdentities: [(key: IdentityKey, personId: Int64)] = []
    /// Merges, to be applied in order.
    public var merges: [MergeRecord] = []
    public var conflicts: [MergeConflict] = []
    /// Profiles to write: every new person's and every changed canonical person's.
    public var profiles: [PersonProfile] = []

    public init() {}
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
    private var newPersonIds: Set<Int64> = []
    private var touched: [Int64] = []
    private var touchedSet: Set<Int64> = []
    private var frozenLosers: [Int64: PersonProfile] = [:]

    private init(snapshot: IdentitySnapshot) {
        self.snapshot = snapshot
    }

    /// Plans a batch. Events are taken in the order given.
    public static func plan(_ events: [PreparedEvent], snapshot: IdentitySnapshot) -> IngestPlan {
        var resolver = IdentityResolver(snapshot: snapshot)
        for event in events { resolver.add(event) }
        return resolver.finish()
    }

    private mutating func add(_ input: PreparedEvent) {
        let messageId = input.message.messageId
        if snapshot.existingMessageIds.contains(messageId) || !seenMessageIds.insert(messageId).inserted {
            plan.outcomes.append(.duplicate)
            return
        }
        var event = input
        let person = resolve(&event)
        let group = canonical(person)
        snapshot.profiles[group]?.apply(event)
        touch(group)
        plan.events.append((event, person))
        plan.outcomes.append(.stored)
    }

    /// Finds or creates the person of an event and records merges, attachments and conflicts.
    private mutating func resolve(_ event: inout PreparedEvent) -> Int64 {
        let message = event.message
        let isAlias = message.type == .alias
        var keys = event.identities
        if isAlias, let previous = message.previousId {
            let asUser = IdentityKey(IdentityKey.userId, previous)
            let asAnonymous = IdentityKey(IdentityKey.anonymousId, previous)
            let key = snapshot.identities[asUser] != nil ? asUser : (snapshot.identities[asAnonymous] != nil ? asAnonymous : asUser)
            if !keys.contains(key) { keys.append(key) }
        }
        let known = keys.compactMap { key in snapshot.identities[key].map { (key: key, origin: $0) } }
        let unknown = keys.filter { snapshot.identities[$0] == nil }

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
                    MergeConflict(keptPerson: target, otherPerson: group, identity: entry.key, messageId: message.messageId, at: message.receivedAt))
                event.message.flags.insert(.mergeRefused)
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
                MergeConflict(keptPerson: person, otherPerson: target, identity: strongest.key, messageId: message.messageId, at: message.receivedAt))
            event.message.flags.insert(.mergeRefused)
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
        let merged = profile(survivor).merged(with: profile(loser), keepingId: survivor)
        if newPersonIds.contains(loser) { frozenLosers[loser] = profile(loser) }
        snapshot.profiles[survivor] = merged
        snapshot.profiles[loser] = nil
        redirect[loser] = survivor
        touch(survivor)
        let reason = message.type == .alias ? "alias" : (message.type == .identify ? "identify" : "event")
        plan.merges.append(MergeRecord(survivor: survivor, loser: loser, at: message.receivedAt, messageId: message.messageId, reason: reason, identity: identity))
        return survivor
    }

    private mutating func newPerson(at time: Int64) -> Int64 {
        let id = snapshot.nextPersonId
        snapshot.nextPersonId += 1
        snapshot.canonical[id] = id
        snapshot.profiles[id] = PersonProfile(id: id, createdAt: time)
        newPersonIds.insert(id)
        plan.newPersons.append(id)
        touch(id)
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

    private func profile(_ group: Int64) -> PersonProfile {
        snapshot.profiles[group] ?? PersonProfile(id: group, createdAt: 0)
    }

    private mutating func touch(_ person: Int64) {
        if touchedSet.insert(person).inserted { touched.append(person) }
    }

    private mutating func finish() -> IngestPlan {
        for person in touched {
            if redirect[person] == nil, let profile = snapshot.profiles[person] {
                plan.profiles.append(profile)
            } else if let frozen = frozenLosers[person] {
                plan.profiles.append(frozen)
            }
        }
        return plan
    }
}
