import Foundation

/// How Siyu reaches its SMTP relay (a provider's submission port, or the brand's own server).
public struct SMTPConfiguration: Sendable, Hashable {
    /// How the connection is protected.
    public enum Security: String, Sendable, Hashable, Codable {
        /// STARTTLS on a plain connection (port 587); a server that does not offer it is refused.
        case startTLS = "starttls"
        /// STARTTLS when the server offers it, plaintext otherwise (credentials are still never sent in plaintext,
        /// unless ``SMTPConfiguration/allowsPlaintextAuthentication``).
        case startTLSWhenOffered = "opportunistic"
        /// TLS from the first byte (port 465, "SMTPS").
        case implicitTLS = "tls"
        /// No TLS at all: a relay on the same machine or network only.
        case none = "none"
    }

    /// Which certificates the server's chain must lead to.
    public enum TrustRoots: Sendable, Hashable {
        /// The system's CA bundle.
        case system
        /// The certificates in a PEM file (a private CA, or a test's self-signed certificate).
        case pemFile(String)
    }

    /// A SASL mechanism Siyu can authenticate with.
    public enum AuthenticationMechanism: String, Sendable, Hashable, Codable {
        case plain = "PLAIN"
        case login = "LOGIN"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var trustRoots: TrustRoots
    /// The user name and password, when the relay wants AUTH.
    public var username: String?
    public var password: String?
    /// Mechanisms to use, in order of preference, among those the server offers.
    public var authenticationMechanisms: [AuthenticationMechanism]
    /// Sending credentials over a connection without TLS is refused unless this is set (a relay on localhost).
    public var allowsPlaintextAuthentication: Bool
    /// The name Siyu gives in EHLO/HELO: this machine's host name as the relay should see it.
    public var clientName: String
    /// Connecting (TCP, and the TLS handshake for implicit TLS) ends within this time.
    public var connectTimeout: Duration
    /// Each reply must arrive within this time after the command that asks for it.
    public var replyTimeout: Duration
    /// The reply to the end of the message (after the relay has taken it in and queued it) may take this long
    /// (RFC 5321 §4.5.3.2 suggests 10 minutes; relays answer in seconds).
    public var dataTimeout: Duration

    public init(
        host: String,
        port: Int = 587,
        security: Security = .startTLS,
        trustRoots: TrustRoots = .system,
        username: String? = nil,
        password: String? = nil,
        authenticationMechanisms: [AuthenticationMechanism] = [.plain, .login],
        allowsPlaintextAuthentication: Bool = false,
        clientName: String = "localhost",
        connectTimeout: Duration = .seconds(10),
        replyTimeout: Duration = .seconds(30),
        dataTimeout: Duration = .seconds(120)
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.trustRoots = trustRoots
        self.username = username
        self.password = password
        self.authenticationMechanisms = authenticationMechanisms
        self.allowsPlaintextAuthentication = allowsPlaintextAuthentication
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.replyTimeout = replyTimeout
        self.dataTimeout = dataTimeout
    }

    /// A configuration from a URL, the way an operator writes it in one setting:
    /// `smtp://user:password@smtp.example.com:587` (STARTTLS required), `smtps://…:465` (implicit TLS), with optional
    /// query items `starttls=required|opportunistic|off`, `ca=/path/to/roots.pem`, `helo=name` and
    /// `allow_plaintext_auth=1`. User and password are percent-decoded. Returns nil for anything else.
    public init?(url: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), let host = components.host,
            !host.isEmpty
        else { return nil }
        let security: Security
        switch scheme {
        case "smtp": security = .startTLS
        case "smtps": security = .implicitTLS
        default: return nil
        }
        self.init(host: host, port: components.port ?? (security == .implicitTLS ? 465 : 587), security: security)
        username = components.user?.removingPercentEncoding
        password = components.password?.removingPercentEncoding
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "starttls" where security != .implicitTLS:
                switch value {
                case "required": self.security = .startTLS
                case "opportunistic": self.security = .startTLSWhenOffered
                case "off": self.security = .none
                default: return nil
                }
            case "ca" where !value.isEmpty: trustRoots = .pemFile(value)
            case "helo" where !value.isEmpty: clientName = value
            case "allow_plaintext_auth": allowsPlaintextAuthentication = value == "1" || value == "true"
            default: return nil
            }
        }
    }

    /// Why this configuration cannot work, or nil.
    var problem: String? {
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0.isNewline }) else { return "the SMTP host is empty or has spaces" }
        guard (1...65_535).contains(port) else { return "the SMTP port must be 1 to 65535" }
        if let problem = HeaderSafety.problem("the EHLO name", clientName) { return problem }
        guard !clientName.isEmpty, !clientName.contains(" ") else { return "the EHLO name must be one word" }
        if (username == nil) != (password == nil) { return "give both the SMTP user name and password, or neither" }
        if let username, let problem = HeaderSafety.problem("the SMTP user name", username) { return problem }
        if let password, password.unicodeScalars.contains(where: { $0 == "\0" }) { return "the SMTP password contains NUL" }
        if username != nil, authenticationMechanisms.isEmpty { return "no AUTH mechanism is allowed" }
        return nil
    }
}
