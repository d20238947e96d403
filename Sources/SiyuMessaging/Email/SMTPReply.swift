import NIOCore

/// One SMTP reply, single- or multi-line (`250-first`, …, `250 last`).
struct SMTPReply: Sendable, Hashable {
    /// The three-digit code, 200 to 599.
    var code: Int
    /// The text of each line, without the code and separator.
    var lines: [String]

    /// The lines joined with a space, for messages and the provider response.
    var text: String { lines.joined(separator: " ") }

    /// The extension keywords of an EHLO reply, upper-cased, with their parameters: `["AUTH": ["PLAIN", "LOGIN"]]`.
    /// The first line is the server's greeting, not an extension. `AUTH=PLAIN LOGIN` (an old form) counts as AUTH.
    var extensions: [String: [String]] {
        var found: [String: [String]] = [:]
        for line in lines.dropFirst() {
            var words = line.split(separator: " ").map { $0.uppercased() }
            guard !words.isEmpty else { continue }
            if words[0].hasPrefix("AUTH=") {
                words[0] = String(words[0].dropFirst(5))
                found["AUTH", default: []] += words
            } else {
                found[words[0], default: []] += words.dropFirst()
            }
        }
        return found
    }
}

/// Why the server's replies could not be read.
struct SMTPProtocolError: Error, CustomStringConvertible {
    var description: String
}

/// Reads replies from the bytes a server sends, with bounds: a line of at most 2,048 bytes, a reply of at most 200 lines.
struct SMTPReplyParser {
    static let maximumLineBytes = 2_048
    static let maximumLines = 200

    private var buffer = ByteBuffer()
    private var pendingLines: [String] = []
    private var pendingCode: Int?

    /// Whether bytes or lines of an unfinished reply are waiting: after the reply to STARTTLS there must be none,
    /// or the server (or a man in the middle) sent plaintext meant to be read as if it came over TLS.
    var hasUnfinishedInput: Bool { buffer.readableBytes > 0 || !pendingLines.isEmpty }

    /// Adds `bytes` and returns the replies they complete.
    mutating func feed(_ bytes: inout ByteBuffer) throws -> [SMTPReply] {
        buffer.writeBuffer(&bytes)
        var replies: [SMTPReply] = []
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - buffer.readerIndex
            guard var line = buffer.readBytes(length: length) else { break }
            buffer.moveReaderIndex(forwardBy: 1)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if let reply = try take(line) { replies.append(reply) }
        }
        if buffer.readableBytes > Self.maximumLineBytes {
            throw SMTPProtocolError(description: "a reply line longer than \(Self.maximumLineBytes) bytes")
        }
        buffer.discardReadBytes()
        return replies
    }

    /// One line: `ddd-text` continues a reply, `ddd text` or `ddd` ends it.
    private mutating func take(_ line: [UInt8]) throws -> SMTPReply? {
        guard line.count <= Self.maximumLineBytes else {
            throw SMTPProtocolError(description: "a reply line longer than \(Self.maximumLineBytes) bytes")
        }
        guard line.count >= 3, (UInt8(ascii: "2")...UInt8(ascii: "5")).contains(line[0]),
            line[1...2].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw SMTPProtocolError(description: "not an SMTP reply: \(String(decoding: line.prefix(80), as: UTF8.self).debugDescription)")
        }
        let code = Int(line[0] - 48) * 100 + Int(line[1] - 48) * 10 + Int(line[2] - 48)
        let separator = line.count > 3 ? line[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw SMTPProtocolError(description: "not an SMTP reply line: \(String(decoding: line.prefix(80), as: UTF8.self).debugDescription)")
        }
        if let pendingCode, pendingCode != code {
            throw SMTPProtocolError(description: "a multi-line reply changed its code from \(pendingCode) to \(code)")
        }
        pendingCode = code
        pendingLines.append(String(decoding: line.dropFirst(4), as: UTF8.self))
        guard pendingLines.count <= Self.maximumLines else {
            throw SMTPProtocolError(description: "a reply of more than \(Self.maximumLines) lines")
        }
        guard separator == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingLines = []
        self.pendingCode = nil
        return reply
    }
}
