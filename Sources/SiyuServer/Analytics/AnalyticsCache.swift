import Foundation
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// Keeps each workspace's events and people in memory as a ``Dataset`` for the analytics
/// kernels, current with the store without rebuilding it.
///
/// The first request for a workspace builds its dataset (or reads the snapshot file saved beside
/// the store and catches up); a server with snapshot files does that for every workspace as it
/// starts (``warmUp()``). After that, what the store gets is merged in the background by
/// ``AnalyticsRefresher`` — new events in time proportional to them, changed people in time
/// proportional to the people — one merge at a time per workspace; a request is answered from
/// the newest complete version, waiting at most `freshnessWait` for a merge the store's news
/// started. A change that cannot be merged (an erasure, a merge undone) rebuilds in the background
/// while requests keep reading the version before it.
public actor AnalyticsCache {
    public struct Configuration: Sendable {
        /// How long a request waits for a merge of what the store got since the newest version
        /// (0: answer at once). Command-line tools keep the default, which makes every answer
        /// current; the server waits briefly.
        public var freshnessWait: Duration
        /// Where dataset snapshot files are kept; `nil`: none.
        public var snapshotDirectory: String?

        public init(freshnessWait: Duration = .seconds(120), snapshotDirectory: String? = nil) {
            self.freshnessWait = freshnessWait
            self.snapshotDirectory = snapshotDirectory
        }
    }

    private let store: any SiyuStore
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let configuration: Configuration
    private let snapshots: DatasetSnapshotFiles?
    private var workspaces: [Int64: WorkspaceAnalytics] = [:]

    public init(store: any SiyuStore, clock: @escaping @Sendable () -> Int64, logger: Logger, configuration: Configuration = Configuration()) {
        self.store = store
        self.clock = clock
        self.logger = logger
        self.configuration = configuration
        self.snapshots = configuration.snapshotDirectory.map(DatasetSnapshotFiles.init(directory:))
    }

    private func workspace(_ id: Int64) -> WorkspaceAnalytics {
        if let existing = workspaces[id] { return existing }
        let created = WorkspaceAnalytics(workspaceId: id, store: store, logger: logger, snapshots: snapshots)
        workspaces[id] = created
        return created
    }

    /// The workspace's newest dataset, with the property columns `keys` loaded.
    public func dataset(workspaceId: Int64, propertyKeys keys: [String] = []) async throws -> Dataset {
        try await workspace(workspaceId).dataset(keys: keys, wait: configuration.freshnessWait)
    }

    /// A server that keeps snapshot files readies every workspace's dataset as it starts (reading
    /// its snapshot, or building it), so that the first request does not wait for it.
    public func warmUp() async {
        guard configuration.snapshotDirectory != nil else { return }
        let started = ContinuousClock.now
        do {
            let all = try await store.workspaces()
            for workspace in all where !Task.isCancelled { _ = try await dataset(workspaceId: workspace.id) }
            logger.info("analytics datasets ready", metadata: ["workspaces": "\(all.count)", "time": "\(ContinuousClock.now - started)"])
        } catch {
            logger.warning("analytics datasets not readied at start; the first request builds them", metadata: ["error": "\(error)"])
        }
    }

    /// Merges what the store got into a workspace's dataset, if it was built; returns when done.
    public func refresh(workspaceId: Int64) async {
        guard let analytics = workspaces[workspaceId], await analytics.isBuilt else { return }
        await analytics.refreshSoon().value
    }

    /// ``refresh(workspaceId:)`` for every built dataset (the store may have been written by another process).
    public func refreshAll() async {
        for id in workspaces.keys.sorted() { await refresh(workspaceId: id) }
    }

    /// Saves every built dataset to its snapshot file.
    public func saveSnapshots() async {
        for analytics in workspaces.values where await analytics.isBuilt { await analytics.saveSnapshot() }
    }

    /// What a workspace's dataset holds, once built.
    public func status(workspaceId: Int64) async -> AnalyticsStatus? {
        guard let analytics = workspaces[workspaceId], await analytics.isBuilt else { return nil }
        return await analytics.status()
    }

    /// Forgets a workspace (after it is deleted), with its snapshot file.
    public func forget(workspaceId: Int64) {
        workspaces[workspaceId] = nil
        snapshots?.remove(workspaceId: workspaceId)
    }
}

/// The background side of ``AnalyticsCache``: merges a workspace's news as soon as the event
/// writer commits it (and every second, for writes by other processes such as an import), and
/// saves the datasets' snapshot files now and then and at shutdown.
public struct AnalyticsRefresher: Service {
    let cache: AnalyticsCache
    let commits: AsyncStream<Int64>
    let pollInterval: Duration
    let snapshotInterval: Duration
    let logger: Logger

    /// A refresher and the continuation the event writer tells about each commit.
    public static func make(
        cache: AnalyticsCache,
        pollInterval: Duration = .seconds(1),
        snapshotInterval: Duration = .seconds(600),
        logger: Logger
    ) -> (AnalyticsRefresher, AsyncStream<Int64>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(4_096))
        return (
            AnalyticsRefresher(cache: cache, commits: stream, pollInterval: pollInterval, snapshotInterval: snapshotInterval, logger: logger),
            continuation
        )
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                await cache.warmUp()
                group.addTask {
                    // Commits come in bursts: merge each workspace once per burst.
                    for await id in commits {
                        await cache.refresh(workspaceId: id)
                    }
                }
                group.addTask {
                    var sinceSnapshot = Duration.zero
                    while !Task.isCancelled {
                        do { try await Task.sleep(for: pollInterval) } catch { break }
                        await cache.refreshAll()
                        sinceSnapshot += pollInterval
                        if sinceSnapshot >= snapshotInterval {
                            sinceSnapshot = .zero
                            await cache.saveSnapshots()
                        }
                    }
                }
                await group.next()
                group.cancelAll()
            }
        }
        // Shutting down: the next start reads the datasets instead of building them.
        await cache.saveSnapshots()
    }
}
