import Logging
import SiyuCore
import SiyuStore

/// One workspace's analytics dataset: built once (or read from its snapshot file), then kept
/// current by merging what the store changed, one change at a time in a lane, while requests
/// read the newest complete version without waiting.
actor WorkspaceAnalytics {
    let workspaceId: Int64
    private let store: any AnalyticsSource
    private let logger: Logger
    private let snapshots: DatasetSnapshotFiles?
    /// The workspace, read when a snapshot file is read or written.
    private var workspace: Workspace?

    private var live = LiveDataset()
    /// What `live` reflects; `nil` until built.
    private var version: AnalyticsVersion?
    /// The newest complete version, for requests.
    private var published: Dataset?
    /// Work on `live`, one item after the other (actor methods may interleave at suspension points).
    private var lane: Task<Void, Never>?
    /// A refresh queued and not started yet: later requests join it.
    private var pendingRefresh: Task<Void, Never>?
    /// When each loaded property column was last asked for.
    private var propertyUse: [String: ContinuousClock.Instant] = [:]
    /// The last error of a refresh, answered to requests that must wait (the first build).
    private var lastError: (any Error)?
    /// Figures for ``AnalyticsCache/status(workspaceId:)``.
    private(set) var stats = Stats()

    /// Most property columns kept loaded; the least recently used goes first.
    static let maximumPropertyColumns = 32

    struct Stats: Sendable {
        var builds = 0
        var merges = 0
        var lastMergeSeconds = 0.0
        var lastBuildSeconds = 0.0
        var loadedFromSnapshot = false
    }

    init(workspaceId: Int64, store: any AnalyticsSource, logger: Logger, snapshots: DatasetSnapshotFiles?) {
        self.workspaceId = workspaceId
        self.store = store
        self.logger = logger
        self.snapshots = snapshots
    }

    /// The newest complete version with `keys` loaded. Builds first when there is none yet;
    /// otherwise starts a refresh when the store moved on and waits for it at most `wait`.
    func dataset(keys: [String], wait: Duration) async throws -> Dataset {
        if published == nil {
            await enqueue { await self.buildIfNeeded() }.value
            guard published != nil else { throw lastError ?? StoreError.notFound("the analytics dataset could not be built") }
        }
        let now = ContinuousClock.now
        for key in keys { propertyUse[key] = now }
        let missing = Set(keys).subtracting(live.propertyKeys)
        if !missing.isEmpty {
            await enqueue { await self.loadProperties(Array(missing)) }.value
            if let lastError, !Set(keys).isSubset(of: live.propertyKeys) { throw lastError }
        }
        let refresh = refreshSoon()
        if wait > .zero { await Self.wait(for: refresh, atMost: wait) }
        guard var dataset = published else { throw lastError ?? StoreError.notFound("no analytics dataset") }
        dataset.properties = dataset.properties.filter { keys.contains($0.key) }
        return dataset
    }

    /// Queues a refresh unless one is queued already; answers it.
    @discardableResult
    func refreshSoon() -> Task<Void, Never> {
        if let pendingRefresh { return pendingRefresh }
        let task = enqueue {
            await self.startedRefresh()
            await self.refresh()
        }
        pendingRefresh = task
        return task
    }

    private func startedRefresh() { pendingRefresh = nil }

    /// Whether a version is published (the workspace was asked for).
    var isBuilt: Bool { published != nil }

    // MARK: - Lane

    private func enqueue(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        let previous = lane
        let task = Task {
            await previous?.value
            await work()
        }
        lane = task
        return task
    }

    private static func wait(for task: Task<Void, Never>, atMost limit: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: - Work (run in the lane)

    private func buildIfNeeded() async {
        guard published == nil else { return }
        if let snapshots, let workspace = try? await currentWorkspace(), let restored = snapshots.load(workspace, logger: logger),
            let stored = try? await store.analyticsVersion(workspaceId: workspaceId),
            // A file from ahead of the store (a store restored from a backup) is not used.
            stored.eventSeq >= restored.version.eventSeq, stored.peopleVersion >= restored.version.peopleVersion
        {
            let started = ContinuousClock.now
            live = restored.live
            version = restored.version
            stats.loadedFromSnapshot = true
            // Catch up with what the store got since the file was written.
            await refresh()
            if published == nil { publish() }
            logger.info(
                "analytics dataset read from its snapshot",
                metadata: ["workspace": "\(workspaceId)", "events": "\(live.eventCount)", "seconds": "\(Self.seconds(since: started))"]
            )
            return
        }
        await rebuild()
    }

    /// Builds everything from the store again (the first time, or after a change that cannot be merged).
    private func rebuild() async {
        let started = ContinuousClock.now
        do {
            let target = try await store.analyticsVersion(workspaceId: workspaceId)
            var log = EventLog()
            var after: Int64 = 0
            while after < target.eventSeq {
                let chunk = try await store.analyticsEvents(workspaceId: workspaceId, afterSeq: after, limit: 250_000)
                guard let last = chunk.seqs.last else { break }
                log.append(chunk)
                after = last
                if chunk.count < 250_000 { break }
            }
            let people = try await store.analyticsPeople(workspaceId: workspaceId)
            let canonical = try await store.canonicalMap(workspaceId: workspaceId)
            let keys = live.propertyKeys
            var built = LiveDataset.build(people: people, events: log, canonical: canonical)
            for key in keys {
                built.loadProperty(
                    key,
                    values: try await store.eventPropertyValues(workspaceId: workspaceId, key: key, afterSeq: 0, throughSeq: built.lastSeq)
                )
            }
            built.setLabels(try await store.allLabels(workspaceId: workspaceId), attributes: try await store.allAttributes(workspaceId: workspaceId))
            live = built
            version = AnalyticsVersion(
                eventSeq: max(target.eventSeq, built.lastSeq),
                peopleVersion: target.peopleVersion,
                labelsVersion: target.labelsVersion
            )
            stats.builds += 1
            stats.lastBuildSeconds = Self.seconds(since: started)
            lastError = nil
            publish()
            logger.info(
                "analytics dataset built",
                metadata: [
                    "workspace": "\(workspaceId)", "events": "\(live.eventCount)", "people": "\(live.personCount)",
                    "seconds": "\(stats.lastBuildSeconds)",
                ]
            )
        } catch {
            lastError = error
            logger.error("analytics dataset build failed", metadata: ["workspace": "\(workspaceId)", "error": "\(error)"])
        }
    }

    /// Merges what changed in the store since `version`: people first (new people must exist
    /// before their events), then the events up to the version read, then labels.
    private func refresh() async {
        guard var current = version else {
            await buildIfNeeded()
            return
        }
        let started = ContinuousClock.now
        do {
            let target = try await store.analyticsVersion(workspaceId: workspaceId)
            guard target != current else { return }
            if target.peopleVersion != current.peopleVersion {
                let changes = try await store.peopleChanges(workspaceId: workspaceId, since: current.peopleVersion)
                if changes.rebuild || !live.apply(changes.personChanges) {
                    await rebuild()
                    return
                }
                current.peopleVersion = target.peopleVersion
            }
            if target.eventSeq > live.lastSeq {
                let from = live.lastSeq
                var after = from
                while after < target.eventSeq {
                    var chunk = try await store.analyticsEvents(workspaceId: workspaceId, afterSeq: after, limit: 100_000)
                    if let end = chunk.seqs.firstIndex(where: { $0 > target.eventSeq }) { chunk.keepFirst(end) }
                    guard let last = chunk.seqs.last else { break }
                    live.append(chunk)
                    after = last
                    if chunk.count < 100_000 { break }
                }
                for key in live.propertyKeys {
                    let values = try await store.eventPropertyValues(workspaceId: workspaceId, key: key, afterSeq: from, throughSeq: live.lastSeq)
                    live.placeProperty(key, values: values)
                }
                current.eventSeq = target.eventSeq
            }
            if target.labelsVersion != current.labelsVersion {
                live.setLabels(
                    try await store.allLabels(workspaceId: workspaceId),
                    attributes: try await store.allAttributes(workspaceId: workspaceId)
                )
                current.labelsVersion = target.labelsVersion
            }
            version = current
            stats.merges += 1
            stats.lastMergeSeconds = Self.seconds(since: started)
            lastError = nil
            publish()
        } catch {
            lastError = error
            logger.error("analytics refresh failed", metadata: ["workspace": "\(workspaceId)", "error": "\(error)"])
        }
    }

    private func loadProperties(_ keys: [String]) async {
        do {
            for key in keys where !live.propertyKeys.contains(key) {
                let values: [(seq: Int64, value: JSONValue)]
                do {
                    values = try await store.eventPropertyValues(workspaceId: workspaceId, key: key, afterSeq: 0, throughSeq: live.lastSeq)
                } catch {
                    // One retry: a store that is briefly overloaded (a connection not leased in time)
                    // should not fail the query that needed the column.
                    logger.warning("analytics property load failed; retrying once", metadata: ["workspace": "\(workspaceId)", "error": "\(error)"])
                    try await Task.sleep(for: .milliseconds(200))
                    values = try await store.eventPropertyValues(workspaceId: workspaceId, key: key, afterSeq: 0, throughSeq: live.lastSeq)
                }
                live.loadProperty(key, values: values)
            }
            // Keep at most so many columns: drop the ones unused the longest.
            let loaded = live.propertyKeys
            if loaded.count > Self.maximumPropertyColumns {
                let idle = loaded.sorted { (propertyUse[$0] ?? .now) < (propertyUse[$1] ?? .now) }
                for key in idle.prefix(loaded.count - Self.maximumPropertyColumns) where !keys.contains(key) {
                    live.unloadProperty(key)
                    propertyUse[key] = nil
                }
            }
            lastError = nil
            publish()
        } catch {
            lastError = error
            logger.error("analytics property load failed", metadata: ["workspace": "\(workspaceId)", "error": "\(error)"])
        }
    }

    private func publish() { published = live.snapshot() }

    private func currentWorkspace() async throws -> Workspace? {
        if let workspace { return workspace }
        workspace = try await store.workspace(id: workspaceId)
        return workspace
    }

    /// Writes the dataset to its snapshot file (at shutdown, and now and then), in the lane.
    func saveSnapshot() async {
        await enqueue { await self.writeSnapshot() }.value
    }

    private func writeSnapshot() async {
        guard let snapshots, let version else { return }
        do {
            guard let workspace = try await currentWorkspace() else { return }
            try snapshots.save(live, version: version, workspace: workspace)
        } catch {
            logger.warning("analytics snapshot not written", metadata: ["workspace": "\(workspaceId)", "error": "\(error)"])
        }
    }

    /// Figures for the operations endpoint and the benchmark.
    func status() -> AnalyticsStatus {
        AnalyticsStatus(
            events: live.eventCount,
            people: live.personCount,
            residentBytes: live.residentBytes,
            eventColumnBytes: published?.eventColumnBytes ?? 0,
            slotsInUse: live.slotsInUse,
            garbageSlots: live.garbageSlots,
            compactions: live.compactions,
            builds: stats.builds,
            merges: stats.merges,
            lastMergeSeconds: stats.lastMergeSeconds,
            lastBuildSeconds: stats.lastBuildSeconds,
            loadedFromSnapshot: stats.loadedFromSnapshot,
            version: version
        )
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// What a workspace's analytics dataset holds and how it was kept current.
public struct AnalyticsStatus: Sendable {
    public var events: Int
    public var people: Int
    public var residentBytes: Int
    public var eventColumnBytes: Int
    public var slotsInUse: Int
    public var garbageSlots: Int
    public var compactions: Int
    public var builds: Int
    public var merges: Int
    public var lastMergeSeconds: Double
    public var lastBuildSeconds: Double
    public var loadedFromSnapshot: Bool
    public var version: AnalyticsVersion?
}

extension EventLog {
    /// Keeps the first `count` events.
    mutating func keepFirst(_ count: Int) {
        seqs.removeSubrange(count...)
        originPersons.removeSubrange(count...)
        timestamps.removeSubrange(count...)
        nameCodes.removeSubrange(count...)
        types.removeSubrange(count...)
        channelCodes.removeSubrange(count...)
        revenue.removeSubrange(count...)
        isOrder.removeSubrange(count...)
    }
}
