import SiyuCore

/// What a cached analytics dataset was built from: when either number moves, it is stale.
public struct AnalyticsVersion: Sendable, Equatable {
    /// Largest event sequence number stored in the workspace.
    public var eventSeq: Int64
    /// Bumped whenever people change other than by their events' counters: new people or
    /// identities, merges and splits, identify calls (traits), tags, erasure.
    public var peopleVersion: Int64
    /// Bumped when evaluations write labels or models write values onto people: only those
    /// columns need reloading.
    public var labelsVersion: Int64

    public init(eventSeq: Int64, peopleVersion: Int64, labelsVersion: Int64 = 0) {
        self.eventSeq = eventSeq
        self.peopleVersion = peopleVersion
        self.labelsVersion = labelsVersion
    }
}

/// The people a write changed beyond their counters, so that analytics caches can reload just
/// them: their person rows are stamped with the new people version.
public struct ChangedPeople: Sendable, Equatable {
    /// People (any, canonical or merged away) whose row, identities, traits or tags changed.
    public var ids: [Int64] = []
    /// Groups changed whole (every member's canonical id changed): their canonical ids.
    public var groups: [Int64] = []
    /// A change caches cannot follow person by person (an erasure, a merge undone): they rebuild.
    public var rebuild = false

    public init(ids: [Int64] = [], groups: [Int64] = [], rebuild: Bool = false) {
        self.ids = ids
        self.groups = groups
        self.rebuild = rebuild
    }

    /// What an ingest plan changed: new people, people with new identities, traits or a first user
    /// id, and both sides of every merge (with the survivors' whole groups).
    public init(_ plan: IngestPlan) {
        var ids: Set<Int64> = []
        for person in plan.newPersons { ids.insert(person.id) }
        for identity in plan.newIdentities { ids.insert(identity.personId) }
        for delta in plan.deltas where delta.hasTraits || delta.userId != nil { ids.insert(delta.personId) }
        for merge in plan.merges {
            ids.insert(merge.survivor)
            ids.insert(merge.loser)
        }
        self.ids = ids.sorted()
        self.groups = Array(Set(plan.merges.map(\.survivor))).sorted()
    }

    public var isEmpty: Bool { ids.isEmpty && groups.isEmpty && !rebuild }
}

/// What changed among a workspace's people since a version (``AnalyticsRepository/peopleChanges(workspaceId:since:)``).
public struct PeopleChanges: Sendable {
    /// The people version these changes bring a cache to.
    public var version: Int64
    /// Something happened that a cache cannot follow person by person: build again.
    public var rebuild: Bool
    /// Every person changed since, with the person they belong to now.
    public var changed: [(id: Int64, canonicalId: Int64)]
    /// The canonical people of `changed`, as ``AnalyticsRepository/analyticsPeople(workspaceId:)`` reads them.
    public var people: [DatasetBuilder.Person]

    public init(version: Int64, rebuild: Bool, changed: [(id: Int64, canonicalId: Int64)], people: [DatasetBuilder.Person]) {
        self.version = version
        self.rebuild = rebuild
        self.changed = changed
        self.people = people
    }

    /// The changes as ``LiveDataset`` takes them: erased people are those a change names but the
    /// store no longer has (a rebuild covers erasures, so this is rare).
    public var personChanges: [LiveDataset.PersonChange] {
        var rows: [Int64: DatasetBuilder.Person] = [:]
        for person in people { rows[person.id] = person }
        var result: [LiveDataset.PersonChange] = []
        var seen: Set<Int64> = []
        for (id, canonicalId) in changed where seen.insert(id).inserted {
            if id != canonicalId, seen.insert(canonicalId).inserted {
                result.append(
                    LiveDataset.PersonChange(id: canonicalId, canonicalId: rows[canonicalId] == nil ? nil : canonicalId, row: rows[canonicalId])
                )
            }
            result.append(LiveDataset.PersonChange(id: id, canonicalId: id == canonicalId && rows[id] == nil ? nil : canonicalId, row: rows[id]))
        }
        return result
    }
}
