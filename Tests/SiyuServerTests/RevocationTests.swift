import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Operators can take access away: write keys and admin tokens are revoked through the API, the
/// console and the command line, console users disabled, removed or given a new password; and a
/// connection that sends nothing is closed.
@Suite struct RevocationTests {
    func basic(_ key: String) -> HTTPFields {
        [.authorization: "Basic " + Data((key + ":").utf8).base64EncodedString(), .contentType: "application/json"]
    }

    func track(_ client: some TestClientProtocol, key: String) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/v1/track", method: .post, headers: basic(key), body: ByteBuffer(string: #"{"userId": "u", "event": "e"}"#))
            .status
    }

    @Test(arguments: TestStoreKind.available)
    func keysAndTokensAreRevokedThroughTheAPI(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let first = harness.credentials.writeKey
            #expect(try await track(client, key: first) == .ok)
            let issued = try await client.execute(uri: "/api/v1/keys/write", method: .post, headers: harness.bearer)
            #expect(issued.status == .created)
            let second = try #require(issued.json["writeKey"]?.stringValue)
            let listed = try await client.execute(uri: "/api/v1/keys", method: .get, headers: harness.bearer)
            // Listed masked, with ids; never in full.
            #expect(listed.json["writeKeys"]?.arrayValue?.count == 2)
            #expect(!listed.body.getString(at: 0, length: listed.body.readableBytes)!.contains(first))
            let revoked = try await client.execute(uri: "/api/v1/keys/write/\(Secrets.writeKeyId(first))", method: .delete, headers: harness.bearer)
            #expect(revoked.status == .ok)
            // At once: the key was cached by the request above, and is refused now.
            #expect(try await track(client, key: first) == .unauthorized)
            #expect(try await track(client, key: second) == .ok)
            #expect(
                try await client.execute(uri: "/api/v1/keys/write/\(Secrets.writeKeyId(first))", method: .delete, headers: harness.bearer).status
                    == .notFound
            )

            // A second admin token, then revoking the first with it: the first stops at once.
            var headers = harness.bearer
            headers[.contentType] = "application/json"
            let token = try await client.execute(
                uri: "/api/v1/keys/admin",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: #"{"name": "erp-sync"}"#)
            )
            let other = try #require(token.json["adminToken"]?.stringValue)
            let tokens = try await harness.store.adminTokens(workspaceId: harness.workspace.id)
            #expect(tokens.map(\.name) == ["default", "erp-sync"])
            let firstId = try #require(tokens.first?.id)
            let otherBearer: HTTPFields = [.authorization: "Bearer " + other]
            #expect(try await client.execute(uri: "/api/v1/keys/admin/\(firstId)", method: .delete, headers: otherBearer).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/workspace", method: .get, headers: harness.bearer).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/workspace", method: .get, headers: otherBearer).status == .ok)
            let bad = try await client.execute(
                uri: "/api/v1/keys/admin",
                method: .post,
                headers: otherBearer,
                body: ByteBuffer(string: #"{"name": ""}"#)
            )
            #expect(bad.status == .badRequest && bad.errorCode == "invalid_request")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func adminsRevokeKeysAndChangeUsersInTheConsole(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            try await ConsoleFixtures.user(harness, "adm@acme.cn", .admin)
            let ops = try await ConsoleFixtures.user(harness, "ops@acme.cn", .operator)
            var admin = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await admin.login(client, email: "adm@acme.cn", password: ConsoleFixtures.password)
            var operatorBrowser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await operatorBrowser.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password)
            #expect(try await operatorBrowser.get(client, "/console/team").status == .ok)

            // The write key, revoked from the settings page.
            let key = harness.credentials.writeKey
            #expect(try await track(client, key: key) == .ok)
            let settings = try await admin.get(client, "/console/settings")
            let csrf = try #require(ConsoleBrowser.hiddenValue("_csrf", in: settings.text))
            #expect(settings.text.contains("/console/settings/keys/revoke"))
            let revoked = try await admin.post(client, "/console/settings/keys/revoke", form: [("_csrf", csrf), ("id", Secrets.writeKeyId(key))])
            #expect(revoked.status == .ok && revoked.text.contains("revoked"))
            #expect(try await track(client, key: key) == .unauthorized)
            // The admin token "initial", revoked the same way.
            let tokenId = try #require(try await harness.store.adminTokens(workspaceId: harness.workspace.id).first?.id)
            #expect(try await admin.post(client, "/console/settings/tokens/revoke", form: [("_csrf", csrf), ("id", String(tokenId))]).status == .ok)
            #expect(try await client.execute(uri: "/api/v1/workspace", method: .get, headers: harness.bearer).status == .unauthorized)

            // Disabling the operator ends their session at once and stops their login.
            let team = try await admin.get(client, "/console/team")
            #expect(team.text.contains("/console/team/\(ops.id)/disable"))
            let disabled = try await admin.post(client, "/console/team/\(ops.id)/disable", form: [("_csrf", csrf)])
            #expect(disabled.status == .ok && disabled.text.contains("ops@acme.cn is disabled"))
            #expect(try await operatorBrowser.get(client, "/console/team").status == .seeOther)
            var again = ConsoleBrowser()
            #expect(try await again.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password).status == .unauthorized)
            #expect(try await admin.post(client, "/console/team/\(ops.id)/enable", form: [("_csrf", csrf)]).status == .ok)
            #expect(try await again.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password).status == .seeOther)

            // A new password: shown once, the old one and the open session stop working.
            let reset = try await admin.post(client, "/console/team/\(ops.id)/resetPassword", form: [("_csrf", csrf)])
            let text = reset.text
            let marker = "shown only this once: "
            let start = try #require(text.range(of: marker)?.upperBound)
            let password = String(text[start...].prefix(16))
            #expect(password.count == 16)
            #expect(try await again.get(client, "/console/team").status == .seeOther)
            var fresh = ConsoleBrowser()
            #expect(try await fresh.login(client, email: "ops@acme.cn", password: ConsoleFixtures.password).status == .unauthorized)
            #expect(try await fresh.login(client, email: "ops@acme.cn", password: password).status == .seeOther)

            // An admin changes neither themselves nor the owner; removing the operator deletes them.
            let me = try #require(try await harness.store.user(workspaceId: harness.workspace.id, email: "adm@acme.cn"))
            let owner = try #require(try await harness.store.user(workspaceId: harness.workspace.id, email: "boss@acme.cn"))
            #expect(try await admin.post(client, "/console/team/\(me.id)/disable", form: [("_csrf", csrf)]).status == .badRequest)
            #expect(try await admin.post(client, "/console/team/\(owner.id)/remove", form: [("_csrf", csrf)]).status == .badRequest)
            #expect(try await admin.post(client, "/console/team/\(ops.id)/remove", form: [("_csrf", csrf)]).status == .ok)
            #expect(try await harness.store.user(id: ops.id) == nil)
            #expect(try await fresh.get(client, "/console/team").status == .seeOther)
            // A viewer is refused every change.
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let viewerToken = try await viewer.csrfToken(client)
            #expect(try await viewer.post(client, "/console/team/\(owner.id)/disable", form: [("_csrf", viewerToken)]).status == .forbidden)
            #expect(try await viewer.post(client, "/console/settings/keys/revoke", form: [("_csrf", viewerToken), ("id", "x")]).status == .forbidden)
        }
    }

    @Test func theCommandLineRevokesAndChangesUsers() async throws {
        let directory = temporaryDirectory("siyu-cli")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory, "--json"]))
        let key = try #require(credentials["writeKey"]?.stringValue)
        let listed = try ServerProcess.run(["workspace", "keys", "shop", "--data-dir", directory])
        #expect(listed.contains(key) && listed.contains("admin token #1"))
        _ = try ServerProcess.run(["workspace", "revoke-key", "shop", key, "--data-dir", directory])
        _ = try ServerProcess.run(["workspace", "revoke-token", "shop", "1", "--data-dir", directory])
        #expect(try ServerProcess.run(["workspace", "keys", "shop", "--data-dir", directory]).contains("No live keys"))
        #expect(throws: ProcessError.self) { try ServerProcess.run(["workspace", "revoke-key", "shop", key, "--data-dir", directory]) }

        let store = try SQLiteStore(directory: directory)
        let workspace = try #require(try await store.workspace(named: "shop"))
        #expect(try await store.workspace(writeKey: key) == nil)
        _ = try await ConsoleUserAdmin(store: store, passwordCost: 4).add(
            workspaceName: "shop",
            email: "boss@shop.cn",
            role: .owner,
            displayName: nil,
            password: "long enough password"
        )
        // The last owner can be neither disabled nor removed.
        #expect(throws: ProcessError.self) {
            try ServerProcess.run(["user", "disable", "--workspace", "shop", "--email", "boss@shop.cn", "--data-dir", directory])
        }
        let reset = try ServerProcess.run(["user", "reset-password", "--workspace", "shop", "--email", "boss@shop.cn", "--data-dir", directory])
        #expect(reset.contains("Password: "))
        let user = try #require(try await store.user(workspaceId: workspace.id, email: "boss@shop.cn"))
        #expect(try await !PasswordHasher(cost: 4).verify("long enough password", hash: user.passwordHash))
    }

    /// A connection that sends half a request head and then nothing is closed after the idle
    /// timeout (before, 19,800 of them were held open indefinitely).
    @Test func silentConnectionsAreClosed() async throws {
        try await ServerHarness.run(idleTimeoutSeconds: 1, mode: .live) { client, harness in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let port = try #require(client.port)
            let socket = try RawSocket(port: port)
            defer { socket.close() }
            try socket.send("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application")
            let started = ContinuousClock.now
            // recv answers 0 once the server has closed the connection.
            #expect(socket.receiveUntilClosed(timeoutSeconds: 10))
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(800) && waited < .seconds(5), "closed after \(waited)")
            _ = harness
        }
    }
}

/// A plain TCP client, to behave as a misbehaving one would.
struct RawSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw TestSupportError("cannot connect to port \(port)") }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard Glibc.send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw TestSupportError("send failed") }
    }

    /// Reads until the peer closes (true) or `timeoutSeconds` pass (false).
    func receiveUntilClosed(timeoutSeconds: Int) -> Bool {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }

    func close() { _ = Glibc.close(descriptor) }
}
