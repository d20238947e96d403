import OrderedCollections

/// The kind of a touchpoint, as Chinese private-domain operators classify them.
public enum ChannelKind: String, Sendable, Codable, CaseIterable {
    /// Public platforms where the brand meets strangers: Douyin, Xiaohongshu, Zhihu.
    case publicDomain = "public"
    /// Touchpoints the brand owns: official account, mini-program, WeCom groups, app, stores.
    case privateDomain = "private"
    /// Bought traffic.
    case paid
    /// KOLs, distributors and other partners.
    case partner
    /// Anything else, including direct visits.
    case other
}

/// A tracking code (渠道活码 or a utm combination) that marks traffic as coming from a channel.
///
/// Empty fields match anything; a code with more fields set wins over one with fewer.
public struct TrackingCode: Sendable, Codable, Hashable {
    public var code: String?
    public var utmSource: String?
    public var utmMedium: String?
    public var utmCampaign: String?

    public init(code: String? = nil, utmSource: String? = nil, utmMedium: String? = nil, utmCampaign: String? = nil) {
        self.code = code
        self.utmSource = utmSource
        self.utmMedium = utmMedium
        self.utmCampaign = utmCampaign
    }

    var specificity: Int {
        [code, utmSource, utmMedium, utmCampaign].reduce(0) { $0 + ($1 == nil ? 0 : 1) }
    }
}

/// A brand touchpoint registered in a workspace.
public struct Channel: Sendable, Codable, Hashable {
    /// Stable key such as `douyin` or `kol:lily`.
    public var key: String
    /// Name an operator reads, e.g. `抖音`.
    public var name: String
    public var kind: ChannelKind
    public var trackingCodes: [TrackingCode]
    /// Monthly cost in minor units of the workspace currency, when known.
    public var monthlyCostMinor: Int64?

    public init(key: String, name: String, kind: ChannelKind, trackingCodes: [TrackingCode] = [], monthlyCostMinor: Int64? = nil) {
        self.key = key
        self.name = name
        self.kind = kind
        self.trackingCodes = trackingCodes
        self.monthlyCostMinor = monthlyCostMinor
    }

    /// Channel of events that carry no hint at all.
    public static let direct = "direct"

    /// The channels a new workspace starts with.
    public static let defaults: [Channel] = [
        Channel(key: "douyin", name: "抖音 Douyin", kind: .publicDomain),
        Channel(key: "xiaohongshu", name: "小红书 Xiaohongshu", kind: .publicDomain),
        Channel(key: "zhihu", name: "知乎 Zhihu", kind: .publicDomain),
        Channel(key: "wechat_official", name: "微信公众号 Official account", kind: .privateDomain),
        Channel(key: "wechat_miniprogram", name: "微信小程序 Mini-program", kind: .privateDomain),
        Channel(key: "wecom_group", name: "企微社群 WeCom groups", kind: .privateDomain),
        Channel(key: "app", name: "App", kind: .privateDomain),
        Channel(key: "offline_store", name: "线下门店 Offline stores", kind: .privateDomain),
        Channel(key: "direct", name: "直接访问 Direct", kind: .other),
    ]

    /// Whether `key` is a well-formed channel key: lower-case letters, digits, `_`, `-`, `.`, and
    /// one optional `prefix:` (as in `kol:lily`), at most 64 bytes.
    public static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 64 else { return false }
        var colons = 0
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "_", "-", ".": continue
            case ":": colons += 1
            default:
                // Chinese names of KOLs are common: allow any letter outside ASCII.
                if !scalar.isASCII, scalar.properties.isAlphabetic { continue }
                return false
            }
        }
        return colons <= 1 && !key.hasPrefix(":") && !key.hasSuffix(":")
    }
}

/// Decides which channel an event came through.
///
/// In order: an explicit `context.channel`; a tracking code matching `context.campaign`
/// (`code`, `source`, `medium`, `name`); a known utm source; the referrer's domain; an app or
/// mini-program context; otherwise `direct`.
public struct ChannelAttribution: Sendable {
    public let channels: [Channel]
    private let codes: [(TrackingCode, String)]

    public init(channels: [Channel]) {
        self.channels = channels
        self.codes = channels.flatMap { channel in channel.trackingCodes.map { ($0, channel.key) } }
            .sorted { $0.0.specificity > $1.0.specificity }
    }

    /// Spellings of utm sources and the channel they mean.
    static let sourceAliases: [String: String] = [
        "douyin": "douyin", "dy": "douyin", "tiktok_cn": "douyin", "抖音": "douyin",
        "xiaohongshu": "xiaohongshu", "xhs": "xiaohongshu", "redbook": "xiaohongshu", "小红书": "xiaohongshu",
        "zhihu": "zhihu", "知乎": "zhihu",
        "wechat": "wechat_official", "weixin": "wechat_official", "wechat_official": "wechat_official", "mp": "wechat_official",
        "公众号": "wechat_official",
        "miniprogram": "wechat_miniprogram", "wechat_miniprogram": "wechat_miniprogram", "mini_program": "wechat_miniprogram",
        "小程序": "wechat_miniprogram",
        "wecom": "wecom_group", "wecom_group": "wecom_group", "qiwei": "wecom_group", "企微": "wecom_group",
        "app": "app", "store": "offline_store", "offline": "offline_store", "offline_store": "offline_store",
    ]

    /// Referrer domains and the channel they mean; a subdomain matches its parent.
    static let referrerDomains: [String: String] = [
        "douyin.com": "douyin", "iesdouyin.com": "douyin", "amemv.com": "douyin",
        "xiaohongshu.com": "xiaohongshu", "xhslink.com": "xiaohongshu",
        "zhihu.com": "zhihu", "zhimg.com": "zhihu",
        "mp.weixin.qq.com": "wechat_official", "weixin.qq.com": "wechat_official",
        "servicewechat.com": "wechat_miniprogram",
        "work.weixin.qq.com": "wecom_group",
    ]

    /// The channel key of a message.
    public func channel(of message: Message) -> String {
        let context = message.context
        if let explicit = context["channel"]?.stringValue?.trimmingSpaces.lowercased(), Channel.isValidKey(String(explicit)) {
            return String(explicit)
        }
        if case .object(let campaign) = context["campaign"] ?? .null {
            let code = campaign["code"]?.scalarText
            let source = campaign["source"]?.scalarText?.lowercased()
            let medium = campaign["medium"]?.scalarText?.lowercased()
            let name = campaign["name"]?.scalarText?.lowercased()
            for (tracking, key) in codes where tracking.specificity > 0 {
                if let c = tracking.code, c != code { continue }
                if let s = tracking.utmSource, s.lowercased() != source { continue }
                if let m = tracking.utmMedium, m.lowercased() != medium { continue }
                if let n = tracking.utmCampaign, n.lowercased() != name { continue }
                return key
            }
            if let source {
                if let known = Self.sourceAliases[source] { return known }
                if channels.contains(where: { $0.key == source }) { return source }
                if source.hasPrefix("kol:") || source.hasPrefix("kol_") {
                    let candidate = "kol:" + source.dropFirst(4)
                    if Channel.isValidKey(candidate) { return candidate }
                }
            }
        }
        let referrer = (context["page"]?["referrer"]?.stringValue) ?? message.properties["referrer"]?.stringValue
        if let referrer, let host = Self.host(of: referrer) {
            var domain = Substring(host)
            while true {
                if let known = Self.referrerDomains[String(domain)] { return known }
                guard let dot = domain.firstIndex(of: ".") else { break }
                domain = domain[domain.index(after: dot)...]
            }
        }
        if let library = context["library"]?["name"]?.stringValue?.lowercased(), library.contains("miniprogram") || library.contains("mini-program") {
            return "wechat_miniprogram"
        }
        if message.type == .screen || context["app"] != nil { return "app" }
        return Channel.direct
    }

    /// Lower-cased host of a URL, without port.
    static func host(of url: String) -> String? {
        let utf8 = Array(url.utf8)
        var start = 0
        while start + 2 < utf8.count, !(utf8[start] == 0x3A && utf8[start + 1] == 0x2F && utf8[start + 2] == 0x2F) { start += 1 }
        guard start + 2 < utf8.count else { return nil }
        let rest = Substring(decoding: utf8[(start + 3)...], as: UTF8.self)
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        var host = rest[..<end]
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        return host.isEmpty ? nil : host.lowercased()
    }
}
