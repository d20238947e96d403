import Foundation

/// The encodings an e-mail needs to carry UTF-8 over 7-bit SMTP: quoted-printable or base64 bodies (RFC 2045 §6.7,
/// §6.8), encoded words in headers (RFC 2047), mailboxes and the RFC 5322 date.
enum MIMEEncoding {
    /// `text` with its line breaks (CRLF, CR, LF, and the Unicode ones) as CRLF hard breaks, each line
    /// quoted-printable: bytes outside `!`…`~`, `=` and a space or tab ending a line as `=XX`, soft breaks (`=` CRLF)
    /// keeping every encoded line within 76 characters. No CRLF is added after the last line.
    static func quotedPrintable(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        for (number, line) in lines(text).enumerated() {
            if number > 0 { output += "\r\n" }
            let bytes = Array(line.utf8)
            var current = ""
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let token: String
                switch byte {
                case 0x20, 0x09: token = isLast ? hex(byte) : String(UnicodeScalar(byte))
                case 0x21...0x7E where byte != UInt8(ascii: "="): token = String(UnicodeScalar(byte))
                default: token = hex(byte)
                }
                if current.utf8.count + token.utf8.count > 75 {
                    output += current + "=\r\n"
                    current = ""
                }
                current += token
            }
            output += current
        }
        return output
    }

    /// `text` with its line breaks as CRLF, in base64 lines of 76 characters (RFC 2045 §6.8): a third the size of
    /// quoted-printable for Chinese text, where every byte would be an `=XX`.
    static func base64(_ text: String) -> String {
        let encoded = Array(Data(lines(text).joined(separator: "\r\n").utf8).base64EncodedString().utf8)
        return stride(from: 0, to: encoded.count, by: 76).map { String(decoding: encoded[$0..<min($0 + 76, encoded.count)], as: UTF8.self) }
            .joined(separator: "\r\n")
    }

    /// Whether `text` is better sent as base64: when more than a quarter of its UTF-8 bytes are not ASCII.
    static func prefersBase64(_ text: String) -> Bool {
        let bytes = text.utf8
        return bytes.lazy.filter { $0 >= 0x80 }.count * 4 > bytes.count
    }

    /// The lines of `text`, split at CRLF, CR, LF, NEL, LS and PS.
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline })
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [UInt8(ascii: "="), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }

    /// `text` as RFC 2047 encoded words `=?UTF-8?B?…?=`, each at most 75 characters (45 bytes of UTF-8), cut between
    /// characters (between scalars only inside a character longer than 45 bytes), so every word decodes on its own.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func add(_ bytes: [UInt8]) {
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        for character in text {
            let bytes = Array(character.utf8)
            if bytes.count <= 45 {
                add(bytes)
            } else {
                for scalar in character.unicodeScalars { add(Array(String(scalar).utf8)) }
            }
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words
    }

    /// A header field: `Name: value` as it is when plain ASCII that fits in 78 characters and cannot be mistaken for
    /// an encoded word, otherwise as encoded words folded onto continuation lines.
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let plain = value.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) || $0 == "\t" }
        if plain, !value.contains("=?"), name.utf8.count + 2 + value.utf8.count <= 78 {
            return "\(name): \(value)"
        }
        return "\(name): " + encodedWords(value).joined(separator: "\r\n ")
    }

    /// `Name <address>` with the name as an atom sequence, a quoted string or encoded words, whichever it needs; the
    /// bare address when there is no name.
    static func mailbox(_ address: EmailAddress) -> String {
        guard let name = address.displayName?.trimmingCharacters(in: .whitespaces), !name.isEmpty else { return address.address }
        let specials = Set("()<>[]:;@\\,.\"".unicodeScalars)
        let printable = name.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) }
        let phrase: String
        if printable, !name.contains("=?") {
            if name.unicodeScalars.contains(where: { specials.contains($0) }) {
                phrase = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            } else {
                phrase = name
            }
        } else {
            phrase = encodedWords(name).joined(separator: "\r\n ")
        }
        return "\(phrase) <\(address.address)>"
    }

    /// An address-list header, one mailbox per line.
    static func addressHeader(_ name: String, _ addresses: [EmailAddress]) -> String {
        "\(name): " + addresses.map(mailbox).joined(separator: ",\r\n ")
    }

    /// The RFC 5322 date of `date` in UTC: `Tue, 05 May 2026 08:30:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
