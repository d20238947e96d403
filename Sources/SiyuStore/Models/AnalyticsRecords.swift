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

/// What analytics reads from the store.
public protocol AnalyticsRepository: Sendable {
    func analyticsVersion(workspaceId: Int64) async throws -> AnalyticsVersion
    /// Canonical people with traits, tags, identity kinds and user id (profile counters are
    /// derived from the events).
    func analyticsPeople(workspaceId: Int64) async throws -> [DatasetBuilder.Person]
    /// For every merged-away person, the person it belongs to now.
    func canonicalMap(workspaceId: Int64) async throws -> [Int64: Int64]
    /// Events after `afterSeq`, at most `limit`, in sequence order.
    func analyticsEvents(workspaceId: Int64, afterSeq: Int64, limit: Int) async throws -> EventLog
    /// The values of one property for the workspace's events (only those having it), with the
    /// event's sequence number, optionally only events with the given names.
    func eventPropertyValues(workspaceId: Int64, key: String, names: [String]?) async throws -> [(seq: Int64, value: JSONValue)]
}
