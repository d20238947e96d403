import Logging
import SiyuCore
import SiyuDemo
import SiyuStore

/// Keeps the demo brand alive while `siyu demo` serves: the demo's visitors and orders
/// (``DemoLiveTraffic``) go in through the tracking API as they happen, so the real-time board,
/// the reports and the live analytics always have today.
///
/// On start it fills the gap since the brand's newest event (at most ``maximumGap`` back: a demo
/// left off for a week comes back with that week), then sends what happened every few seconds.
/// Message ids are made from the seed and the minute, so a range sent twice — a restart in the
/// middle of a gap — is stored once. Sending is the caller's (`siyu demo` posts to its own
/// `/v1/batch`; tests post through their client); a failed send is logged and the same range is
/// tried again next time.
public struct DemoLiveFeed: Sendable {
    public let traffic: DemoLiveTraffic
    public let store: any EventRepository
    public let workspaceId: Int64
    public let clock: @Sendable () -> Int64
    /// Sends one `/v1/batch` body's items.
    public let send: @Sendable (_ items: [JSONObject]) async throws -> Void
    public let logger: Logger

    /// The longest gap filled on start (30 days).
    public static let maximumGap: Int64 = 30 * 86_400_000
    /// Items per batch: well inside the batch size limit (about 600 bytes each).
    public static let batchSize = 200
    /// Traffic generated at a time while filling a gap, so a long gap never sits in memory whole.
    static let window: Int64 = 3_600_000

    public init(
        traffic: DemoLiveTraffic,
        store: any EventRepository,
        workspaceId: Int64,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger,
        send: @escaping @Sendable (_ items: [JSONObject]) async throws -> Void
    ) {
        self.traffic = traffic
        self.store = store
        self.workspaceId = workspaceId
        self.clock = clock
        self.send = send
        self.logger = logger
    }

    /// Sends the traffic from just after the brand's newest event (no further back than
    /// ``maximumGap``) up to now; answers the instant sent up to and the calls sent.
    public func catchUp() async throws -> (until: Int64, sent: Int) {
        let now = clock()
        let newest = try await store.recentEvents(workspaceId: workspaceId, until: now, limit: 1).first?.message.timestamp
        let from = max((newest ?? now) + 1, now - Self.maximumGap)
        return (now, try await send(from: from, to: now))
    }

    /// Sends the traffic of `[from, to)`, an hour of it at a time; answers the calls sent.
    @discardableResult
    public func send(from: Int64, to: Int64) async throws -> Int {
        var sent = 0
        var start = from
        while start < to {
            let end = min(to, start + Self.window)
            let items = traffic.batchItems(from: start, to: end)
            var index = 0
            while index < items.count {
                let batch = Array(items[index..<min(items.count, index + Self.batchSize)])
                try await send(batch)
                sent += batch.count
                index += batch.count
            }
            start = end
        }
        return sent
    }

    /// Catches up, then sends what happened every `interval` until cancelled.
    public func run(every interval: Duration) async {
        var until: Int64
        while true {
            do {
                let caught = try await catchUp()
                until = caught.until
                if caught.sent > 0 { logger.info("demo traffic caught up", metadata: ["calls": "\(caught.sent)"]) }
                break
            } catch {
                logger.warning("demo traffic: could not catch up", metadata: ["error": "\(error)"])
                guard (try? await Task.sleep(for: interval)) != nil else { return }
            }
        }
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: interval)) != nil else { return }
            let now = clock()
            do {
                try await send(from: until, to: now)
                until = now
            } catch {
                logger.warning("demo traffic: a batch was not accepted; trying again", metadata: ["error": "\(error)"])
            }
        }
    }
}
