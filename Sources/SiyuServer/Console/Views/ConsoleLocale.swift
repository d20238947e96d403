import Foundation

/// A language of the web console.
public enum ConsoleLocale: String, Sendable, CaseIterable {
    case zhCN = "zh-CN"
    case en = "en"

    /// The language used when nothing else decides.
    public static let fallback = ConsoleLocale.zhCN

    /// The console language for a language tag: any `zh…` is Chinese, any `en…` English, else nil.
    public init?(tag: String) {
        let lowered = tag.trimmingCharacters(in: .whitespaces).lowercased()
        if lowered == "zh" || lowered.hasPrefix("zh-") || lowered.hasPrefix("zh_") {
            self = .zhCN
        } else if lowered == "en" || lowered.hasPrefix("en-") || lowered.hasPrefix("en_") {
            self = .en
        } else {
            return nil
        }
    }

    /// The language an `Accept-Language` header prefers among those the console has: the supported
    /// tag with the highest q-value (ties keep the header's order; `q=0` means "not this one").
    /// A bare `*` picks nothing, so the caller's fallback applies.
    public static func preferred(acceptLanguage header: String) -> ConsoleLocale? {
        var candidates: [(locale: ConsoleLocale, quality: Double, position: Int)] = []
        for (position, item) in header.split(separator: ",").enumerated() {
            let parts = item.split(separator: ";")
            guard let tag = parts.first, let locale = ConsoleLocale(tag: String(tag)) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, pair[0].lowercased() == "q" {
                    // A malformed q-value makes the item unusable rather than preferred.
                    quality = Double(pair[1]).map { min(max($0, 0), 1) } ?? 0
                }
            }
            if quality > 0 { candidates.append((locale, quality, position)) }
        }
        return candidates.min { ($1.quality, $0.position) < ($0.quality, $1.position) }?.locale
    }

    /// The value of the HTML `lang` attribute.
    public var htmlLang: String { rawValue }

    /// The language's own name, as shown in the switch.
    public var nativeName: String {
        switch self {
        case .zhCN: return "中文"
        case .en: return "English"
        }
    }
}
