import Foundation
import Logging
import SiyuCore
import Testing

@testable import SiyuStore

/// The stores the shared repository suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when `SIYU_TEST_DATABASE_URL` names a server (the README's test
    /// command starts one), or when `SIYU_TEST_REQUIRE_POSTGRES=1` insists on it.
    static var available: [StoreKind] {
        let environment = ProcessInfo.processInfo.environment
        if environment["SIYU_TEST_DATABASE_URL"] != nil || environment["SIYU_TEST_REQUIRE_POSTGRES"] == "1" { return [.sqlite, .postgres] }
        return [.sqlite]
    }
}

/// A fixed clock for deterministic tests: 2024-05-01T00:00:00Z.
let testNow: Int64 = 1_714_521_600_000

/// Runs `body` with a fresh, empty store of `kind`.
func withStore<T: Sendable>(_ kind: StoreKind, _ body: @escaping @Sendable (any SiyuStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory, clock: { testNow })
        return try await body(store)
    case .postgres:
        return try await PostgresTestDatabase.withStore(clock: { testNow }, body)
    }
}

/// A workspace created for a test, with what ingestion needs.
struct TestWorkspace: Sendable {
    var workspace: Workspace
    var credentials: WorkspaceCredentials
    var preparer: EventPreparer

    static func create(_ store: any SiyuStore, name: String = "acme") async throws -> TestWorkspace {
        let credentials = try await store.createWorkspace(name: name, timeZone: "Asia/Shanghai", currency: "CNY")
        let workspace = try #require(try await store.workspace(named: name))
        let channels = try await store.channels(workspaceId: workspace.id)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: "CNY", channels: channels),
            extractor: Secrets.extractor(for: workspace)
        )
        return TestWorkspace(workspace: workspace, credentials: credentials, preparer: preparer)
    }

    /// Ingests messages as one batch and returns the outcome.
    @discardableResult
    func ingest(_ store: any SiyuStore, _ messages: [Message]) async throws -> IngestResult {
        let results = try await store.ingest([
            IngestBatch(workspaceId: workspace.id, events: try messages.map { message throws(IngestError) in try preparer.prepare(message) })
        ])
        return results[0]
    }
}

/// Builds messages tersely.
func message(
    _ id: String,
    _ type: MessageType = .track,
    user: String? = nil,
    anon: String? = nil,
    event: String? = "Product Viewed",
    at time: Int64 = testNow,
    channel: String? = nil,
    traits: JSONObject = [:],
    properties: JSONObject = [:],
    previousId: String? = nil
) -> Message {
    var context: JSONObject = [:]
    if let channel { context["channel"] = .string(channel) }
    return Message(
        type: type,
        messageId: id,
        userId: user,
        anonymousId: anon,
        event: type == .track ? event : nil,
        properties: properties,
        traits: traits,
        context: context,
        previousId: previousId,
        timestamp: time,
        originalTimestamp: time,
        receivedAt: testNow
    )
}
