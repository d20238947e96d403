import CompressNIO
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// 2024-05-01T00:00:00Z: the server's clock in these tests.
let serverNow: Int64 = 1_714_521_600_000

/// An application on a fresh store (SQLite unless told), with a workspace `acme` and its credentials.
struct ServerHarness: Sendable {
    let store: any SiyuStore
    let credentials: WorkspaceCredentials
    let workspace: Workspace

    /// Runs `body` against the router of a new application.
    static func run(
        store kind: TestStoreKind = .sqlite,
        rateLimit: Double = 0,
        trustedProxies: TrustedProxies = TrustedProxies(),
        idleTimeoutSeconds: Int = 30,
        analyticsFreshnessWait: Duration = .seconds(60),
        mode: TestingSetup = .router,
        clock: @escaping @Sendable () -> Int64 = { serverNow },
        _ body: @escaping @Sendable (any TestClientProtocol, ServerHarness) async throws -> Void
    ) async throws {
        try await kind.withStore(clock: clock) { store in
            let credentials = try await store.createWorkspace(name: "acme", timeZone: "Asia/Shanghai", currency: "CNY")
            let workspace = try #require(try await store.workspace(named: "acme"))
            let harness = ServerHarness(store: store, credentials: credentials, workspace: workspace)
            var logger = Logger(label: "siyu-test")
            logger.logLevel = .critical
            let app = try buildApplication(
                store: store,
                settings: ServerSettings(
                    port: 0,
                    rateLimitPerSecond: rateLimit,
                    logLevel: .critical,
                    passwordCost: 4,
                    trustedProxies: trustedProxies,
                    idleTimeoutSeconds: idleTimeoutSeconds,
                    // Tests read their own writes unless told otherwise: a query waits for the merge of what they sent.
                    analyticsFreshnessWait: analyticsFreshnessWait
                ),
                logger: logger,
                clock: clock
            )
            try await app.test(mode) { client in try await body(client, harness) }
        }
    }

    var basicAuth: HTTPFields {
        [.authorization: "Basic " + Data((credentials.writeKey + ":").utf8).base64EncodedString(), .contentType: "application/json"]
    }
    var bearer: HTTPFields { [.authorization: "Bearer " + credentials.adminToken] }

    func events() async throws -> [StoredEvent] {
        try await store.events(workspaceId: workspace.id, afterSeq: 0, since: nil, limit: 10_000)
    }
}

extension TestClientProtocol {
    /// POSTs a JSON text to an ingestion path with the harness's write key.
    func send(_ path: String, _ json: String, _ harness: ServerHarness, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = harness.basicAuth
        for field in extra { headers[field.name] = field.value }
        return try await execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json))
    }
}

extension TestResponse {
    /// The body parsed as JSON (`null` when empty or not JSON).
    var json: JSONValue {
        guard let value = try? JSONParser.parse(Array(body.readableBytesView)) else { return .null }
        return value
    }

    var errorCode: String? { json["error"]?["code"]?.stringValue }
}

/// gzip of a text, as SDKs send it.
func gzip(_ text: String) throws -> ByteBuffer {
    var buffer = ByteBuffer(string: text)
    return try buffer.compress(with: .gzip())
}
