/// Amounts are integer minor units (分, cents) with an ISO 4217 code; never floating point.
public struct Money: Sendable, Hashable, Codable, Comparable {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// Decimal places of a currency's minor unit (ISO 4217): 0 for yen and won, 3 for dinars, else 2.
    public static func exponent(of currency: String) -> Int {
        switch currency.uppercased() {
        case "JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "IDR": return 0
        case "BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD": return 3
        default: return 2
        }
    }

    /// Whether `code` looks like an ISO 4217 code: three ASCII letters.
    public static func isCurrencyCode(_ code: String) -> Bool {
        code.utf8.count == 3 && code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// Reads an amount in major units (`25.99`, `"25.99"`, `100`) into minor units, rounding half
    /// away from zero; `nil` for anything that is not a finite number.
    public static func minorUnits(_ value: JSONValue, currency: String) -> Int64? {
        let exponent = exponent(of: currency)
        switch value {
        case .int(let i):
            let (result, overflow) = i.multipliedReportingOverflow(by: pow10(exponent))
            return overflow ? nil : result
        case .double(let d):
            guard d.isFinite, abs(d) < 1e13 else { return nil }
            return Int64((d * Double(pow10(exponent))).rounded(.toNearestOrAwayFromZero))
        case .string(let s):
            return minorUnits(decimalText: s, exponent: exponent)
        default:
            return nil
        }
    }

    /// Exact conversion of decimal text such as `-1,234.565` to minor units. Commas are accepted
    /// only as thousands separators (`1,299.90`; `12,5` is refused rather than misread), and a
    /// leading currency sign may stand before or after the minus sign.
    public static func minorUnits(decimalText: String, exponent: Int) -> Int64? {
        var text = Substring(decimalText.trimmingSpaces)
        var negative = false
        func dropSign() {
            if text.hasPrefix("-") {
                negative = true
                text = text.dropFirst()
            } else if text.hasPrefix("+") {
                text = text.dropFirst()
            }
        }
        dropSign()
        if let first = text.first, "¥$€£￥".contains(first) {
            text = text.dropFirst()
            if !negative { dropSign() }
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first else { return nil }
        let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard let head = groups.first, (1...3).contains(head.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        let digits = groups.joined()
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(digits.isEmpty && fraction.isEmpty), digits.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit), digits.count <= 15 else {
            return nil
        }
        var result = Int64(digits.isEmpty ? "0" : String(digits)) ?? 0
        result *= pow10(exponent)
        var scale = pow10(exponent) / 10
        for (position, digit) in fraction.enumerated() {
            let d = Int64(digit.asciiValue! - 48)
            if position < exponent {
                result += d * scale
                scale /= 10
            } else {
                if d >= 5 { result += 1 }  // round half away from zero on the first dropped digit
                break
            }
        }
        return negative ? -result : result
    }

    static func pow10(_ exponent: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// `1234.50` for 123450 minor units of a 2-decimal currency.
    public var decimalText: String {
        let exponent = Money.exponent(of: currency)
        guard exponent > 0 else { return String(minorUnits) }
        let scale = Money.pow10(exponent)
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        let whole = magnitude / UInt64(scale)
        let fraction = String(magnitude % UInt64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: exponent - fraction.count) + fraction
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
