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
/// What the analytics datasets are built and kept current from: the events and people, labels,
/// predicted values and the workspaces.
public typealias AnalyticsSource = AnalyticsRepository & AttributeRepository & LabelRepository & WorkspaceRepository

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

    private let store: any AnalyticsSource
    private let clock: @Sendable () -> Int64
    private let logger: Logger
    private let configuration: Configuration
    private let snapshots: DatasetSnapshotFiles?
    private var workspaces: [Int64: WorkspaceAnalytics] = [:]
    /// Customer-value fits running now, one per workspace (``ValueFitting``).
    nonisolated let valueFits = ValueFitGate()

    public init(store: any AnalyticsSource, clock: @escaping @Sendable () -> Int64, logger: Logger, configuration: Configuration = Configuration()) {
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
