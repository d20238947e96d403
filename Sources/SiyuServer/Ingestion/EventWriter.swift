import Logging
import Metrics
import ServiceLifecycle
import SiyuStore
import Synchronization

/// Group commit: requests that arrive while a transaction is being committed wait and are
/// written together in the next one, so that many small requests share one fsync.
///
/// A request's continuation is resumed only after its transaction has committed: a success
/// answered to a client is on disk. On graceful shutdown the writer stops taking new work,
/// commits everything already queued, and returns.
public final class EventWriter: Service, Sendable {
    /// Why a submission was refused without being written.
    public enum Refusal: Error, Sendable {
        /// The writer is shutting down.
        case shuttingDown
        /// More than ``EventWriter/maximumQueuedEvents`` are waiting: the store cannot keep up.
        case overloaded
    }

    private struct Pending {
        var batch: IngestBatch
        var continuation: CheckedContinuation<IngestResult, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var queuedEvents = 0
        var wakeup: CheckedContinuation<Void, Never>?
        var stopping = false
    }

    private let store: any EventRepository
    private let state = Mutex(State())
    private let logger: Logger
    /// Told the workspaces of every commit (the analytics refresher merges their news).
    private let commits: AsyncStream<Int64>.Continuation?
    /// Most events written in one transaction.
    public let maximumEventsPerCommit: Int
    /// Beyond this many waiting events new submissions are refused (back-pressure).
    public let maximumQueuedEvents: Int

    public init(
        store: any EventRepository,
        logger: Logger,
        maximumEventsPerCommit: Int = 20_000,
        maximumQueuedEvents: Int = 400_000,
        commits: AsyncStream<Int64>.Continuation? = nil
    ) {
        self.store = store
        self.logger = logger
        self.commits = commits
        self.maximumEventsPerCommit = maximumEventsPerCommit
        self.maximumQueuedEvents = maximumQueuedEvents
    }

    /// Queues a batch and returns once it is committed.
    public func submit(_ batch: IngestBatch) async throws -> IngestResult {
        if batch.events.isEmpty { return IngestResult(outcomes: [], merges: 0, conflicts: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<CheckedContinuation<Void, Never>?, Refusal> = state.withLock { state in
                if state.stopping { return .failure(.shuttingDown) }
                if state.queuedEvents + batch.events.count > maximumQueuedEvents { return .failure(.overloaded) }
                state.queue.append(Pending(batch: batch, continuation: continuation))
                state.queuedEvents += batch.events.count
                let wakeup = state.wakeup
                state.wakeup = nil
                return .success(wakeup)
            }
            switch outcome {
            case .failure(let refusal): continuation.resume(throwing: refusal)
            case .success(let wakeup): wakeup?.resume()
            }
        }
    }

    /// Number of events waiting to be committed.
    public var queuedEvents: Int { state.withLock { $0.queuedEvents } }

    public func run() async throws {
        // Both a graceful shutdown and a cancellation stop the intake; a waiting continuation is
        // resumed by `stop()`, so neither can leave the loop suspended forever.
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while let work = await nextWork() {
                    await commit(work)
                }
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }

    /// Stops taking work; what is queued is still committed before `run` returns.
    public func stop() {
        let wakeup = state.withLock { state in
            state.stopping = true
            let wakeup = state.wakeup
            state.wakeup = nil
            return wakeup
        }
        wakeup?.resume()
    }

    /// Waits for queued work; `nil` once stopping with nothing left.
    private func nextWork() async -> [Pending]? {
        while true {
            let taken: [Pending]? = state.withLock { state in
                guard !state.queue.isEmpty else { return state.stopping ? [] : nil }
                var count = 0
                var end = 0
                while end < state.queue.count, end == 0 || count + state.queue[end].batch.events.count <= maximumEventsPerCommit {
                    count += state.queue[end].batch.events.count
                    end += 1
                }
                let work = Array(state.queue[..<end])
                state.queue.removeFirst(end)
                state.queuedEvents -= count
                return work
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.queue.isEmpty && !state.stopping {
                        state.wakeup = continuation
                        return false
                    }
                    return true
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    private func commit(_ work: [Pending]) async {
        let start = ContinuousClock.now
        let events = work.reduce(0) { $0 + $1.batch.events.count }
        do {
            let results = try await store.ingest(work.map(\.batch))
            for (pending, result) in zip(work, results) { pending.continuation.resume(returning: result) }
            if let commits {
                for workspaceId in Set(work.map(\.batch.workspaceId)) { commits.yield(workspaceId) }
            }
            Timer(label: "siyu_store_write_seconds").recordInterval(ContinuousClock.now - start)
            Recorder(label: "siyu_commit_events").record(events)
        } catch {
            logger.error("commit failed", metadata: ["error": "\(String(reflecting: error))", "events": "\(events)"])
            for pending in work { pending.continuation.resume(throwing: error) }
        }
    }
}
