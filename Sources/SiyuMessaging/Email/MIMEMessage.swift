import Crypto
import Foundation

/// An ``EmailMessage`` rendered as the RFC 5322 / MIME text sent after DATA: 7-bit, CRLF line endings, UTF-8 bodies as
/// quoted-printable (mostly ASCII) or base64 (mostly Chinese, say), text and HTML as `multipart/alternative` when both
/// are given.
public struct MIMEMessage: Sendable, Hashable {
    /// The rendered message, ending with CRLF; not dot-stuffed (SMTP does that on the wire).
    public let bytes: [UInt8]
    /// The Message-ID header's value, with its angle brackets.
    public let messageID: String

    /// Renders `email`. The caller validates it first (``EmailMessage/problem``).
    /// - Parameters:
    ///   - messageID: with angle brackets; ``messageID(idempotencyKey:domain:)`` makes one that is the same for every
    ///     attempt at one outbox entry, so a receiver or a mailbox can drop a duplicate.
    ///   - boundary: the multipart boundary; `=_` in it cannot occur in quoted-printable text, so no body can contain it.
    public init(_ email: EmailMessage, messageID: String, date: Date, boundary: String = "=_siyu_" + UUID().uuidString.lowercased()) {
        self.messageID = messageID
        var headers = [
            "Date: " + MIMEEncoding.date(date),
            MIMEEncoding.addressHeader("From", [email.from]),
            MIMEEncoding.addressHeader("To", email.to),
        ]
        if !email.cc.isEmpty { headers.append(MIMEEncoding.addressHeader("Cc", email.cc)) }
        if let replyTo = email.replyTo { headers.append(MIMEEncoding.addressHeader("Reply-To", [replyTo])) }
        headers.append(MIMEEncoding.unstructuredHeader("Subject", email.subject))
        headers.append("Message-ID: " + messageID)
        headers.append("MIME-Version: 1.0")
        if let url = email.unsubscribeURL {
            headers.append("List-Unsubscribe: <\(url)>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        var parts: [(type: String, body: String)] = []
        if let text = email.textBody, !text.isEmpty { parts.append(("text/plain", text)) }
        if let html = email.htmlBody, !html.isEmpty { parts.append(("text/html", html)) }

        var text = headers.joined(separator: "\r\n") + "\r\n"
        if parts.count == 1, let part = parts.first {
            text += Self.part(part.type, part.body)
        } else {
            text += "Content-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n"
            for part in parts {
                text += "--\(boundary)\r\n" + Self.part(part.type, part.body)
            }
            text += "--\(boundary)--\r\n"
        }
        bytes = Array(text.utf8)
    }

    /// A body part: its headers, a blank line, the encoded body and CRLF.
    private static func part(_ type: String, _ body: String) -> String {
        let base64 = MIMEEncoding.prefersBase64(body)
        return "Content-Type: \(type); charset=UTF-8\r\nContent-Transfer-Encoding: \(base64 ? "base64" : "quoted-printable")\r\n\r\n"
            + (base64 ? MIMEEncoding.base64(body) : MIMEEncoding.quotedPrintable(body)) + "\r\n"
    }

    /// `<first 32 hex digits of SHA-256(idempotencyKey)@domain>`: stable across retries, reveals nothing of the key.
    public static func messageID(idempotencyKey: String, domain: some StringProtocol) -> String {
        let digest = SHA256.hash(data: Array(idempotencyKey.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return "<\(digest)@\(domain)>"
    }
}
