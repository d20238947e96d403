import Foundation
import NIOSSL

/// The commands and replies of one SMTP transaction on an open connection (RFC 5321 §3, RFC 3207, RFC 4954).
struct SMTPConversation {
    /// Ends the conversation with this outcome (a reply that was not the one expected, a policy refusal).
    struct Stop: Error {
        var outcome: DeliveryOutcome
    }

    let connection: SMTPConnection
    let configuration: SMTPConfiguration
    private var isSecure: Bool

    init(connection: SMTPConnection, configuration: SMTPConfiguration) {
        self.connection = connection
        self.configuration = configuration
        isSecure = configuration.security == .implicitTLS
    }

    /// Runs the transaction; returns the delivered outcome (the reply to the end of DATA) or throws ``Stop`` or the
    /// connection's error.
    mutating func run(
        mime: MIMEMessage,
        message: EmailMessage,
        tlsContext: NIOSSLContext?,
        serverHostname: String?
    ) async throws
        -> DeliveryOutcome
    {
        let greeting = try await connection.reply(timeout: configuration.replyTimeout, waitingFor: "the greeting")
        try expect(greeting, 220, "greeting")
        var extensions = try await hello()

        if configuration.security == .startTLS || configuration.security == .startTLSWhenOffered {
            if extensions["STARTTLS"] != nil, let tlsContext {
                try expect(try await command("STARTTLS"), 220, "STARTTLS")
                try await connection.startTLS(context: tlsContext, serverHostname: serverHostname)
                isSecure = true
                // RFC 3207 §4.2: everything learnt before TLS is forgotten; ask again.
                extensions = try await hello()
            } else if configuration.security == .startTLS {
                throw Stop(outcome: .misconfigured("SMTP: the server does not offer STARTTLS, which the configuration requires"))
            }
        }

        if let username = configuration.username, let password = configuration.password {
            try await authenticate(username: username, password: password, offered: extensions["AUTH"] ?? [])
        }

        if let limit = extensions["SIZE"]?.first.flatMap({ Int($0) }), limit > 0, mime.bytes.count > limit {
            throw Stop(outcome: .invalid("e-mail: the message is \(mime.bytes.count) bytes; the server takes at most \(limit)"))
        }

        try expect(try await command("MAIL FROM:<\(message.from.address)>", name: "MAIL FROM"), 250, "MAIL FROM")
        var refusals: [(address: String, reply: SMTPReply)] = []
        for recipient in message.recipients {
            let reply = try await command("RCPT TO:<\(recipient.address)>", name: "RCPT TO")
            if reply.code != 250 && reply.code != 251 { refusals.append((recipient.address, reply)) }
        }
        if !refusals.isEmpty {
            _ = try? await connection.command("RSET", name: "RSET", timeout: Self.courtesyTimeout(configuration))
            throw Stop(outcome: Self.refused(refusals))
        }
        try expect(try await command("DATA"), 354, "DATA")
        let final = try await connection.write(Self.dataBlock(mime.bytes), name: "the end of the message", timeout: configuration.dataTimeout)
        try expect(final, 250, "end of DATA")
        // The relay has the message; a QUIT that goes wrong or slowly changes nothing.
        _ = try? await connection.command("QUIT", name: "QUIT", timeout: Self.courtesyTimeout(configuration))
        return .delivered(ProviderResponse(code: final.code, text: final.text))
    }

    /// EHLO, or HELO when the server does not know EHLO; the extensions offered (none after HELO).
    private func hello() async throws -> [String: [String]] {
        let ehlo = try await command("EHLO \(configuration.clientName)", name: "EHLO")
        if ehlo.code == 250 { return ehlo.extensions }
        guard [500, 501, 502, 504, 550].contains(ehlo.code) else { throw Stop(outcome: .smtp(ehlo, at: "EHLO")) }
        try expect(try await command("HELO \(configuration.clientName)", name: "HELO"), 250, "HELO")
        return [:]
    }

    /// AUTH with the first configured mechanism the server offers; credentials only over TLS unless allowed.
    private func authenticate(username: String, password: String, offered: [String]) async throws {
        guard isSecure || configuration.allowsPlaintextAuthentication else {
            throw Stop(outcome: .misconfigured("SMTP: refusing to send the password over a connection without TLS"))
        }
        guard let mechanism = configuration.authenticationMechanisms.first(where: { offered.contains($0.rawValue) }) else {
            let offeredText = offered.isEmpty ? "no AUTH at all" : "AUTH \(offered.joined(separator: " "))"
            throw Stop(outcome: .misconfigured("SMTP: the server offers \(offeredText); Siyu can use PLAIN or LOGIN"))
        }
        switch mechanism {
        case .plain:
            let token = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try expect(try await command("AUTH PLAIN \(token)", name: "AUTH PLAIN"), 235, "AUTH PLAIN")
        case .login:
            try expect(try await command("AUTH LOGIN", name: "AUTH LOGIN"), 334, "AUTH LOGIN")
            try expect(try await command(Data(username.utf8).base64EncodedString(), name: "the AUTH LOGIN user name"), 334, "AUTH LOGIN")
            try expect(try await command(Data(password.utf8).base64EncodedString(), name: "the AUTH LOGIN password"), 235, "AUTH LOGIN")
        }
    }

    /// How long RSET and QUIT, which decide nothing, may keep the outcome waiting.
    static func courtesyTimeout(_ configuration: SMTPConfiguration) -> Duration {
        min(configuration.replyTimeout, .seconds(5))
    }

    private func command(_ line: String, name: String? = nil) async throws -> SMTPReply {
        try await connection.command(line, name: name ?? line, timeout: configuration.replyTimeout)
    }

    private func expect(_ reply: SMTPReply, _ code: Int, _ stage: String) throws {
        guard reply.code == code else { throw Stop(outcome: .smtp(reply, at: stage)) }
    }

    /// Recipients refused: permanent if any refusal is permanent (5xx), retryable otherwise.
    static func refused(_ refusals: [(address: String, reply: SMTPReply)]) -> DeliveryOutcome {
        let reason =
            "SMTP RCPT TO refused, nothing sent: "
            + refusals.map { "\($0.address): \($0.reply.code) \($0.reply.text)" }.joined(separator: "; ")
        let first = refusals.first(where: { $0.reply.code >= 500 }) ?? refusals[0]
        let failure = DeliveryFailure(.rejected, reason, response: ProviderResponse(code: first.reply.code, text: first.reply.text))
        return (400..<500).contains(first.reply.code) ? .retryableFailure(failure) : .permanentFailure(failure)
    }

    /// The message as DATA sends it (RFC 5321 §4.5.2): every line break as CRLF (a bare CR or LF never reaches the
    /// wire, which closes the door to "SMTP smuggling"), a dot doubled at the start of a line, CRLF after the last line
    /// and the terminating `.` line.
    static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let dot = UInt8(ascii: ".")
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            index += 1
            if byte == cr || byte == lf {
                if byte == cr, index < message.count, message[index] == lf { index += 1 }
                output += [cr, lf]
                atLineStart = true
                continue
            }
            if atLineStart && byte == dot { output.append(dot) }
            output.append(byte)
            atLineStart = false
        }
        if !atLineStart { output += [cr, lf] }
        output += [dot, cr, lf]
        return output
    }
}
