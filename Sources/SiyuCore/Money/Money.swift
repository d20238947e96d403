/// Amounts are integer minor units (分, cents) with an ISO 4217 code; never floating point.
public struct Money: Sendable, Hashable, Codable, Comparable {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Largest amount one event may carry, in minor units either side of zero: 10¹³ (¥100 billion).
    /// Larger order amounts are refused where they enter, as an item error.
    public static let maximumEventMinorUnits: Int64 = 10_000_000_000_000
    /// Largest total kept anywhere amounts accumulate (a profile's revenue, a sum in a report), in
    /// minor units either side of zero: 10¹⁷. Totals stop there instead of overflowing.
    public static let maximumTotalMinorUnits: Int64 = 100_000_000_000_000_000

    /// Whether an amount is within ``maximumEventMinorUnits``.
    public static func isEventAmount(_ minorUnits: Int64) -> Bool {
        minorUnits >= -maximumEventMinorUnits && minorUnits <= maximumEventMinorUnits
    }

    /// An amount read from storage, held within ``maximumEventMinorUnits`` (rows written before
    /// the limit existed may hold more).
    public static func clampedEventAmount(_ minorUnits: Int64) -> Int64 {
        Swift.min(Swift.max(minorUnits, -maximumEventMinorUnits), maximumEventMinorUnits)
    }

    /// A total held within ``maximumTotalMinorUnits``.
    public static func clampedTotal(_ minorUnits: Int64) -> Int64 {
        Swift.min(Swift.max(minorUnits, -maximumTotalMinorUnits), maximumTotalMinorUnits)
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

    /// What an amount field holds.
    public enum Reading: Sendable, Equatable {
        /// An amount within ``maximumEventMinorUnits``, in minor units.
        case amount(Int64)
        /// A number beyond ``maximumEventMinorUnits`` (or beyond any integer).
        case outOfRange
        /// Not a finite number.
        case notANumber
    }

    /// Reads an amount in major units (`25.99`, `"25.99"`, `100`) into minor units, rounding half
    /// away from zero; `nil` for anything that is not a finite number within ``maximumEventMinorUnits``.
    public static func minorUnits(_ value: JSONValue, currency: String) -> Int64? {
        if case .amount(let minor) = read(value, currency: currency) { return minor }
        return nil
    }

    /// Reads an amount in major units, telling a number out of range from something that is no number.
    public static func read(_ value: JSONValue, currency: String) -> Reading {
        let exponent = exponent(of: currency)
        let minor: Int64
        switch value {
        case .int(let i):
            let (result, overflow) = i.multipliedReportingOverflow(by: pow10(exponent))
            guard !overflow else { return .outOfRange }
            minor = result
        case .double(let d):
            guard d.isFinite else { return .notANumber }
            let scaled = (d * Double(pow10(exponent))).rounded(.toNearestOrAwayFromZero)
            guard abs(scaled) <= Double(maximumEventMinorUnits) else { return .outOfRange }
            minor = Int64(scaled)
        case .string(let s):
            switch minorUnitsReading(decimalText: s, exponent: exponent) {
            case .amount(let result): minor = result
            case let other: return other
            }
        default:
            return .notANumber
        }
        return isEventAmount(minor) ? .amount(minor) : .outOfRange
    }

    /// Exact conversion of decimal text such as `-1,234.565` to minor units. Commas are accepted
    /// only as thousands separators (`1,299.90`; `12,5` is refused rather than misread), and a
    /// leading currency sign may stand before or after the minus sign.
    public static func minorUnits(decimalText: String, exponent: Int) -> Int64? {
        if case .amount(let minor) = minorUnitsReading(decimalText: decimalText, exponent: exponent) { return minor }
        return nil
    }

    /// ``minorUnits(decimalText:exponent:)`` telling too many digits (`outOfRange`) from text that is no number.
    static func minorUnitsReading(decimalText: String, exponent: Int) -> Reading {
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
        guard parts.count <= 2, let whole = parts.first else { return .notANumber }
        let groups = whole.split(separator: ",", omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard let head = groups.first, (1...3).contains(head.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return .notANumber }
        }
        let digits = groups.joined()
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(digits.isEmpty && fraction.isEmpty), digits.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit) else {
            return .notANumber
        }
        guard digits.drop(while: { $0 == "0" }).count <= 15 else { return .outOfRange }
        var result = Int64(String(digits.drop(while: { $0 == "0" }))) ?? 0
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
        return .amount(negative ? -result : result)
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
