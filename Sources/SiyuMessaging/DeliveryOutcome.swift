/// What one attempt to hand a message to a provider came to, so the outbox's delivery job knows whether to mark it sent,
/// try again later, or give up and show the reason to the operator.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The provider accepted the message; its answer is kept (SMTP queue id, HTTP status and the start of the body).
    case delivered(ProviderResponse)
    /// It may succeed later: a network error, a timeout, HTTP 408/429/5xx, an SMTP 4xx reply, WeCom 45009 or -1.
    case retryableFailure(DeliveryFailure)
    /// It will not succeed as it is: HTTP 4xx (but 408/429), an SMTP 5xx reply, another WeCom errcode, an invalid
    /// message or a bad configuration.
    case permanentFailure(DeliveryFailure)

    /// The failure, when the attempt failed.
    public var failure: DeliveryFailure? {
        switch self {
        case .delivered: nil
        case .retryableFailure(let failure), .permanentFailure(let failure): failure
        }
    }

    /// Whether the provider accepted the message.
    public var isDelivered: Bool {
        if case .delivered = self { return true }
        return false
    }

    /// Whether a later attempt may succeed.
    public var isRetryable: Bool {
        if case .retryableFailure = self { return true }
        return false
    }
}

/// What a provider answered: an HTTP status or SMTP reply code, and the start of its text.
public struct ProviderResponse: Sendable, Hashable, Codable {
    /// How many bytes of a provider's answer are kept (and read at all, for HTTP bodies).
    public static let textLimit = 4_096

    /// The HTTP status, or the SMTP reply code (for a delivered e-mail, the code of the answer to the end of DATA).
    public var code: Int
    /// The HTTP body or the SMTP reply text (e.g. `2.0.0 Ok: queued as 4F1A2B`), at most ``textLimit`` bytes of UTF-8.
    public var text: String

    public init(code: Int, text: String) {
        self.code = code
        self.text = Self.truncated(text)
    }

    /// `text` cut to at most ``textLimit`` bytes of UTF-8, on a character boundary.
    static func truncated(_ text: String) -> String {
        guard text.utf8.count > textLimit else { return text }
        var kept = 0
        var end = text.startIndex
        for index in text.indices {
            let width = text[index].utf8.count
            if kept + width > textLimit { break }
            kept += width
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}

/// Why an attempt failed, in words an operator can act on.
public struct DeliveryFailure: Error, Sendable, Hashable {
    /// The kind of failure.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// No connection, a connection lost, or a TLS handshake that failed.
        case connection
        /// The provider did not answer in time.
        case timeout
        /// The provider refused the message (an HTTP status, an SMTP reply, a WeCom errcode).
        case rejected
        /// The provider asked Siyu to slow down (HTTP 429, WeCom 45009).
        case rateLimited
        /// The provider answered something that does not follow its protocol.
        case protocolViolation
        /// The message cannot be sent as it is: a bad address, a line break in a header, too large.
        case invalidMessage
        /// The channel is configured wrongly: a bad URL, a missing trust root file, TLS required but not offered.
        case configuration
    }

    public var cause: Cause
    /// What happened, for the operator and the logs; never contains a password or a secret.
    public var reason: String
    /// The provider's answer, when there was one.
    public var response: ProviderResponse?
    /// How long the provider asked Siyu to wait before trying again (an HTTP `Retry-After` in seconds), when it did.
    public var retryAfter: Duration?

    public init(_ cause: Cause, _ reason: String, response: ProviderResponse? = nil, retryAfter: Duration? = nil) {
        self.cause = cause
        self.reason = reason
        self.response = response
        self.retryAfter = retryAfter
    }
}

extension DeliveryOutcome {
    /// Classifies an HTTP answer: 2xx delivered; 408, 429 and 5xx retryable; every other status (3xx, 4xx) permanent.
    /// A redirect is permanent because Siyu posts signed bodies only to the URL it was given.
    public static func http(status: Int, body: String, retryAfter: Duration? = nil) -> DeliveryOutcome {
        let response = ProviderResponse(code: status, text: body)
        switch status {
        case 200..<300:
            return .delivered(response)
        case 429:
            return .retryableFailure(
                DeliveryFailure(.rateLimited, "HTTP 429: the receiver asks to slow down", response: response, retryAfter: retryAfter)
            )
        case 408, 500..<600:
            return .retryableFailure(DeliveryFailure(.rejected, "HTTP \(status) from the receiver", response: response, retryAfter: retryAfter))
        case 300..<400:
            return .permanentFailure(
                DeliveryFailure(.configuration, "HTTP \(status): the receiver redirects; configure the final URL", response: response)
            )
        default:
            return .permanentFailure(DeliveryFailure(.rejected, "HTTP \(status) from the receiver", response: response))
        }
    }

    /// Classifies an SMTP reply that was not the one expected at `stage`: 4xx retryable, 5xx permanent, anything else
    /// (a reply code that makes no sense there) a permanent protocol violation.
    static func smtp(_ reply: SMTPReply, at stage: String) -> DeliveryOutcome {
        let response = ProviderResponse(code: reply.code, text: reply.text)
        let reason = "SMTP \(stage): the server answered \(reply.code) \(reply.text)"
        switch reply.code {
        case 400..<500: return .retryableFailure(DeliveryFailure(.rejected, reason, response: response))
        case 500..<600: return .permanentFailure(DeliveryFailure(.rejected, reason, response: response))
        default: return .permanentFailure(DeliveryFailure(.protocolViolation, reason, response: response))
        }
    }

    /// A message refused before anything was sent.
    static func invalid(_ reason: String) -> DeliveryOutcome {
        .permanentFailure(DeliveryFailure(.invalidMessage, reason))
    }

    /// A channel that cannot work as configured.
    static func misconfigured(_ reason: String) -> DeliveryOutcome {
        .permanentFailure(DeliveryFailure(.configuration, reason))
    }
}
