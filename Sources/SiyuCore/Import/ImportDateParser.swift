/// Reads the date and time formats found in Chinese and international CSV exports.
///
/// Accepted, with 1- or 2-digit months, days and hours:
/// - `2024-05-01`, `2024/5/1`, `2024.05.01`, `2024年5月1日`, `20240501`;
/// - any of those followed by a space or `T` and `13:45`, `13:45:00`, `13:45:00.250`, or
///   `13时45分00秒`; `20240501134500`;
/// - an optional `Z`, `+08:00`, `+0800`, `+08`, `UTC`, `UTC+8` (otherwise the import's time zone applies);
/// - epoch time as 10 digits (seconds) or 13 digits (milliseconds).
///
/// Day-first and month-first forms such as `05/01/2024` are refused: they cannot be told apart.
struct ImportDateParser: Sendable {
    var converter: LocalTimeConverter

    init(zone: ImportTimeZone) {
        converter = LocalTimeConverter(zone: zone)
    }

    /// UTC epoch milliseconds, or `nil` when the text is not a date this parser knows.
    mutating func parse(_ text: String) -> Int64? {
        let s = Array(text.unicodeScalars)
        guard !s.isEmpty else { return nil }
        if s.allSatisfy(Self.isDigit) {
            switch s.count {
            case 10: return Int64(text).map { $0 * 1000 }
            case 13: return Int64(text)
            case 8, 14: break
            default: return nil
            }
        }
        var i = 0
        func digits(_ minCount: Int, _ maxCount: Int) -> Int? {
            var value = 0
            var count = 0
            while i < s.count, count < maxCount, Self.isDigit(s[i]) {
                value = value * 10 + Int(s[i].value - 48)
                i += 1
                count += 1
            }
            return count >= minCount ? value : nil
        }
        func take(_ options: String) -> Unicode.Scalar? {
            guard i < s.count, options.unicodeScalars.contains(s[i]) else { return nil }
            i += 1
            return s[i - 1]
        }
        func skipSpaces() -> Bool {
            let start = i
            while i < s.count, s[i] == " " || s[i] == "\u{3000}" { i += 1 }
            return i > start
        }

        // Date.
        let compact = s.count >= 8 && s.prefix(8).allSatisfy(Self.isDigit)
        guard let year = digits(4, 4) else { return nil }
        let month: Int
        let day: Int
        var chineseDate = false
        if compact {
            guard let m = digits(2, 2), let d = digits(2, 2) else { return nil }
            (month, day) = (m, d)
        } else {
            guard let separator = take("-/.年"), let m = digits(1, 2) else { return nil }
            chineseDate = separator == "年"
            let closing = chineseDate ? "月" : String(Character(separator))
            guard take(closing) != nil, let d = digits(1, 2) else { return nil }
            if chineseDate { _ = take("日号") }
            (month, day) = (m, d)
        }
        guard (1900...2999).contains(year), (1...12).contains(month), day >= 1, day <= Timestamp.daysInMonth(year: year, month: month) else {
            return nil
        }

        // Time.
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        let hadSpace = skipSpaces()
        if compact, i < s.count, Self.isDigit(s[i]), !hadSpace {
            guard let h = digits(2, 2), let m = digits(2, 2), let sec = digits(2, 2) else { return nil }
            (hour, minute, second) = (h, m, sec)
        } else if i < s.count, hadSpace || take("Tt") != nil || (chineseDate && Self.isDigit(s[i])), let h = digits(1, 2) {
            hour = h
            let chinese = take("时点") != nil
            guard chinese || take(":") != nil, let m = digits(2, 2) else { return nil }
            minute = m
            if chinese { _ = take("分") }
            if (chinese && i < s.count && Self.isDigit(s[i])) || take(":") != nil {
                guard let sec = digits(2, 2) else { return nil }
                second = sec
                if chinese { _ = take("秒") }
                if take(".,") != nil {
                    var scale = 100
                    guard i < s.count, Self.isDigit(s[i]) else { return nil }
                    while i < s.count, Self.isDigit(s[i]) {
                        millis += Int(s[i].value - 48) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
            second = min(second, 59)  // a leap second reads as the second before it
        }

        // Zone.
        _ = skipSpaces()
        var offset: Int?
        if take("Zz") != nil {
            offset = 0
        } else {
            if i + 3 <= s.count {
                let word = String(String.UnicodeScalarView(s[i..<(i + 3)])).uppercased()
                if word == "UTC" || word == "GMT" {
                    i += 3
                    offset = 0
                }
            }
            if let sign = take("+-") {
                guard let oh = digits(1, 2), oh <= 14 else { return nil }
                var om = 0
                if take(":") != nil {
                    guard let m = digits(2, 2) else { return nil }
                    om = m
                } else if i < s.count {
                    guard let m = digits(2, 2) else { return nil }
                    om = m
                }
                guard om <= 59 else { return nil }
                offset = (sign == "-" ? -1 : 1) * (oh * 3600 + om * 60)
            }
        }
        guard i == s.count else { return nil }
        if let offset {
            let days = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
            return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)) * 1000 + Int64(millis)
        }
        return converter.epochMillis(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millis)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 48 && scalar.value <= 57
    }
}
