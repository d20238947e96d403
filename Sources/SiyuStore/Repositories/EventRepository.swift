import SiyuCore

/// The event log: append (with identity resolution), scan, export.
public protocol EventRepository: Sendable {
    /// Resolves identities and appends the events of several workspaces in ONE durable transaction.
    func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult]
    /// Events of a workspace in insertion order, after `afterSeq`, at most `limit`.
    func events(workspaceId: Int64, afterSeq: Int64, since: Int64?, limit: Int) async throws -> [StoredEvent]
    func eventCount(workspaceId: Int64) async throws -> Int
    /// The newest events that happened at or before `until`, newest first (the console's live stream).
    func recentEvents(workspaceId: Int64, until: Int64, limit: Int) async throws -> [StoredEvent]
    /// Events with `from <= timestamp < to`, optionally only the given names, as columns
    /// sorted by (canonical person, timestamp).
    func scanEvents(workspaceId: Int64, from: Int64, to: Int64, names: [String]?) async throws -> EventFrame
    /// Whether the store answers.
    func ping() async throws
}
