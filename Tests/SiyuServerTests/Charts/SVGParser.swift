/// Why a document is not well-formed XML.
struct SVGParseError: Error, CustomStringConvertible {
    var description: String
}

/// A strict little XML parser: balanced and correctly nested tags, quoted and unique attributes,
/// only the five predefined and numeric entities, no raw `<` or `&`, exactly one root element.
/// Enough to prove chart output is well-formed without Foundation's XML parser.
struct SVGParser {
    private let bytes: [UInt8]
    private var index = 0

    /// Parses `document`, throwing ``SVGParseError`` at the first well-formedness error.
    static func parse(_ document: String) throws -> SVGElement {
        var parser = SVGParser(bytes: Array(document.utf8))
        return try parser.document()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// An error at the current position.
    private func fail(_ message: String) -> SVGParseError { SVGParseError(description: "\(message) at byte \(index)") }

    /// Whether the bytes at the current position spell `text`.
    private func starts(with text: String) -> Bool { bytes[index...].starts(with: Array(text.utf8)) }

    /// Moves past XML white space.
    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    /// Moves past the next `end` (of a comment or processing instruction); throws if there is none.
    private mutating func skipPast(_ end: String) throws {
        while index < bytes.count && !starts(with: end) { index += 1 }
        guard index < bytes.count else { throw fail("unterminated \(end)") }
        index += end.utf8.count
    }

    /// Optional prolog and comments, one root element, then only comments and space.
    private mutating func document() throws -> SVGElement {
        try skipMisc()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard index == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Moves past white space, comments and processing instructions.
    private mutating func skipMisc() throws {
        while true {
            skipSpace()
            if starts(with: "<?") { try skipPast("?>") } else if starts(with: "<!--") { try skipPast("-->") } else { return }
        }
    }

    /// An element or attribute name (ASCII letters, `_`, `:` or any non-ASCII first; then also digits, `-`, `.`).
    private mutating func name() throws -> String {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            let isNameByte = byte >= 0x80 || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F || byte == 0x3A
            let isLaterByte = index > start && ((byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E)
            guard isNameByte || isLaterByte else { break }
            index += 1
        }
        guard index > start else { throw fail("expected a name") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Character data up to `terminator`, with entities decoded; `<` is not allowed inside.
    private mutating func characters(until terminator: UInt8) throws -> String {
        var result: [UInt8] = []
        while index < bytes.count && bytes[index] != terminator {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") { throw fail("raw < in character data") }
            if byte == UInt8(ascii: "&") {
                guard let semicolon = bytes[index...].firstIndex(of: UInt8(ascii: ";")) else { throw fail("unterminated entity") }
                let entity = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
                result += Array(try Self.decode(entity, at: index).utf8)
                index = semicolon + 1
            } else {
                result.append(byte)
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The text of the entity `&entity;`: one of the five predefined ones or a numeric character reference.
    private static func decode(_ entity: String, at offset: Int) throws -> String {
        let named = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'"]
        if let text = named[entity] { return text }
        let isHex = entity.hasPrefix("#x")
        let digits = entity.dropFirst(isHex ? 2 : 1)
        if entity.hasPrefix("#"), let code = UInt32(digits, radix: isHex ? 16 : 10), let scalar = Unicode.Scalar(code) {
            return String(Character(scalar))
        }
        throw SVGParseError(description: "unknown entity &\(entity); at byte \(offset)")
    }

    /// The element starting at `<`: its attributes, then its content up to the matching end tag.
    private mutating func element() throws -> SVGElement {
        index += 1
        var node = SVGElement(name: try name(), attributes: [:], children: [], text: "")
        while true {
            let before = index
            skipSpace()
            guard index < bytes.count else { throw fail("unterminated start tag") }
            if starts(with: "/>") {
                index += 2
                return node
            }
            if bytes[index] == UInt8(ascii: ">") {
                index += 1
                break
            }
            guard index > before else { throw fail("expected space before an attribute") }
            let key = try name()
            guard node.attributes[key] == nil else { throw fail("duplicate attribute \(key)") }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else { throw fail("expected =") }
            index += 1
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "'") else { throw fail("unquoted value") }
            let quote = bytes[index]
            index += 1
            node.attributes[key] = try characters(until: quote)
            guard index < bytes.count else { throw fail("unterminated attribute") }
            index += 1
        }
        while true {
            node.text += try characters(until: UInt8(ascii: "<"))
            guard index < bytes.count else { throw fail("unclosed <\(node.name)>") }
            if starts(with: "<!--") {
                try skipPast("-->")
            } else if starts(with: "</") {
                index += 2
                let closing = try name()
                guard closing == node.name else { throw fail("</\(closing)> closes <\(node.name)>") }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ">") else { throw fail("expected >") }
                index += 1
                return node
            } else {
                node.children.append(try element())
            }
        }
    }
}
