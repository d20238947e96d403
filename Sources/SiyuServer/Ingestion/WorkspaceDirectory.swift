import SiyuCore
import SiyuStore
import Synchronization

/// Short-lived caches in front of the store for what every request needs: which workspace a
/// key belongs to and how that workspace's events are prepared (salt, currency, channels).
///
/// Entries expire after `ttl` so that revoked keys and edited channels take effect within
/// seconds without a restart; ``invalidate(workspaceId:)`` makes a change visible at once.
public final class WorkspaceDirectory: Sendable {
    private struct Entry<Value> {
        var value: Value
        var expires: Int64
    }

    private struct State {
        var writeKeys: [String: Entry<Workspace?>] = [:]
        var adminTokens: [String: Entry<Workspace?>] = [:]
        var preparers: [Int64: Entry<EventPreparer>] = [:]
    }

    private let store: any WorkspaceRepository
    private let state = Mutex(State())
    private let ttl: Int64
    private let clock: @Sendable () -> Int64

    public init(store: any WorkspaceRepository, ttlMillis: Int64 = 10_000, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) {
        self.store = store
        self.ttl = ttlMillis
        self.clock = clock
    }

    /// The workspace of a write key, or `nil` for an unknown or revoked key.
    public func workspace(writeKey: String) async throws -> Workspace? {
        let now = clock()
        if let entry = state.withLock({ $0.writeKeys[writeKey] }), entry.expires > now { return entry.value }
        let workspace = try await store.workspace(writeKey: writeKey)
        state.withLock { state in
            if state.writeKeys.count > 10_000 { state.writeKeys.removeAll() }
            state.writeKeys[writeKey] = Entry(value: workspace, expires: now + ttl)
        }
        return workspace
    }

    /// The workspace of an admin token, or `nil`.
    public func workspace(adminToken: String) async throws -> Workspace? {
        let now = clock()
        let hash = Secrets.hashToken(adminToken)
        if let entry = state.withLock({ $0.adminTokens[hash] }), entry.expires > now { return entry.value }
        let workspace = try await store.workspace(adminToken: adminToken)
        state.withLock { state in
            if state.adminTokens.count > 10_000 { state.adminTokens.removeAll() }
            state.adminTokens[hash] = Entry(value: workspace, expires: now + ttl)
        }
        return workspace
    }

    /// How events of `workspace` are prepared.
    public func preparer(for workspace: Workspace) async throws -> EventPreparer {
        let now = clock()
        if let entry = state.withLock({ $0.preparers[workspace.id] }), entry.expires > now { return entry.value }
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: workspace.currency, channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        state.withLock { $0.preparers[workspace.id] = Entry(value: preparer, expires: now + ttl) }
        return preparer
    }

    /// Forgets cached data of a workspace (after its channels or keys change).
    public func invalidate(workspaceId: Int64) {
        state.withLock { state in
            state.preparers[workspaceId] = nil
            state.writeKeys = state.writeKeys.filter { $0.value.value?.id != workspaceId }
            state.adminTokens = state.adminTokens.filter { $0.value.value?.id != workspaceId }
        }
    }
}
