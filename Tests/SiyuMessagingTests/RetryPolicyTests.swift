import SiyuMessaging
import Testing

/// A generator that returns the given values in turn, so every jittered delay is known in advance.
struct FixedDraws: RandomNumberGenerator {
    var values: [UInt64]
    var index = 0

    init(_ values: UInt64...) { self.values = values }

    mutating func next() -> UInt64 {
        defer { index = (index + 1) % values.count }
        return values[index]
    }
}

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(baseDelay: .seconds(30), maximumDelay: .seconds(3_600), maximumAttempts: 10)

    @Test func ceilingsDoubleFromTheBaseUpToTheCap() {
        // By hand: 30 s × 2^(n−1) for n = 1…8 is 30, 60, 120, 240, 480, 960, 1920, 3840 s; the last is over the 3,600 s cap.
        let ceilings = (1...9).map { policy.ceilingMilliseconds(afterAttempt: $0) }
        #expect(ceilings == [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000])
        // Far past the point where 30,000 × 2^(n−1) overflows Int64 (n > 49) the cap still holds.
        #expect(policy.ceilingMilliseconds(afterAttempt: 60) == 3_600_000)
        #expect(policy.ceilingMilliseconds(afterAttempt: 10_000) == 3_600_000)
        #expect(policy.ceilingMilliseconds(afterAttempt: 0) == 30_000)
        #expect(RetryPolicy(baseDelay: .zero).ceilingMilliseconds(afterAttempt: 500) == 0)
    }

    @Test func fullJitterScalesTheCeilingByTheTop53BitsOfOneDraw() {
        // delay = floor(ceiling × (draw >> 11) / 2^53), worked by hand:
        // draw 2^63: (draw >> 11) = 2^52, half the ceiling. Attempt 3: 120,000 / 2 = 60,000 ms.
        var half = FixedDraws(1 << 63)
        #expect(policy.delay(afterAttempt: 3, using: &half) == .milliseconds(60_000))
        // draw 2^62: a quarter. Attempt 2: 60,000 / 4 = 15,000 ms.
        var quarter = FixedDraws(1 << 62)
        #expect(policy.delay(afterAttempt: 2, using: &quarter) == .milliseconds(15_000))
        // draw 0: no wait at all.
        var zero = FixedDraws(0)
        #expect(policy.delay(afterAttempt: 5, using: &zero) == .zero)
        // draw 2^64 − 1: (2^53 − 1) / 2^53 of 30,000 is 29,999.99…, rounded down: never the ceiling itself.
        var top = FixedDraws(.max)
        #expect(policy.delay(afterAttempt: 1, using: &top) == .milliseconds(29_999))
        // draw 0x123456789ABCDEF0: >> 11 is 640,511,947,003,803; × 30,000 / 2^53 = 2,133.3…, so 2,133 ms
        // (Python: (30000 * (0x123456789ABCDEF0 >> 11)) >> 53 == 2133).
        var odd = FixedDraws(0x1234_5678_9ABC_DEF0)
        #expect(policy.delay(afterAttempt: 1, using: &odd) == .milliseconds(2_133))
    }

    @Test func delaysStayBelowTheirCeiling() {
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...12 {
            let ceiling = Duration.milliseconds(policy.ceilingMilliseconds(afterAttempt: attempt))
            for _ in 0..<200 {
                let delay = policy.delay(afterAttempt: attempt, using: &generator)
                #expect(delay >= .zero && delay < ceiling)
            }
        }
    }

    @Test func decisionsFollowTheOutcome() {
        var draws = FixedDraws(1 << 63)
        let response = ProviderResponse(code: 250, text: "2.0.0 Ok: queued as ABC")
        #expect(policy.decision(after: .delivered(response), attempt: 1, using: &draws) == .delivered)

        let permanent = DeliveryFailure(.rejected, "HTTP 400 from the receiver")
        #expect(policy.decision(after: .permanentFailure(permanent), attempt: 1, using: &draws) == .giveUp(permanent))

        let busy = DeliveryFailure(.rejected, "HTTP 503 from the receiver")
        // Attempt 4: ceiling 240 s, half of it with this draw.
        #expect(policy.decision(after: .retryableFailure(busy), attempt: 4, using: &draws) == .retry(after: .seconds(120)))
        // The tenth attempt was the last one allowed.
        #expect(policy.decision(after: .retryableFailure(busy), attempt: 10, using: &draws) == .giveUp(busy))

        // A Retry-After longer than the jittered wait wins (attempt 1: 15 s drawn, 90 s asked) …
        let slowDown = DeliveryFailure(.rateLimited, "HTTP 429", retryAfter: .seconds(90))
        #expect(policy.decision(after: .retryableFailure(slowDown), attempt: 1, using: &draws) == .retry(after: .seconds(90)))
        // … but never beyond the cap.
        let wayLater = DeliveryFailure(.rateLimited, "HTTP 429", retryAfter: .seconds(86_400))
        #expect(policy.decision(after: .retryableFailure(wayLater), attempt: 1, using: &draws) == .retry(after: .seconds(3_600)))
    }
}
