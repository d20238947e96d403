import Crypto
import Foundation
import NIOCore
import SiyuTestSupport
import Testing

@testable import SiyuMessaging

/// Sends through a real SMTP server, aiosmtpd, run by Tests/Clients/smtp_receiver.py; the messages are checked as
/// Python's email package decoded them on arrival, not as Siyu wrote them.
@Suite(.enabled(if: TestPython.isEnabled, TestPython.skipReason), .serialized)
struct SMTPDeliveryTests {
    let subject = "私域运营周报：本周新增会员一千二百三十四人 🎉"
    let text = "你好，张伟！\n本周新增会员 1,234 人。\n.这一行以点开头\n" + String(repeating: "长", count: 60) + "\nend = 结束"
    let html = "<html><body><p>你好，<b>张伟</b>！</p><p>=3D is not an escape here</p></body></html>"
    let sentAt = Date(timeIntervalSince1970: 1_700_000_000)

    func newsletter(to: [String] = ["zhang.wei@example.com", "li.na@example.com"]) -> EmailMessage {
        EmailMessage(
            from: EmailAddress("news@brand.example", displayName: "品牌小助手"),
            to: to.map { EmailAddress($0) },
            cc: [EmailAddress("cc@example.com", displayName: "Copy, Person")],
            bcc: [EmailAddress("audit@example.com")],
            subject: subject,
            textBody: text,
            htmlBody: html,
            unsubscribeURL: "https://brand.example/unsubscribe/t0k3n"
        )
    }

    func configuration(_ receiver: SMTPReceiverProcess, security: SMTPConfiguration.Security = .startTLS) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "localhost",
            port: receiver.port,
            security: security,
            trustRoots: .pemFile(receiver.caPath),
            username: SMTPReceiverProcess.username,
            password: SMTPReceiverProcess.password,
            clientName: "siyu.test",
            replyTimeout: .seconds(10)
        )
    }

    func withReceiver(
        tls: String = "starttls",
        auth: String = "required",
        ehlo: Bool = true,
        _ body: (SMTPReceiverProcess) async throws -> Void
    ) async throws {
        let receiver = try await SMTPReceiverProcess.start(tls: tls, auth: auth, ehlo: ehlo)
        defer { receiver.stop() }
        try await body(receiver)
    }

    @Test func deliversOverStartTLSWithAuthPlain() async throws {
        try await withReceiver { receiver in
            let sender = SMTPSender(configuration: configuration(receiver), now: { sentAt })
            let outcome = await sender.send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "journey-42:person-7"))
            let mail = try #require(try receiver.messages().first)
            // The provider response is the receiver's own reply to the end of DATA, with the queue id it logged.
            #expect(outcome == .delivered(ProviderResponse(code: 250, text: "2.0.0 Ok: queued as \(mail.queue_id)")))
            #expect(mail.tls && mail.authenticated && mail.helo == "siyu.test")
            #expect(mail.mail_from == "news@brand.example")
            #expect(mail.rcpt_tos == ["zhang.wei@example.com", "li.na@example.com", "cc@example.com", "audit@example.com"])
            #expect(mail.to == ["zhang.wei@example.com", "li.na@example.com"] && mail.cc == ["cc@example.com"] && !mail.bcc_header)
            #expect(mail.subject == subject)
            #expect(mail.from_name == "品牌小助手" && mail.from_address == "news@brand.example")
            #expect(mail.content_type == "multipart/alternative")
            // Mostly Chinese, the text went as base64 of its canonical form, CRLF line breaks (RFC 2045 §6.8), which
            // Python decodes as they are; the HTML, mostly ASCII, went as quoted-printable.
            #expect(mail.text?.replacingOccurrences(of: "\r\n", with: "\n") == text)
            #expect(mail.html == html)
            #expect(mail.list_unsubscribe == "<https://brand.example/unsubscribe/t0k3n>")
            #expect(mail.list_unsubscribe_post == "List-Unsubscribe=One-Click")
            #expect(mail.date == "Tue, 14 Nov 2023 22:13:20 +0000")
            // The Message-ID is the first 16 bytes of SHA-256 of the idempotency key, in hex, at the sender's domain.
            let digest = SHA256.hash(data: Array("journey-42:person-7".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
            #expect(mail.message_id == "<\(digest)@brand.example>")
            #expect(mail.defects.isEmpty)
            // On the wire: 7-bit, CRLF line endings only, no line over 998 characters.
            let raw = try #require(Data(base64Encoded: mail.raw))
            #expect(raw.allSatisfy { $0 < 0x80 })
            let text = String(decoding: raw, as: UTF8.self)
            #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
            #expect(text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        }
    }

    @Test func authLoginAndImplicitTLS() async throws {
        try await withReceiver { receiver in
            var login = configuration(receiver)
            login.authenticationMechanisms = [.login]
            let outcome = await SMTPSender(configuration: login).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "login"))
            #expect(outcome.isDelivered, "\(outcome)")
            let received = try receiver.messages()
            #expect(received.map(\.authenticated) == [true])
        }
        try await withReceiver(tls: "implicit") { receiver in
            let sender = SMTPSender(configuration: configuration(receiver, security: .implicitTLS))
            let outcome = await sender.send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "smtps"))
            #expect(outcome.isDelivered, "\(outcome)")
            let mail = try #require(try receiver.messages().first)
            #expect(mail.tls && mail.authenticated && mail.subject == subject)
        }
    }

    @Test func aWrongPasswordIsPermanent() async throws {
        try await withReceiver { receiver in
            var wrong = configuration(receiver)
            wrong.password = "not-the-password"
            let outcome = await SMTPSender(configuration: wrong).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "k"))
            // aiosmtpd answers a failed AUTH with 535 5.7.8 (RFC 4954 §6).
            guard case .permanentFailure(let failure) = outcome else {
                Issue.record("expected a permanent failure, got \(outcome)")
                return
            }
            #expect(failure.response?.code == 535)
            #expect(!failure.reason.contains("not-the-password"))
            let received = try receiver.messages()
            #expect(received.isEmpty)
        }
    }

    @Test func recipientRepliesDecideAndNothingIsHalfSent() async throws {
        try await withReceiver { receiver in
            let sender = SMTPSender(configuration: configuration(receiver))
            // 451 to one recipient: retryable, and the accepted one got nothing either.
            let busy = await sender.send(newsletter(to: ["ok@example.com", "retry-x@example.com"]), attempt: DeliveryAttempt(idempotencyKey: "a"))
            #expect(busy.isRetryable)
            #expect(busy.failure?.response?.code == 451)
            // 550 to one recipient: permanent.
            let unknown = await sender.send(
                newsletter(to: ["ok@example.com", "reject-x@example.com"]),
                attempt: DeliveryAttempt(idempotencyKey: "b")
            )
            guard case .permanentFailure(let failure) = unknown else {
                Issue.record("expected a permanent failure, got \(unknown)")
                return
            }
            #expect(failure.response?.code == 550 && failure.reason.contains("reject-x@example.com"))
            // 452 at the end of DATA: retryable.
            let full = await sender.send(newsletter(to: ["data-retry-x@example.com"]), attempt: DeliveryAttempt(idempotencyKey: "c"))
            #expect(full.isRetryable && full.failure?.response?.code == 452)
            let received = try receiver.messages()
            #expect(received.isEmpty)
        }
    }

    @Test func startTLSPolicies() async throws {
        try await withReceiver(tls: "none", auth: "none") { receiver in
            var required = configuration(receiver)
            required.username = nil
            required.password = nil
            // Required but not offered: refused before MAIL FROM.
            let refused = await SMTPSender(configuration: required).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "r"))
            #expect(refused.failure?.cause == .configuration && !refused.isRetryable)
            // Opportunistic: goes on in plaintext.
            var opportunistic = required
            opportunistic.security = .startTLSWhenOffered
            let sent = await SMTPSender(configuration: opportunistic).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "o"))
            #expect(sent.isDelivered, "\(sent)")
            // But a password is never sent without TLS unless that is allowed.
            var withPassword = configuration(receiver, security: .startTLSWhenOffered)
            withPassword.username = SMTPReceiverProcess.username
            let kept = await SMTPSender(configuration: withPassword).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "p"))
            #expect(kept.failure?.cause == .configuration && kept.failure?.reason.contains("without TLS") == true)
            let received = try receiver.messages()
            #expect(received.map(\.tls) == [false])
        }
    }

    @Test func heloWhenEHLOIsNotUnderstood() async throws {
        try await withReceiver(tls: "none", auth: "none", ehlo: false) { receiver in
            var plain = configuration(receiver, security: .none)
            plain.username = nil
            plain.password = nil
            let outcome = await SMTPSender(configuration: plain).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "h"))
            #expect(outcome.isDelivered, "\(outcome)")
            let received = try receiver.messages()
            #expect(received.map(\.helo) == ["siyu.test"])
        }
    }

    @Test func certificatesAreVerified() async throws {
        try await withReceiver { receiver in
            // The system roots do not know the test CA: the handshake fails, retryable (a certificate can be fixed).
            var untrusted = configuration(receiver)
            untrusted.trustRoots = .system
            let outcome = await SMTPSender(configuration: untrusted).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "t"))
            #expect(outcome.isRetryable && outcome.failure?.reason.contains("TLS") == true, "\(outcome)")
            // A trust-root file that does not exist is a configuration error.
            var missing = configuration(receiver)
            missing.trustRoots = .pemFile(receiver.directory.appendingPathComponent("nope.pem").path)
            let misconfigured = await SMTPSender(configuration: missing).send(newsletter(), attempt: DeliveryAttempt(idempotencyKey: "m"))
            #expect(misconfigured.failure?.cause == .configuration && !misconfigured.isRetryable)
            let received = try receiver.messages()
            #expect(received.isEmpty)
        }
    }
}

/// SMTP failures that need no real server.
@Suite struct SMTPConnectionFailureTests {
    let message = EmailMessage(
        from: EmailAddress("news@brand.example"),
        to: [EmailAddress("a@example.com")],
        subject: "Hi",
        textBody: "Hello"
    )

    @Test func aServerThatIsNotListeningIsRetryable() async throws {
        let port = try await closedPort()
        let sender = SMTPSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none))
        let outcome = await sender.send(message, attempt: DeliveryAttempt(idempotencyKey: "k"))
        #expect(outcome.isRetryable && outcome.failure?.cause == .connection, "\(outcome)")
    }

    @Test func aServerThatNeverGreetsTimesOut() async throws {
        let server = try await silentServer()
        let port = try #require(server.localAddress?.port)
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: .none, replyTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let outcome = await SMTPSender(configuration: configuration).send(message, attempt: DeliveryAttempt(idempotencyKey: "k"))
        let elapsed = ContinuousClock.now - started
        try await server.close()
        #expect(outcome.isRetryable && outcome.failure?.cause == .timeout, "\(outcome)")
        // Not a speed check: the 300 ms reply timeout ended the wait (a loaded machine may take seconds
        // to get there); without it the send would hang until the test run's own limit.
        #expect(elapsed < .seconds(60))
    }
}

/// The protocol's corner cases, against a scripted server.
@Suite struct SMTPProtocolTests {
    let message = EmailMessage(
        from: EmailAddress("news@brand.example"),
        to: [EmailAddress("a@example.com")],
        subject: "Hi",
        textBody: "Hello"
    )

    func send(_ security: SMTPConfiguration.Security = .none, answer: @escaping @Sendable (String) -> String?) async throws -> DeliveryOutcome {
        let server = try await scriptedSMTPServer(answer: answer)
        let port = try #require(server.localAddress?.port)
        let configuration = SMTPConfiguration(host: "127.0.0.1", port: port, security: security, replyTimeout: .seconds(2))
        let outcome = await SMTPSender(configuration: configuration).send(message, attempt: DeliveryAttempt(idempotencyKey: "k"))
        try await server.close()
        return outcome
    }

    @Test func plaintextAfterTheSTARTTLSReplyIsRefused() async throws {
        // A man in the middle answers STARTTLS and appends a reply of its own, hoping it is read as if over TLS.
        let outcome = try await send(.startTLS) { line in
            if line.hasPrefix("EHLO") { return "250-scripted.test\r\n250 STARTTLS\r\n" }
            if line == "STARTTLS" { return "220 2.0.0 Ready\r\n250 injected\r\n" }
            return nil
        }
        #expect(outcome.failure?.cause == .protocolViolation && !outcome.isRetryable, "\(outcome)")
    }

    @Test func whatIsNotSMTPIsAProtocolViolation() async throws {
        let outcome = try await send { _ in "HTTP/1.1 400 Bad Request\r\n" }
        #expect(outcome.failure?.cause == .protocolViolation && !outcome.isRetryable, "\(outcome)")
    }

    @Test func aGreetingOf421AndAConnectionDroppedAreRetryable() async throws {
        let server = try await scriptedSMTPServer(greeting: "421 4.3.2 Too busy, try later\r\n") { _ in nil }
        let port = try #require(server.localAddress?.port)
        let busy = await SMTPSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none)).send(
            message,
            attempt: DeliveryAttempt(idempotencyKey: "k")
        )
        try await server.close()
        #expect(busy.isRetryable && busy.failure?.response?.code == 421, "\(busy)")

        let dropped = try await send { line in line.hasPrefix("EHLO") ? "250 scripted.test\r\n" : "CLOSE" }
        #expect(dropped.isRetryable && dropped.failure?.cause == .connection, "\(dropped)")
    }

    @Test func theServersSizeLimitIsRespected() async throws {
        var big = message
        big.textBody = String(repeating: "x", count: 20_000)
        let server = try await scriptedSMTPServer { line in line.hasPrefix("EHLO") ? "250-scripted.test\r\n250 SIZE 10000\r\n" : nil }
        let port = try #require(server.localAddress?.port)
        let outcome = await SMTPSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: port, security: .none)).send(
            big,
            attempt: DeliveryAttempt(idempotencyKey: "k")
        )
        try await server.close()
        #expect(outcome.failure?.cause == .invalidMessage && outcome.failure?.reason.contains("at most 10000") == true, "\(outcome)")
        // Over Siyu's own 1 MiB limit nothing is even connected to.
        big.textBody = String(repeating: "x", count: 1_100_000)
        let local = await SMTPSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: 9, security: .none)).send(
            big,
            attempt: DeliveryAttempt(idempotencyKey: "k")
        )
        #expect(local.failure?.cause == .invalidMessage && local.failure?.reason.contains("1048576") == true, "\(local)")
    }
}
