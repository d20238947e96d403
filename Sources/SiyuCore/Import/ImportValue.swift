/// Why one value of a row was refused; the importer adds the line number.
struct ImportValueError: Error, Sendable, Equatable {
    var reason: String

    init(_ reason: String) { self.reason = reason }
}

/// Cleaning and checking of single CSV cells.
enum ImportValue {
    /// Characters trimmed from both ends of a cell: ASCII blanks, no-break and ideographic spaces,
    /// zero-width spaces and stray byte order marks.
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "\u{A0}", "\u{3000}", "\u{200B}", "\u{FEFF}": return true
        default: return false
        }
    }

    /// The text without blanks at either end.
    static func trim(_ text: some StringProtocol) -> String {
        let string = String(text)
        let scalars = string.unicodeScalars
        guard let head = scalars.first, let tail = scalars.last, isBlank(head) || isBlank(tail) else { return string }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(Substring(scalars[first...last]))
    }

    /// A cell as a value: trimmed, with Excel's text guard `="00123"` unwrapped.
    static func clean(_ raw: String) -> String {
        let trimmed = trim(raw)
        if trimmed.hasPrefix("=\""), trimmed.hasSuffix("\""), trimmed.utf8.count >= 3 {
            return trim(trimmed.dropFirst(2).dropLast())
        }
        return trimmed
    }

    /// Whether the text is a number Excel shortened to scientific notation, such as `1.38E+10`:
    /// the digits it stood for are lost.
    static func isScientificNotation(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard let e = utf8.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }), e > 0, e + 2 <= utf8.count else {
            return false
        }
        let mantissa = utf8[..<e]
        var exponent = utf8[(e + 1)...]
        if exponent.first == UInt8(ascii: "+") { exponent = exponent.dropFirst() }
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        return !exponent.isEmpty && exponent.allSatisfy(isDigit) && mantissa.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") }
            && isDigit(mantissa[mantissa.startIndex])
    }

    /// An id (user, anonymous, order, openid): `nil` when empty; refused when a placeholder such as
    /// `null` or `0`, longer than 255 bytes, or mangled into scientific notation.
    static func id(_ text: String) throws(ImportValueError) -> String? {
        guard !text.isEmpty else { return nil }
        if text.utf8.count <= 20, SegmentRequest.placeholderIds.contains(text.lowercased()) {
            throw ImportValueError("`\(text)` is a placeholder, not an id")
        }
        guard text.utf8.count <= SegmentRequest.maximumIdLength else {
            throw ImportValueError("id is longer than \(SegmentRequest.maximumIdLength) bytes")
        }
        if isScientificNotation(text) {
            throw ImportValueError("Excel shortened this number to scientific notation; format the column as text and export again")
        }
        return text
    }

    /// A lower-cased e-mail address, `nil` when empty.
    static func email(_ text: String) throws(ImportValueError) -> String? {
        guard !text.isEmpty else { return nil }
        guard let normalized = IdentityExtractor.normalizeEmail(text) else { throw ImportValueError("not an e-mail address") }
        return normalized
    }

    /// The digits of a phone number (without a +86 prefix), `nil` when empty.
    static func phone(_ text: String) throws(ImportValueError) -> String? {
        guard !text.isEmpty else { return nil }
        if isScientificNotation(text) {
            throw ImportValueError("Excel shortened this number to scientific notation; format the column as text and export again")
        }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            ("0"..."9").contains(scalar) || " +-()./".unicodeScalars.contains(scalar)
        }
        guard allowed, let normalized = IdentityExtractor.normalizePhone(text) else { throw ImportValueError("not a phone number") }
        return normalized
    }

    /// Spellings of currencies that are not ISO codes but common in Chinese exports.
    static let currencyAliases: [String: String] = ["RMB": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY"]

    /// An upper-cased ISO 4217 code, `nil` when the text is not one.
    static func currencyCode(_ text: String) -> String? {
        let trimmed = trim(text)
        if let alias = currencyAliases[trimmed.uppercased()] { return alias }
        return Money.isCurrencyCode(trimmed) ? trimmed.uppercased() : nil
    }

    /// An amount in major units (`1,299.90`, `¥1299.9`, `1299.90元`) as exact minor units of a
    /// currency with `exponent` decimals.
    ///
    /// Commas must group thousands (`1,299`): `12,5` is refused rather than read as 125, since
    /// it is a decimal comma in files from Europe. More decimals than the currency has round half
    /// away from zero.
    static func amount(_ text: String, exponent: Int) throws(ImportValueError) -> Int64 {
        var body = Substring(text)
        if body.hasSuffix("元") { body = body.dropLast() }
        for code in ["CNY", "RMB"] where body.uppercased().hasPrefix(code) { body = body.dropFirst(3) }
        let trimmed = trim(body)
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        if parts[0].contains(",") || (parts.count > 1 && parts[1].contains(",")) {
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            let leading = groups[0].filter(\.isASCIIDigit).count
            guard (1...3).contains(leading), groups.dropFirst().allSatisfy({ $0.count == 3 && $0.allSatisfy(\.isASCIIDigit) }),
                parts.count == 1 || !parts[1].contains(",")
            else { throw ImportValueError("not an amount (a comma may only group thousands, as in 1,299.00)") }
        }
        guard let minor = Money.minorUnits(decimalText: trimmed, exponent: exponent) else { throw ImportValueError("not an amount") }
        return minor
    }

    /// An amount as a JSON number in major units: an integer when whole, otherwise the double
    /// nearest to the exact decimal (`minor / 10^exponent` is one correctly rounded division).
    static func majorUnits(_ minor: Int64, exponent: Int) -> JSONValue {
        let scale = Money.pow10(exponent)
        if minor % scale == 0 { return .int(minor / scale) }
        return .double(Double(minor) / Double(scale))
    }

    /// A positive whole quantity (`2`, `2.0`), `nil` when empty.
    static func quantity(_ text: String) throws(ImportValueError) -> Int64? {
        guard !text.isEmpty else { return nil }
        guard let minor = Money.minorUnits(decimalText: text, exponent: 3), !text.contains(","), minor % 1000 == 0, minor > 0 else {
            throw ImportValueError("quantity must be a whole number of at least 1")
        }
        return minor / 1000
    }

    /// A channel key (`douyin`, `kol:lily`) from a cell: lower-cased, inner spaces as `_`, and
    /// well-known names such as `抖音` or `小红书` read as their keys; `nil` when empty.
    static func channel(_ text: String) throws(ImportValueError) -> String? {
        guard !text.isEmpty else { return nil }
        let key = text.lowercased().split(whereSeparator: { $0 == " " }).joined(separator: "_")
        if let known = ChannelAttribution.sourceAliases[key] { return known }
        guard Channel.isValidKey(key) else {
            throw ImportValueError("not a channel key (letters, digits, _ - . and one `prefix:`, e.g. douyin or kol:lily)")
        }
        return key
    }

    /// The value as the report shows it: at most 80 characters, line breaks as spaces.
    static func excerpt(_ text: String) -> String {
        let flat = String(text.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        return flat.count <= 80 ? flat : String(flat.prefix(79)) + "…"
    }
}
