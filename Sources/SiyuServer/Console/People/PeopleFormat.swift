import SiyuCore
import SiyuStore

/// Formatting shared by the people, segment and settings pages: times in the workspace's zone,
/// money in its currency, numbers in the reader's language.
struct PeopleFormat: Sendable {
    let strings: StringTable
    let format: LocaleFormat
    let calendar: LocalCalendar
    let currency: String

    /// `2024-04-30 18:00` in the workspace's time zone; an en dash for never.
    func time(_ instant: Int64?) -> String {
        guard let instant, instant != .min, instant != .max else { return "–" }
        let local = instant + calendar.offsetMillis(at: instant)
        let day = calendar.day(instant)
        let (year, month, dayOfMonth) = Timestamp.civilFromDays(day)
        let minutes = Int((local - Int64(day) * 86_400_000) / 60_000)
        return "\(year)-\(Self.two(month))-\(Self.two(dayOfMonth)) \(Self.two(minutes / 60)):\(Self.two(minutes % 60))"
    }

    /// `2024-04-30`, the local day of an instant.
    func day(_ instant: Int64) -> String { String(time(instant).prefix(10)) }

    func money(_ minor: Int64) -> String { format.money(minorUnits: minor, currency: currency) }

    /// Money given in major units (as model attributes such as CLV are).
    func money(major value: Double) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return money(Int64((value * scale).rounded()))
    }

    /// The channel's name when the workspace registered it, else its key.
    func channel(_ key: String?, names: [String: String]) -> String {
        guard let key, !key.isEmpty else { return "–" }
        return names[key] ?? key
    }

    /// A label value in the operator's words where the console knows it (RFM classes, churn bands).
    func label(scheme: String, value: String) -> String {
        let key = "people.labelValues." + value
        let text = strings.text(key)
        if text != key { return text }
        if scheme == "rfm8", let rfm = RFMClass(rawValue: value) {
            return strings.locale == .zhCN ? rfm.chinese : rfm.english
        }
        return value
    }

    /// The name of a label scheme (`rfm8` → "RFM class").
    func scheme(_ scheme: String) -> String {
        let key = "people.schemes." + scheme
        let text = strings.text(key)
        return text == key ? scheme : text
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
