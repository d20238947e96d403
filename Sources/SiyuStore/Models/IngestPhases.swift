import Metrics

/// Times the phases of an ingestion transaction (`siyu_store_phase_seconds{phase}` in /metrics):
/// reading the identity snapshot, planning, applying, and the commit that follows.
final class IngestPhases: @unchecked Sendable {
    enum Phase: String { case snapshot, plan, apply, commit }

    private var lastEnd = ContinuousClock.now

    /// Runs `body` and records its duration under `phase`.
    func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer {
            let end = ContinuousClock.now
            Timer(label: "siyu_store_phase_seconds", dimensions: [("phase", phase.rawValue)]).recordInterval(end - start)
            lastEnd = end
        }
        return try body()
    }

    /// Runs asynchronous `body` and records its duration under `phase`.
    func measureAsync<T>(_ phase: Phase, _ body: () async throws -> T) async rethrows -> T {
        let start = ContinuousClock.now
        let result = try await body()
        let end = ContinuousClock.now
        Timer(label: "siyu_store_phase_seconds", dimensions: [("phase", phase.rawValue)]).recordInterval(end - start)
        lastEnd = end
        return result
    }

    /// Records the time from the last phase to now as the commit.
    func finish() {
        Timer(label: "siyu_store_phase_seconds", dimensions: [("phase", Phase.commit.rawValue)]).recordInterval(ContinuousClock.now - lastEnd)
    }
}

extension Metrics.Timer {
    /// Records a `Duration`.
    public func recordInterval(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
