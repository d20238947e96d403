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
        // Most cells start and end with a visible ASCII character other than `=`: nothing to do.
        if let first = raw.utf8.first, let last = raw.utf8.last, first > 0x20, first < 0x7F, first != UInt8(ascii: "="), last > 0x20,
            last < 0x7F
        {
            return raw
        }
        let trimmed = trim(raw)
        if trimmed.hasPrefix("=\""), trimmed.hasSuffix("\""), trimmed.utf8.count >= 3 {
            return trim(trimmed.dropFirst(2).dropLast())
        }
        return trimmed
    }

    /// Whether the text is a number Excel shortened to scientific notation, such as `1.38E+10`
    /// (Excel always writes the `+`): the digits it stood for are lost.
    static func isScientificNotation(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard let e = utf8.firstIndex(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }), e > 0, e + 2 <= utf8.count else {
            return false
        }
        let mantissa = utf8[..<e]
        guard utf8[e + 1] == UInt8(ascii: "+") else { return false }
        let exponent = utf8[(e + 2)...]
        let isDigit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        return !exponent.isEmpty && exponent.allSatisfy(isDigit) && mantissa.allSatisfy { isDigit($0) || $0 == UInt8(ascii: ".") }
            && isDigit(mantissa[mantissa.startIndex])
    }

    /// First bytes of the placeholder ids, in either case.
    static let placeholderInitials: Set<UInt8> = Set(
        TrackingRequest.placeholderIds.flatMap { [$0.lowercased().utf8.first, $0.uppercased().utf8.first] }.compactMap { $0 }
    )

    /// An id (user, anonymous, order, openid): `nil` when empty; refused when a placeholder such as
    /// `null` or `0`, longer than 255 bytes, or mangled into scientific notation.
    static func id(_ text: String) throws(ImportValueError) -> String? {
        guard let first = text.utf8.first else { return nil }
        // Lower-casing only ids that start like a placeholder keeps the common case cheap.
        if text.utf8.count <= 20, placeholderInitials.contains(first), TrackingRequest.placeholderIds.contains(text.lowercased()) {
            throw ImportValueError("`\(text)` is a placeholder, not an id")
        }
        guard text.utf8.count <= TrackingRequest.maximumIdLength else {
            throw ImportValueError("id is longer than \(TrackingRequest.maximumIdLength) bytes")
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
        // Only ASCII digits and separators: then the digits are exactly what
        // `IdentityExtractor.normalizePhone` keeps, and the same prefix rules apply.
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."),
                UInt8(ascii: "/"):
                continue
            default: throw ImportValueError("not a phone number")
            }
        }
        let eight = UInt8(ascii: "8")
        let six = UInt8(ascii: "6")
        let zero = UInt8(ascii: "0")
        if digits.count >= 4, digits[0] == zero, digits[1] == zero, digits[2] == eight, digits[3] == six {
            digits.removeFirst(4)
        } else if digits.count == 13, digits[0] == eight, digits[1] == six {
            digits.removeFirst(2)
        }
        guard digits.count >= 6, digits.count <= 20 else { throw ImportValueError("not a phone number") }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Spellings of currencies that are not ISO codes but common in Chinese exports.
    static let currencyAliases: [String: String] = ["RMB": "CNY", "人民币": "CNY", "元": "CNY", "¥": "CNY", "￥": "CNY"]

    /// An upper-cased ISO 4217 code, `nil` when the text is not one.
    static func currencyCode(_ text: String) -> String? {
        let trimmed = trim(text)
        if let alias = currencyAliases[trimmed.uppercased()] { return alias }
        return Money.isCurrencyCode(trimmed) ? trimmed.uppercased() : nil
    }

    /// An amount in major units (`1,299.90`, `¥1299.9`, `-¥5`, `RMB 1,299.90`, `1299.90元`) as exact
    /// minor units of a currency with `exponent` decimals, read the way
    /// ``Money/minorUnits(decimalText:exponent:)`` reads decimals (digits past the currency's
    /// rounding half away from zero), but stricter about commas.
    ///
    /// Commas must group thousands (`1,299`): `12,5` is refused rather than read as 125, since
    /// it is a decimal comma in files from Europe. At most 15 integer digits.
    static func amount(_ text: String, exponent: Int) throws(ImportValueError) -> Int64 {
        var text = text
        let result = text.withUTF8 { parseAmount(Array($0), exponent: exponent) }
        switch result {
        case .success(let minor): return minor
        case .failure(let error): throw error
        }
    }

    private static let symbolPrefixes: [[UInt8]] = [Array("¥".utf8), Array("￥".utf8), Array("$".utf8), Array("€".utf8), Array("£".utf8)]
    private static let yuan = Array("元".utf8)

    private static func parseAmount(_ bytes: [UInt8], exponent: Int) -> Result<Int64, ImportValueError> {
        let notAmount = ImportValueError("not an amount")
        var i = 0
        var end = bytes.count
        func skipSpaces() { while i < end, bytes[i] == 0x20 { i += 1 } }
        func startsWith(_ prefix: [UInt8]) -> Bool { end - i >= prefix.count && Array(bytes[i..<(i + prefix.count)]) == prefix }
        if end >= yuan.count, Array(bytes[(end - yuan.count)...]) == yuan { end -= yuan.count }
        while end > i, bytes[end - 1] == 0x20 { end -= 1 }
        var negative = false
        var sawSign = false
        func sign() {
            guard !sawSign, i < end, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") else { return }
            negative = bytes[i] == UInt8(ascii: "-")
            sawSign = true
            i += 1
        }
        sign()
        if end - i >= 3 {
            let word = bytes[i..<(i + 3)].map { $0 & 0xDF }  // ASCII upper case
            if word == Array("CNY".utf8) || word == Array("RMB".utf8) { i += 3 }
        }
        if let symbol = symbolPrefixes.first(where: startsWith) { i += symbol.count }
        skipSpaces()
        sign()
        var whole: Int64 = 0
        var digits = 0
        var groupDigits = 0
        var sawComma = false
        while i < end {
            let byte = bytes[i]
            if byte >= 0x30, byte <= 0x39 {
                whole = whole * 10 + Int64(byte - 0x30)
                digits += 1
                groupDigits += 1
                guard digits <= 15 else { return .failure(notAmount) }
            } else if byte == UInt8(ascii: ",") {
                // The first group has 1-3 digits, every later one exactly 3.
                guard groupDigits >= 1, sawComma ? groupDigits == 3 : groupDigits <= 3 else { return .failure(commaError) }
                sawComma = true
                groupDigits = 0
            } else {
                break
            }
            i += 1
        }
        if sawComma, groupDigits != 3 { return .failure(commaError) }
        let scale = Money.pow10(exponent)
        var minor = whole * scale
        var fractionDigits = 0
        if i < end, bytes[i] == UInt8(ascii: ".") {
            i += 1
            var place = scale / 10
            while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                let digit = Int64(bytes[i] - 0x30)
                if fractionDigits < exponent {
                    minor += digit * place
                    place /= 10
                } else if fractionDigits == exponent, digit >= 5 {
                    minor += 1  // round half away from zero on the first dropped digit
                }
                fractionDigits += 1
                i += 1
            }
            if i < end, bytes[i] == UInt8(ascii: ",") { return .failure(commaError) }
        }
        guard i == end, digits + fractionDigits > 0 else { return .failure(notAmount) }
        guard Money.isEventAmount(minor) else {
            return .failure(ImportValueError("amount beyond the limit of \(Money.maximumEventMinorUnits) minor units"))
        }
        return .success(negative ? -minor : minor)
    }

    private static let commaError = ImportValueError("not an amount (a comma may only group thousands, as in 1,299.00)")

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
        if text.utf8.count <= 9, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let whole = Int64(text), whole > 0 { return whole }
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
