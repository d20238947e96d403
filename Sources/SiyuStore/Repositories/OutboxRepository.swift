import SiyuCore

/// Side effects waiting to happen, and how their delivery went. Rows are written with the state
/// change that asks for them (``JourneyRunRepository/advanceJourney(_:)``), each key once.
public protocol OutboxRepository: Sendable {
    /// Claims up to `limit` rows due at `now` (pending and due, or sending with an expired lease)
    /// for `leaseMillis`, counting an attempt; a worker that dies leaves them to be claimed again.
    func claimOutbox(now: Int64, limit: Int, leaseMillis: Int64) async throws -> [OutboxMessage]
    /// Records attempts' results in one transaction; each only for a row still claimed by its attempt (`attempts`).
    func finishOutbox(_ finishes: [OutboxFinish], now: Int64) async throws
    /// A workspace's rows, newest first, optionally of one status.
    func outboxMessages(workspaceId: Int64, status: OutboxStatus?, limit: Int) async throws -> [OutboxMessage]
    /// Puts a failed row back in line (an operator's retry); nil when there is no failed row `id`.
    func retryOutbox(id: Int64, workspaceId: Int64, now: Int64) async throws -> OutboxMessage?
    /// Rows of a channel per status (the board's "messages sent today").
    func outboxCounts(workspaceId: Int64, since: Int64) async throws -> [String: [OutboxStatus: Int]]
}

extension OutboxRepository {
    /// Records one attempt's result (``finishOutbox(_:now:)``).
    public func finishOutbox(id: Int64, attempt: Int, result: OutboxResult, now: Int64) async throws {
        try await finishOutbox([OutboxFinish(id: id, attempt: attempt, result: result)], now: now)
    }
}

/// One attempt's result, to record.
public struct OutboxFinish: Sendable, Equatable {
    public var id: Int64
    public var attempt: Int
    public var result: OutboxResult

    public init(id: Int64, attempt: Int, result: OutboxResult) {
        self.id = id
        self.attempt = attempt
        self.result = result
    }
}
