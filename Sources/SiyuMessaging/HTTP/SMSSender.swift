import AsyncHTTPClient
import Foundation
import Logging

/// An SMS provider reached through its HTTP API (or a small bridge in front of it): Siyu posts one JSON document per
/// message (docs/webhooks.md, "SMS provider"), signed like a webhook when a secret is set.
public struct SMSProvider: Sendable, Hashable {
    /// An absolute http(s) URL.
    public var url: String
    /// When set, the body is signed with it (`X-Siyu-Signature`, as for webhooks).
    public var secret: String?
    /// When set, sent as `Authorization: Bearer <token>`.
    public var bearerToken: String?
    /// The registered sender name or signature (签名) the provider should use, when it needs one.
    public var sender: String?
    /// The whole exchange ends within this time.
    public var timeout: Duration

    public init(url: String, secret: String? = nil, bearerToken: String? = nil, sender: String? = nil, timeout: Duration = .seconds(10)) {
        self.url = url
        self.secret = secret
        self.bearerToken = bearerToken
        self.sender = sender
        self.timeout = timeout
    }
}

/// One text message to one phone.
public struct SMSMessage: Sendable, Hashable, Codable {
    /// The longest text, in characters: a long SMS of several segments; Chinese providers cap near 500 too.
    public static let maximumTextCharacters = 500

    /// The phone number in E.164 form: `+`, country code, number, 8 to 15 digits in all (`+8613800138000`).
    public var to: String
    /// The text, when the provider sends free text.
    public var text: String?
    /// The provider's template (模板) id, when it sends only approved templates.
    public var templateId: String?
    /// The template's parameters.
    public var templateParameters: [String: String]

    public init(to: String, text: String? = nil, templateId: String? = nil, templateParameters: [String: String] = [:]) {
        self.to = to
        self.text = text
        self.templateId = templateId
        self.templateParameters = templateParameters
    }

    /// Why this message cannot be sent, or nil.
    public var problem: String? {
        let digits = to.utf8.dropFirst()
        guard to.utf8.first == UInt8(ascii: "+"), (8...15).contains(digits.count), digits.first != UInt8(ascii: "0"),
            digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return "the phone number must be in E.164 form, like +8613800138000" }
        guard text?.isEmpty == false || templateId?.isEmpty == false else { return "the message has neither text nor a template" }
        if let text, text.count > Self.maximumTextCharacters {
            return "the text is \(text.count) characters, above the \(Self.maximumTextCharacters)-character limit"
        }
        if let templateId, templateId.count > 100 { return "the template id is longer than 100 characters" }
        guard templateParameters.count <= 50, templateParameters.allSatisfy({ $0.key.count <= 100 && $0.value.count <= 500 }) else {
            return "too many or too long template parameters (at most 50, names of 100 and values of 500 characters)"
        }
        return nil
    }
}

/// Sends SMS through the configured provider URL.
public struct SMSSender: MessageSender {
    public let provider: SMSProvider
    let client: HTTPClient
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        provider: SMSProvider,
        client: HTTPClient = .messaging,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "siyu.messaging.sms")
    ) {
        self.provider = provider
        self.client = client
        self.now = now
        self.logger = logger
    }

    /// The document posted to the provider.
    struct Body: Encodable {
        struct Template: Encodable {
            var id: String
            var parameters: [String: String]
        }
        var to: String
        var text: String?
        var template: Template?
        var sender: String?
    }

    public func send(_ message: SMSMessage, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        if let problem = HTTPPost.problem(with: provider.url) { return .misconfigured("SMS provider: \(problem)") }
        if let token = provider.bearerToken, let problem = HeaderSafety.problem("the bearer token", token) {
            return .misconfigured("SMS provider: \(problem)")
        }
        if let problem = message.problem ?? attempt.problem { return .invalid("SMS: \(problem)") }
        let document = Body(
            to: message.to,
            text: message.text,
            template: message.templateId.map { Body.Template(id: $0, parameters: message.templateParameters) },
            sender: provider.sender
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let body = try? Array(encoder.encode(document)) else { return .invalid("SMS: the message could not be encoded as JSON") }
        var headers = [
            ("Content-Type", "application/json"),
            ("User-Agent", "Siyu-SMS/1"),
            ("X-Siyu-Idempotency-Key", attempt.idempotencyKey),
            ("X-Siyu-Delivery", attempt.deliveryId),
        ]
        if let secret = provider.secret {
            let timestamp = Int64(now().timeIntervalSince1970.rounded(.down))
            headers.append((WebhookSignature.headerName, WebhookSignature.header(body: body, secret: secret, timestamp: timestamp)))
        }
        if let token = provider.bearerToken { headers.append(("Authorization", "Bearer \(token)")) }
        let outcome: DeliveryOutcome
        switch await HTTPPost(client: client, timeout: provider.timeout).post(url: provider.url, headers: headers, body: body) {
        case .success(let answer): outcome = .http(status: answer.status, body: answer.text, retryAfter: answer.retryAfter)
        case .failure(let failure): outcome = .retryableFailure(failure)
        }
        logger.debug("SMS attempt", metadata: ["delivery": "\(attempt.deliveryId)", "outcome": "\(outcome.summary)"])
        return outcome
    }
}
