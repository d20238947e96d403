import SiyuCore

/// Numbers, percentages, money and compact counts written the way a reader of the locale expects.
///
/// Both languages group thousands with commas (`1,234,567`); compact counts differ: Chinese counts
/// in 万 (10⁴) and 亿 (10⁸), English in k, M and B. Money is exact: it is formatted from integer
/// minor units, never through floating point.
public struct LocaleFormat: Sendable {
    public let locale: ConsoleLocale

    public init(_ locale: ConsoleLocale) { self.locale = locale }

    /// An integer with thousands grouped: `1234567` → `1,234,567`.
    public func integer(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    public func integer(_ value: Int) -> String { integer(Int64(value)) }

    /// A fraction as a percentage with `digits` decimals: `0.1234` → `12.3%`.
    public func percent(_ fraction: Double, digits: Int = 1) -> String {
        decimal(fraction * 100, digits: digits) + "%"
    }

    /// A relative change with its sign: `0.052` → `+5.2%`, `-0.1` → `−10.0%` (a true minus sign).
    public func signedPercent(_ fraction: Double, digits: Int = 1) -> String {
        let text = decimal(abs(fraction) * 100, digits: digits)
        if text == decimal(0, digits: digits) { return text + "%" }
        return (fraction < 0 ? "−" : "+") + text + "%"
    }

    /// Money from minor units and an ISO code: `123450, "CNY"` → `¥1,234.50`; `"USD"` → `$1,234.50`;
    /// currencies without a symbol here are written with their code (`EUR 1,234.50`).
    /// With `wholeFrom`, amounts of at least that many major units are written without the minor
    /// unit, rounded half away from zero (tiles: `127153116, "CNY", wholeFrom: 10_000` → `¥1,271,531`).
    public func money(minorUnits: Int64, currency: String, wholeFrom: Int64? = nil) -> String {
        let code = currency.uppercased()
        let exponent = Money.exponent(of: code)
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let units = minorUnits.magnitude / UInt64(scale)
        let dropsMinor = wholeFrom.map { units >= $0.magnitude } ?? false
        let rounded = dropsMinor && minorUnits.magnitude % UInt64(scale) * 2 >= UInt64(scale) ? units + 1 : units
        var text = integer(Int64(clamping: rounded))
        if exponent > 0 && !dropsMinor {
            let fraction = String(minorUnits.magnitude % UInt64(scale))
            text += "." + String(repeating: "0", count: exponent - fraction.count) + fraction
        }
        let sign = minorUnits < 0 ? "-" : ""
        if let symbol = Self.symbols[code] { return sign + symbol + text }
        return sign + code + " " + text
    }

    /// A count shortened for tiles: Chinese `12,345` → `1.2万`, `340,000,000` → `3.4亿`; English
    /// `12,345` → `12.3k`, `1,234,567` → `1.2M`. One decimal, dropped when it is zero; counts below
    /// the first unit are written in full.
    public func compact(_ value: Int64) -> String {
        let units: [(size: UInt64, suffix: String)] =
            locale == .zhCN ? [(100_000_000, "亿"), (10_000, "万")] : [(1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")]
        let magnitude = value.magnitude
        guard let smallest = units.last, magnitude >= smallest.size else { return integer(value) }
        // Largest unit first, so that rounding carries into it (999,950 → 1M, not 1,000k); halves round up, in integers.
        for unit in units {
            let tenth = unit.size / 10
            let tenths = (magnitude + tenth / 2) / tenth
            guard tenths >= 10 else { continue }
            let text = integer(Int64(tenths / 10)) + (tenths % 10 == 0 ? "" : ".\(tenths % 10)")
            return (value < 0 ? "-" : "") + text + unit.suffix
        }
        return integer(value)
    }

    /// A decimal number with `digits` decimals and grouped thousands: `1234.5` → `1,234.5`.
    public func decimal(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int64(scaled / scale)
        let fraction = Int64(scaled - Double(whole) * scale)
        var text = integer(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return value < 0 && scaled != 0 ? "-" + text : text
    }

    /// Symbols of the currencies operators of this product commonly use.
    static let symbols: [String: String] = ["CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$", "TWD": "NT$"]
}
