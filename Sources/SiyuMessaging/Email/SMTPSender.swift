import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends e-mail to an SMTP relay: greeting, EHLO (HELO when EHLO is not understood), STARTTLS and EHLO again, AUTH
/// PLAIN or LOGIN, MAIL FROM, RCPT TO for every recipient, DATA with the dot-stuffed message, QUIT. One connection per
/// message; every step has its timeout.
///
/// A message goes to all its recipients or to none: if the relay refuses any RCPT TO the transaction is abandoned
/// before DATA, so a retry cannot send a second copy to those it accepted.
public struct SMTPSender: MessageSender {
    public let configuration: SMTPConfiguration
    let group: any EventLoopGroup
    /// Built once: nil without TLS, a failure when the trust roots could not be loaded.
    let tls: Result<NIOSSLContext, DeliveryFailure>?
    let now: @Sendable () -> Date
    let logger: Logger

    public init(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "siyu.messaging.smtp")
    ) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.now = now
        self.logger = logger
        tls = configuration.security == .none ? nil : Self.tlsContext(configuration.trustRoots)
    }

    private static func tlsContext(_ roots: SMTPConfiguration.TrustRoots) -> Result<NIOSSLContext, DeliveryFailure> {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        do {
            if case .pemFile(let path) = roots {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                guard !certificates.isEmpty else { return .failure(DeliveryFailure(.configuration, "SMTP: no certificate in \(path)")) }
                tls.trustRoots = .certificates(certificates)
            }
            return .success(try NIOSSLContext(configuration: tls))
        } catch {
            return .failure(DeliveryFailure(.configuration, "SMTP: the TLS trust roots could not be loaded: \(error)"))
        }
    }

    public func send(_ message: EmailMessage, attempt: DeliveryAttempt) async -> DeliveryOutcome {
        if let problem = configuration.problem { return .misconfigured("SMTP: \(problem)") }
        if let problem = message.problem ?? attempt.problem { return .invalid("e-mail: \(problem)") }
        var tlsContext: NIOSSLContext?
        switch tls {
        case .failure(let failure): return .permanentFailure(failure)
        case .success(let context): tlsContext = context
        case nil: tlsContext = nil
        }
        let mime = MIMEMessage(
            message,
            messageID: MIMEMessage.messageID(idempotencyKey: attempt.idempotencyKey, domain: message.from.domain),
            date: now()
        )
        guard mime.bytes.count <= EmailMessage.maximumBytes else {
            return .invalid("e-mail: the message is \(mime.bytes.count) bytes, above the \(EmailMessage.maximumBytes)-byte limit")
        }
        let outcome = await deliver(mime, message: message, tlsContext: tlsContext)
        logger.debug(
            "SMTP attempt",
            metadata: ["delivery": "\(attempt.deliveryId)", "messageID": "\(mime.messageID)", "outcome": "\(outcome.summary)"]
        )
        return outcome
    }

    /// The conversation, with every way it can end classified.
    private func deliver(_ mime: MIMEMessage, message: EmailMessage, tlsContext: NIOSSLContext?) async -> DeliveryOutcome {
        let serverHostname = Self.isIPAddress(configuration.host) ? nil : configuration.host
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.connect(
                host: configuration.host,
                port: configuration.port,
                timeout: configuration.connectTimeout,
                tls: configuration.security == .implicitTLS ? tlsContext.map { ($0, serverHostname) } : nil,
                group: group
            )
        } catch {
            return .retryableFailure(Self.failure(error, connecting: true, configuration: configuration))
        }
        let outcome: DeliveryOutcome
        do {
            var conversation = SMTPConversation(connection: connection, configuration: configuration)
            outcome = try await conversation.run(mime: mime, message: message, tlsContext: tlsContext, serverHostname: serverHostname)
        } catch let stop as SMTPConversation.Stop {
            outcome = stop.outcome
        } catch {
            let failure = Self.failure(error, connecting: false, configuration: configuration)
            outcome = failure.cause == .protocolViolation ? .permanentFailure(failure) : .retryableFailure(failure)
        }
        await connection.close()
        return outcome
    }

    /// A failure below the SMTP replies: timeouts and lost connections (retryable), replies that are not SMTP or data
    /// injected around STARTTLS (protocol violations, permanent).
    static func failure(_ error: any Error, connecting: Bool, configuration: SMTPConfiguration) -> DeliveryFailure {
        let server = "\(configuration.host):\(configuration.port)"
        switch error {
        case let error as SMTPConnectionError:
            if case .timedOut = error { return DeliveryFailure(.timeout, "SMTP \(server): \(error)") }
            if case .dataAfterStartTLS = error { return DeliveryFailure(.protocolViolation, "SMTP \(server): \(error)") }
            return DeliveryFailure(.connection, "SMTP \(server): \(error)")
        case let error as SMTPProtocolError:
            return DeliveryFailure(.protocolViolation, "SMTP \(server): \(error)")
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return DeliveryFailure(.connection, "SMTP \(server): TLS failed: \(error)")
        case ChannelError.connectTimeout:
            return DeliveryFailure(.timeout, "SMTP \(server): no connection within \(configuration.connectTimeout)")
        default:
            return DeliveryFailure(.connection, "SMTP \(server): \(connecting ? "could not connect" : "connection failed"): \(error)")
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
