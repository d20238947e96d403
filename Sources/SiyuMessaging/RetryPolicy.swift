/// When to try a failed delivery again: exponential backoff with full jitter, a cap on the wait and on the number of
/// attempts.
///
/// After the `n`th failed attempt the wait is drawn uniformly from `[0, min(maximumDelay, baseDelay × 2^(n−1)))`, in
/// whole milliseconds ("full jitter": retries of many messages that failed together spread out instead of arriving in
/// waves). The random source is a parameter, so a test that gives a fixed generator gets a fixed answer.
public struct RetryPolicy: Sendable, Hashable {
    /// The ceiling of the first wait.
    public var baseDelay: Duration
    /// No wait is longer, whatever the attempt or the provider's `Retry-After`.
    public var maximumDelay: Duration
    /// Attempts in all, the first included; after that many failures the delivery is given up.
    public var maximumAttempts: Int

    /// By default: 30 s doubling up to 1 h, 10 attempts (nine waits of at most 11,010 s, about 3 h; half that on average).
    public init(baseDelay: Duration = .seconds(30), maximumDelay: Duration = .seconds(3_600), maximumAttempts: Int = 10) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumAttempts = maximumAttempts
    }

    /// The longest wait after `attempt` failed attempts (1 for the first): min(maximumDelay, baseDelay × 2^(attempt−1)),
    /// in milliseconds, saturating instead of overflowing.
    public func ceilingMilliseconds(afterAttempt attempt: Int) -> Int64 {
        let base = max(0, Self.milliseconds(baseDelay))
        let cap = max(0, Self.milliseconds(maximumDelay))
        let doublings = max(0, attempt - 1)
        guard doublings < 63 else { return base == 0 ? 0 : cap }
        let (scaled, overflow) = base.multipliedReportingOverflow(by: Int64(1) << Int64(doublings))
        return overflow ? cap : min(cap, scaled)
    }

    /// The wait after `attempt` failed attempts: uniform in `[0, ceiling)` milliseconds, from one 64-bit draw of
    /// `generator` (its top 53 bits as the fraction: `ceiling × (draw >> 11) / 2^53`, rounded down).
    public func delay(afterAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = UInt64(ceilingMilliseconds(afterAttempt: attempt))
        let fraction = generator.next() >> 11
        let (high, low) = ceiling.multipliedFullWidth(by: fraction)
        let milliseconds = (high << 11) | (low >> 53)
        return .milliseconds(Int64(milliseconds))
    }

    /// What to do after attempt number `attempt` (1 for the first) ended in `outcome`.
    public func decision(
        after outcome: DeliveryOutcome,
        attempt: Int,
        using generator: inout some RandomNumberGenerator
    ) -> RetryDecision {
        switch outcome {
        case .delivered:
            return .delivered
        case .permanentFailure(let failure):
            return .giveUp(failure)
        case .retryableFailure(let failure):
            guard attempt < maximumAttempts else { return .giveUp(failure) }
            var wait = delay(afterAttempt: attempt, using: &generator)
            // The provider's own Retry-After is honoured, but never beyond the cap.
            if let asked = failure.retryAfter, asked > wait { wait = asked }
            return .retry(after: min(wait, maximumDelay))
        }
    }

    /// `duration` in whole milliseconds, saturating.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAdding) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowAdding ? .max : total
    }
}

/// What the delivery job does next with an outbox entry.
public enum RetryDecision: Sendable, Hashable {
    /// The message was delivered; nothing more to do.
    case delivered
    /// Try again after this wait.
    case retry(after: Duration)
    /// Stop: the failure is permanent, or the attempts are used up. The failure says why.
    case giveUp(DeliveryFailure)
}
