import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import Synchronization
import Testing

/// A browser talking to the console in tests: it keeps the cookies the server sets and sends them back.
struct ConsoleBrowser {
    var cookies: [String: String] = [:]
    /// Headers sent with every request (Accept-Language, X-Forwarded-Proto, …).
    var headers: HTTPFields = [:]

    /// Remembers the `Set-Cookie`s of a response (an empty value or `Max-Age=0` forgets the cookie).
    mutating func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            let value = String(pair[pair.index(after: equals)...])
            if value.isEmpty || parts.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    private func requestHeaders(_ extra: HTTPFields) -> HTTPFields {
        var fields = headers
        if !cookies.isEmpty { fields[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        for field in extra { fields[field.name] = field.value }
        return fields
    }

    mutating func get(_ client: some TestClientProtocol, _ path: String, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        let response = try await client.execute(uri: path, method: .get, headers: requestHeaders(extra))
        remember(response)
        return response
    }

    mutating func post(
        _ client: some TestClientProtocol,
        _ path: String,
        form: [(String, String)],
        headers extra: HTTPFields = [:]
    ) async throws -> TestResponse {
        var fields = requestHeaders(extra)
        fields[.contentType] = "application/x-www-form-urlencoded"
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await client.execute(uri: path, method: .post, headers: fields, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Opens the login form and posts it, as a person would.
    mutating func login(_ client: some TestClientProtocol, email: String, password: String, next: String = "/console") async throws -> TestResponse {
        let form = try await get(client, "/console/login")
        let token = try #require(Self.hiddenValue("_csrf", in: form.text))
        return try await post(client, "/console/login", form: [("_csrf", token), ("next", next), ("email", email), ("password", password)])
    }

    /// The session's CSRF token, read from a page's hidden field.
    mutating func csrfToken(_ client: some TestClientProtocol, page: String = "/console/team") async throws -> String {
        try #require(Self.hiddenValue("_csrf", in: try await get(client, page).text))
    }

    static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let start = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `Set-Cookie` header that sets `name`.
    func setCookie(_ name: String) -> String? { headers[values: .setCookie].first { $0.hasPrefix(name + "=") } }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let now: Mutex<Int64>
    init(_ start: Int64) { now = Mutex(start) }
    func advance(by millis: Int64) { now.withLock { $0 += millis } }
    var read: @Sendable () -> Int64 { { [self] in now.withLock { $0 } } }
}

/// Console users for tests, with bcrypt cost 4 as the harness's server uses.
enum ConsoleFixtures {
    static let password = "correct horse battery"

    @discardableResult
    static func user(
        _ harness: ServerHarness,
        _ email: String,
        _ role: ConsoleRole,
        name: String? = nil,
        locale: String? = nil
    ) async throws
        -> ConsoleUser
    {
        var user = try await ConsoleUserAdmin(store: harness.store, passwordCost: 4).ensure(
            workspaceId: harness.workspace.id,
            email: email,
            displayName: name ?? email,
            role: role,
            password: password
        )
        if let locale {
            user.locale = locale
            try await harness.store.updateUser(user)
        }
        return user
    }
}
