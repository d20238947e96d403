import SiyuCore
import SiyuStore
import Synchronization

/// A token bucket per workspace: `rate` requests per second with bursts of `burst`.
public final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Int64
    }

    private let rate: Double
    private let burst: Double
    private let buckets = Mutex([Int64: Bucket]())
    private let clock: @Sendable () -> Int64

    /// A limiter; a `rate` of 0 or less disables limiting.
    public init(ratePerSecond rate: Double, burst: Double? = nil, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) {
        self.rate = rate
        self.burst = burst ?? max(1, rate * 2)
        self.clock = clock
    }

    /// Takes a token for `workspaceId`; returns `nil` when allowed, else the seconds to wait.
    public func acquire(_ workspaceId: Int64) -> Int? {
        guard rate > 0 else { return nil }
        let now = clock()
        return buckets.withLock { buckets in
            var bucket = buckets[workspaceId] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + Double(now - bucket.updated) / 1000 * rate)
            bucket.updated = now
            defer { buckets[workspaceId] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
