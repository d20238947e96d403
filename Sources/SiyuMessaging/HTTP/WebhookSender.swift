import AsyncHTTPClient
import Foundation
import Logging

/// Where a webhook goes: the receiver's URL and the secret both sides sign with.
public struct WebhookEndpoint: Sendable, Hashable {
    /// An absolute http(s) URL.
    public var url: String
    /// The signing secret (its UTF-8 bytes are the HMAC key); never sent.
    public var secret: String
    /// The whole exchange ends within this time.
    public var timeout: Duration

    public init(url: String, secret: String, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.timeout = timeout
    }
}

/// One webhook: a JSON body and the event it reports.
public struct WebhookMessage: Sendable, Hashable, Codable {
    /// The largest body Siyu posts.
    public static let maximumBodyBytes = 256 * 1_024

    /// The event type, sent as `X-Siyu-Event` (e.g. `journey.step`): letters, digits, `.`, `_`, `-`, at most 100.
    public var event: String
    /// The JSON document posted, byte for byte as signed.
    public var body: [UInt8]

    public init(event: String, body: [UInt8]) {
        self.event = event
        self.body = body
    }

    /// A body encoded from `value` with sorted keys.
    public init(event: String, encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self.init(event: event, body: Array(try encoder.encode(value)))
    }

    /// Why this message cannot be sent, or nil.
    public var problem: String? {
        guard (1...100).contains(event.utf8.count), event.utf8.allSatisfy(Self.isEventByte) else {
            return "the event type must be 1 to 100 ASCII letters, digits, '.', '_' or '-'"
        }
        guard body.count <= Self.maximumBodyBytes else {
            return "the body is \(body.count) bytes, above the \(Self.maximumBodyBytes)-byte limit"
        }
        guard (try? JSONSerialization.jsonObject(with: Data(body))) != nil else { return "the body is not a JSON document" }
        return nil
    }

    private static func isEventByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
        default: false
        }
    }
}

/// Posts signed webhooks (docs/webhooks.md): `X-Siyu-Signature`, `X-Siyu-Idempotency-Key`, `X-Siyu-Delivery` and
/// `X-Siyu-Event` headers over a JSON body.
public struct WebhookSender: MessageSender {
    public let endpoint: WebhookEndpoint
    let client: HTTPClient
    let now: @Sendable () -> Date
    let logger: Logger

    /// - Parameters:
    ///   - client: `HTTPClient.messaging` unless given; a client of the caller's own (which the caller shuts down)
    ///     should not follow redirects either.
    ///   - now: the clock the signature's timestamp is read from.
    public init(
        endpoint: WebhookEndpoint,
        client: HTTPClient = .messaging,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "siyu.messaging.webhook")
    ) {
        self.endpoint = endpoint
        self.client = client
        self.now = now
        self.logger = logger
    }

    public func send(_ message: WebhookMessage, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        if let problem = HTTPPost.problem(with: endpoint.url) { return .misconfigured("webhook: \(problem)") }
        if endpoint.secret.utf8.count < 16 { return .misconfigured("webhook: the signing secret must be at least 16 bytes") }
        if let problem = message.problem ?? attempt.problem { return .invalid("webhook: \(problem)") }
        let timestamp = Int64(now().timeIntervalSince1970.rounded(.down))
        let headers = [
            ("Content-Type", "application/json"),
            ("User-Agent", "Siyu-Webhook/1"),
            (WebhookSignature.headerName, WebhookSignature.header(body: message.body, secret: endpoint.secret, timestamp: timestamp)),
            ("X-Siyu-Idempotency-Key", attempt.idempotencyKey),
            ("X-Siyu-Delivery", attempt.deliveryId),
            ("X-Siyu-Event", message.event),
        ]
        let outcome: DeliveryOutcome
        switch await HTTPPost(client: client, timeout: endpoint.timeout).post(url: endpoint.url, headers: headers, body: message.body) {
        case .success(let answer): outcome = .http(status: answer.status, body: answer.text, retryAfter: answer.retryAfter)
        case .failure(let failure): outcome = .retryableFailure(failure)
        }
        logger.debug(
            "webhook attempt",
            metadata: ["delivery": "\(attempt.deliveryId)", "event": "\(message.event)", "outcome": "\(outcome.summary)"]
        )
        return outcome
    }
}

extension DeliveryOutcome {
    /// One word and the reason, for logs.
    var summary: String {
        switch self {
        case .delivered(let response): "delivered (\(response.code))"
        case .retryableFailure(let failure): "retryable: \(failure.reason)"
        case .permanentFailure(let failure): "permanent: \(failure.reason)"
        }
    }
}
