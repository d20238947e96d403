import SiyuCore

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
    /// The values of one property for events after `afterSeq` (and at most `throughSeq`), in sequence order.
    func eventPropertyValues(workspaceId: Int64, key: String, afterSeq: Int64, throughSeq: Int64) async throws -> [(seq: Int64, value: JSONValue)]
    /// The people changed since people version `since` (see ``PeopleChanges``).
    func peopleChanges(workspaceId: Int64, since: Int64) async throws -> PeopleChanges
}
