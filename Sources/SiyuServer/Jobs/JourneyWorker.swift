import Logging
import SiyuCore
import SiyuStore

/// The journey job's parts, callable one at a time (for `siyu bench journeys` and tools): what the
/// server's periodic job does four times a second is ``pass()`` then ``deliver()``.
public struct JourneyWorker: Sendable {
    let runner: JourneyRunner
    let delivery: OutboxDelivery

    public init(store: any SiyuStore, cache: AnalyticsCache, clock: @escaping @Sendable () -> Int64, logger: Logger) {
        runner = JourneyRunner(store: store, cache: cache, clock: clock, logger: logger)
        delivery = OutboxDelivery(store: store, clock: clock, logger: logger)
    }

    /// One pass of entries (events, segments, labels), goals, wake-ups and due walks; how many instances moved.
    @discardableResult
    public func pass() async throws -> Int { try await runner.tick() }

    /// Segment and label entries of every active journey now (what a pass does once a minute); how many entered.
    @discardableResult
    public func enterAudiences() async throws -> Int { try await runner.enterAudiences() }

    /// Attempts every outbox row due now; how many were attempted.
    @discardableResult
    public func deliver() async throws -> Int { try await delivery.deliverDue() }
}
