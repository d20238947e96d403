import SiyuCore

/// What the console's journey list shows at a glance: where each journey's people are now and what
/// its outbox made today, counted in the store rather than read row by row.
public protocol JourneyActivityRepository: Sendable {
    /// Per journey of the workspace, how many of its instances are in each state now.
    func journeyInstanceStates(workspaceId: Int64) async throws -> [Int64: [JourneyInstanceState: Int]]
    /// Per journey of the workspace, its outbox rows made since `since`, by status.
    func journeyOutboxCounts(workspaceId: Int64, since: Int64) async throws -> [Int64: [OutboxStatus: Int]]
}
