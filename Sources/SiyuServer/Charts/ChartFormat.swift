/// Turns a value into the text shown on an axis, a bar or a tooltip, e.g. `¥1,234.50` or `1.2万`.
public typealias ChartValueFormatter = @Sendable (Double) -> String

/// The default number formatters: thousands grouped with `,`, trailing zeros of decimals trimmed.
///
/// They need no locale data, so their output is the same on every machine; an app that wants
/// currency, `万`/`亿` or another grouping passes its own ``ChartValueFormatter`` to the chart.
public enum ChartFormat {
    /// A plain number: two decimals at most from 1 up, four below 1, trailing zeros dropped,
    /// thousands grouped (`1234.5` → `1,234.5`, `0.125` → `0.125`, `-3` → `-3`).
    public static func number(_ value: Double) -> String {
        decimal(value, fractionDigits: abs(value) >= 1 ? 2 : 4)
    }

    /// A fraction as a percentage with at most one decimal (`0.25` → `25%`, `1 / 3` → `33.3%`).
    public static func percent(_ fraction: Double) -> String {
        decimal(fraction * 100, fractionDigits: 1) + "%"
    }

    /// `value` rounded half away from zero to `fractionDigits` decimals (0…6), trailing zeros
    /// trimmed, thousands grouped with `separator` (none if empty). A value that rounds to zero
    /// is `0`, never `-0`; NaN and infinities give an empty string.
    public static func decimal(_ value: Double, fractionDigits: Int, separator: String = ",") -> String {
        guard value.isFinite else { return "" }
        let digits = min(max(fractionDigits, 0), 6)
        var unit: UInt64 = 1
        for _ in 0..<digits { unit *= 10 }
        let scaled = (abs(value) * Double(unit)).rounded()
        // Beyond 2^53 a Double holds no decimals anyway; print whole-number digits only.
        guard scaled < 9e15 else { return (value < 0 ? "-" : "") + grouped(wholeDigits(abs(value)), separator: separator) }
        let units = UInt64(scaled)
        var text = grouped(String(units / unit), separator: separator)
        let fraction = units % unit
        if fraction > 0 {
            var fractionText = String(fraction)
            fractionText = String(repeating: "0", count: digits - fractionText.count) + fractionText
            while fractionText.last == "0" { fractionText.removeLast() }
            text += "." + fractionText
        }
        return units > 0 && value < 0 ? "-" + text : text
    }

    /// Decimal digits of a whole number given as a non-negative Double too large for `UInt64` maths.
    private static func wholeDigits(_ value: Double) -> String {
        guard value >= 1 else { return "0" }
        var remaining = value.rounded()
        var digits: [Character] = []
        while remaining >= 1 && digits.count < 400 {
            let next = (remaining / 10).rounded(.down)
            let digit = Int(remaining - next * 10)
            digits.append(Character(String(min(max(digit, 0), 9))))
            remaining = next
        }
        return String(digits.reversed())
    }

    /// `digits` with `separator` inserted between groups of three from the right.
    private static func grouped(_ digits: String, separator: String) -> String {
        guard !separator.isEmpty, digits.count > 3 else { return digits }
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += separator }
            result.append(character)
        }
        return result
    }
}
