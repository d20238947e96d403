import SiyuCore

/// An event as stored: the message, the person it belongs to, and what ingestion derived.
public struct StoredEvent: Sendable, Equatable {
    /// Store-assigned sequence number, increasing in insertion order within a store.
    public var seq: Int64
    public var message: Message
    /// The person the event's identity pointed to when it arrived (not changed by merges).
    public var originPersonId: Int64
    /// The person it belongs to now, after merges.
    public var personId: Int64
    public var channel: String
    public var revenueMinor: Int64?
    public var currency: String?

    public init(
        seq: Int64,
        message: Message,
        originPersonId: Int64,
        personId: Int64,
        channel: String,
        revenueMinor: Int64?,
        currency: String?
    ) {
        self.seq = seq
        self.message = message
        self.originPersonId = originPersonId
        self.personId = personId
        self.channel = channel
        self.revenueMinor = revenueMinor
        self.currency = currency
    }
}

/// One identity attached to a person.
/// One person as exported: the profile with every identity of the group and its tags.
public struct ExportedPerson: Sendable, Equatable {
    public var profile: PersonProfile
    /// Ordered by creation, then kind and value.
    public var identities: [IdentityRecord]
    /// In order.
    public var tags: [String]

    public init(profile: PersonProfile, identities: [IdentityRecord], tags: [String]) {
        self.profile = profile
        self.identities = identities
        self.tags = tags
    }

    /// Joins a page of profiles with identity rows (by the group's canonical id) and tag rows read
    /// for the page's id range; rows of people not on the page are dropped.
    static func assemble(
        _ profiles: [PersonProfile],
        identities: [(canonical: Int64, record: IdentityRecord)],
        tags: [(person: Int64, tag: String)]
    ) -> [ExportedPerson] {
        var identitiesByPerson: [Int64: [IdentityRecord]] = [:]
        for (canonical, record) in identities { identitiesByPerson[canonical, default: []].append(record) }
        var tagsByPerson: [Int64: [String]] = [:]
        for (person, tag) in tags { tagsByPerson[person, default: []].append(tag) }
        return profiles.map { profile in
            let identities = (identitiesByPerson[profile.id] ?? []).sorted {
                ($0.createdAt, $0.kind, $0.value) < ($1.createdAt, $1.kind, $1.value)
            }
            return ExportedPerson(profile: profile, identities: identities, tags: (tagsByPerson[profile.id] ?? []).sorted())
        }
    }
}

public struct IdentityRecord: Sendable, Equatable, Codable {
    public var kind: String
    /// The id, or for phone numbers and e-mail addresses the salted hash.
    public var value: String
    /// The person it was first attached to (may be a person merged into the one asked about).
    public var personId: Int64
    public var createdAt: Int64

    public init(kind: String, value: String, personId: Int64, createdAt: Int64) {
        self.kind = kind
        self.value = value
        self.personId = personId
        self.createdAt = createdAt
    }
}

/// A logged merge, with when it was undone if it was.
public struct MergeLogEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var record: MergeRecord
    public var undoneAt: Int64?

    public init(id: Int64, record: MergeRecord, undoneAt: Int64?) {
        self.id = id
        self.record = record
        self.undoneAt = undoneAt
    }
}

/// A refused merge, for the operator to look at: the first event that caused it, and how many
/// events (and how lately) pointed at the same pair again.
public struct ConflictLogEntry: Sendable, Equatable, Codable {
    public var id: Int64
    public var conflict: MergeConflict
    public var occurrences: Int64
    public var lastAt: Int64

    public init(id: Int64, conflict: MergeConflict, occurrences: Int64 = 1, lastAt: Int64? = nil) {
        self.id = id
        self.conflict = conflict
        self.occurrences = occurrences
        self.lastAt = lastAt ?? conflict.at
    }
}

/// Filters for finding people; all given filters must hold.
public struct PeopleQuery: Sendable, Equatable {
    /// Trait equals value (compared as text).
    public var traits: [String: String] = [:]
    /// Has this identity (for `phone`/`email` give the clear value; it is hashed before lookup).
    public var identity: IdentityKey?
    /// First-touch or last-touch channel.
    public var channel: String?
    public var tag: String?
    /// Free text: a user id prefix, or part of the `name` trait.
    public var text: String?
    public var limit: Int = 50
    /// Opaque cursor from the previous page.
    public var cursor: String?

    public init(
        traits: [String: String] = [:],
        identity: IdentityKey? = nil,
        channel: String? = nil,
        tag: String? = nil,
        text: String? = nil,
        limit: Int = 50,
        cursor: String? = nil
    ) {
        self.traits = traits
        self.identity = identity
        self.channel = channel
        self.tag = tag
        self.text = text
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of a listing, with the cursor of the next page when there is one.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

/// What an erasure removed.
public struct ErasureSummary: Sendable, Equatable, Codable {
    public var people: Int
    public var identities: Int
    public var events: Int

    public init(people: Int, identities: Int, events: Int) {
        self.people = people
        self.identities = identities
        self.events = events
    }
}

/// One workspace's share of a group-committed write.
public struct IngestBatch: Sendable {
    public var workspaceId: Int64
    public var events: [PreparedEvent]

    public init(workspaceId: Int64, events: [PreparedEvent]) {
        self.workspaceId = workspaceId
        self.events = events
    }
}

/// The outcome of one ``IngestBatch``.
public struct IngestResult: Sendable, Equatable {
    public var outcomes: [IngestPlan.Outcome]
    public var merges: Int
    public var conflicts: Int

    public init(outcomes: [IngestPlan.Outcome], merges: Int, conflicts: Int) {
        self.outcomes = outcomes
        self.merges = merges
        self.conflicts = conflicts
    }

    public var stored: Int { outcomes.lazy.filter { $0 == .stored }.count }
    public var duplicates: Int { outcomes.lazy.filter { $0 == .duplicate }.count }
    /// Events of erased people: answered, not stored.
    public var suppressed: Int { outcomes.lazy.filter { $0 == .suppressed }.count }
}

/// Columns of events sorted by (person, time), as the analytics kernels read them.
public struct EventFrame: Sendable, Equatable {
    /// Canonical person of each event.
    public var personIds: [Int64] = []
    public var timestamps: [Int64] = []
    /// Index into `names` (-1 when the event has no name).
    public var nameIndexes: [Int32] = []
    public var names: [String] = []
    /// Index into `channels`.
    public var channelIndexes: [Int32] = []
    public var channels: [String] = []
    public var types: [UInt8] = []
    /// Order amount in workspace minor units, 0 when none.
    public var revenueMinor: [Int64] = []

    public init() {}

    public var count: Int { timestamps.count }
}
