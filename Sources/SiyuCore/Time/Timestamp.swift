/// Instants are UTC epoch milliseconds throughout Siyu; this reads and writes them as ISO 8601.
public enum Timestamp {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The (year, month, day) of a day number since 1970-01-01 (`civil_from_days`).
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    /// Parses ISO 8601 / RFC 3339 text into epoch milliseconds.
    ///
    /// Accepts `YYYY-MM-DD`, and `YYYY-MM-DDThh:mm[:ss[.fraction]]` with `T` or a space,
    /// followed by `Z`, `±hh:mm`, `±hhmm`, `±hh` or nothing (then `defaultOffsetSeconds`, UTC unless
    /// told otherwise). Fractions beyond milliseconds are truncated. Returns `nil` for anything else,
    /// including impossible dates such as February 30th.
    public static func parseISO8601(_ text: String, defaultOffsetSeconds: Int = 0) -> Int64? {
        var text = text
        return text.withUTF8 { parse(bytes: $0, defaultOffsetSeconds: defaultOffsetSeconds) }
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, defaultOffsetSeconds: Int) -> Int64? {
        var i = 0
        let n = bytes.count
        func digits(_ count: Int) -> Int? {
            guard i + count <= n else { return nil }
            var value = 0
            for k in 0..<count {
                let b = bytes[i + k]
                guard b >= 0x30, b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            i += count
            return value
        }
        func consume(_ c: Character) -> Bool {
            guard i < n, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), consume("-"), let month = digits(2), consume("-"), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month) else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var millis = 0
        var offset = defaultOffsetSeconds
        if i < n {
            guard bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: "t") || bytes[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let h = digits(2), consume(":"), let m = digits(2) else { return nil }
            hour = h
            minute = m
            if consume(":") {
                guard let s = digits(2) else { return nil }
                second = s
                if consume(".") || consume(",") {
                    var scale = 100
                    var any = false
                    while i < n, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                        millis += Int(bytes[i] - 0x30) * scale
                        scale /= 10
                        i += 1
                        any = true
                    }
                    guard any else { return nil }
                }
            }
            guard hour <= 23 || (hour == 24 && minute == 0 && second == 0 && millis == 0), minute <= 59, second <= 60 else { return nil }
            if second == 60 { second = 59 }  // a leap second reads as the second before it
            if i < n {
                if bytes[i] == UInt8(ascii: "Z") || bytes[i] == UInt8(ascii: "z") {
                    i += 1
                    offset = 0
                } else if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                    let sign = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = digits(2), oh <= 23 else { return nil }
                    var om = 0
                    if consume(":") {
                        guard let m = digits(2) else { return nil }
                        om = m
                    } else if i < n {
                        guard let m = digits(2) else { return nil }
                        om = m
                    }
                    guard om <= 59 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                } else {
                    return nil
                }
            }
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return seconds * 1000 + Int64(millis)
    }

    /// Number of days in a month of the Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        default:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        }
    }

    /// `2024-05-01T08:30:00.250Z`: the UTC ISO 8601 text of epoch milliseconds.
    public static func iso8601(_ millis: Int64) -> String {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let ms = Int(millis - seconds * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        let (y, m, d) = civilFromDays(Int(days))
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secondOfDay / 3600, 2) + ":"
            + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2) + "." + pad(ms, 3) + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
