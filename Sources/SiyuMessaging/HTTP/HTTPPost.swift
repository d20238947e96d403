import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// One bounded JSON POST shared by the HTTP channels: the whole exchange (connect, send, status, the body read back)
/// ends within `timeout` (and a quarter second, so that the client's own deadline, which knows why no connection
/// came, "connection refused", fires first), and at most ``ProviderResponse/textLimit`` bytes of the answer are read.
/// Redirects are not followed with the default client (`HTTPClient.messaging`).
struct HTTPPost: Sendable {
    /// An answer that arrived in time.
    struct Answer: Sendable {
        var status: Int
        /// The first ``ProviderResponse/textLimit`` bytes of the body.
        var body: [UInt8]
        var retryAfter: Duration?

        var text: String { String(decoding: body, as: UTF8.self) }
    }

    let client: HTTPClient
    let timeout: Duration

    /// Posts `body` to `url` with `headers`; a failure to get an answer is already classified.
    func post(url: String, headers: [(String, String)], body: [UInt8]) async -> Result<Answer, DeliveryFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let client = self.client
        let timeout = self.timeout
        let prepared = request
        do {
            return .success(
                try await withTimeLimit(timeout + .milliseconds(250)) {
                    let response = try await client.execute(prepared, timeout: TimeAmount(timeout))
                    var collected: [UInt8] = []
                    for try await chunk in response.body {
                        collected += chunk.readableBytesView.prefix(ProviderResponse.textLimit - collected.count)
                        // Stop reading once the cap is reached: the rest of a large answer is never buffered.
                        if collected.count >= ProviderResponse.textLimit { break }
                    }
                    return Answer(
                        status: Int(response.status.code),
                        body: collected,
                        retryAfter: Self.retryAfter(response.headers.first(name: "Retry-After"))
                    )
                }
            )
        } catch {
            return .failure(Self.classify(error, timeout: timeout))
        }
    }

    /// A `Retry-After` given in seconds (0 to one day); the HTTP-date form is not honoured.
    static func retryAfter(_ value: String?) -> Duration? {
        guard let value, let seconds = Int(value.trimmingCharacters(in: .whitespaces)), (0...86_400).contains(seconds) else { return nil }
        return .seconds(seconds)
    }

    /// Why no answer came: a timeout, or a connection that failed (refused, reset, TLS); both are worth retrying.
    static func classify(_ error: any Error, timeout: Duration) -> DeliveryFailure {
        if error is TimeLimitExceeded {
            return DeliveryFailure(.timeout, "no complete answer within \(timeout)")
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return DeliveryFailure(.timeout, "no complete answer within \(timeout) (\(error))")
            default:
                return DeliveryFailure(.connection, "HTTP request failed: \(error)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return DeliveryFailure(.connection, "TLS failed: \(error)")
        }
        return DeliveryFailure(.connection, "HTTP request failed: \(error)")
    }

    /// Why `url` cannot be posted to, or nil: it must be an absolute http(s) URL with a host.
    static func problem(with url: String) -> String? {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "the URL must be an absolute http:// or https:// URL"
        }
        guard let host = parsed.host, !host.isEmpty else { return "the URL has no host" }
        guard !url.contains(where: { $0.isNewline || $0 == " " }) else { return "the URL contains a space or a line break" }
        return nil
    }
}

/// The time limit of ``withTimeLimit(_:_:)`` ran out.
struct TimeLimitExceeded: Error {}

/// Runs `operation`, cancelling it and throwing ``TimeLimitExceeded`` if it has not finished within `limit`.
func withTimeLimit<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimeLimitExceeded()
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw TimeLimitExceeded() }
        return first
    }
}

extension HTTPClient {
    /// The client the messaging senders use unless given another: the process-wide event loops, no redirects (a signed
    /// body is posted only to the URL it was signed for), and never shut down, like `HTTPClient.shared`.
    public static let messaging = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30)))
    )
}
