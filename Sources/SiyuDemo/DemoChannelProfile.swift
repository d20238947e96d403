import SiyuCore

/// Where a person's phone runs the brand: a web page (H5), the WeChat mini-program or the app.
enum DemoPlatform: Int, Sendable {
    case web, miniProgram, iOS, android

    var isApp: Bool { self == .iOS || self == .android }
}

/// How a channel marks the first visit of the people it brings.
enum DemoFirstTouch: Sendable {
    /// A utm link (`context.campaign`) with this source, medium and campaign name.
    case campaign(source: String, medium: String, name: String)
    /// A utm link most of the time, otherwise only the platform's page as `context.page.referrer`.
    case campaignOrReferrer(source: String, medium: String, name: String, referrer: String)
    /// A shop's QR code (`context.campaign.code`).
    case storeCode
    /// `context.channel` set by the SDK integration itself.
    case explicit
}

/// How one acquisition channel behaves: how many people it brings, what it costs and how good those
/// people are as customers.
struct DemoChannelProfile: Sendable {
    var channel: Channel
    /// Share of new people arriving through the channel.
    var arrivalShare: Double
    var firstTouch: DemoFirstTouch
    /// Platforms of the first device, weighted (web, mini-program, iOS, Android), as running totals.
    var platformWeights: [Double]
    /// Chance of ever signing up.
    var signUpRate: Double
    /// Chance of ever buying.
    var conversionRate: Double
    /// Multiplier of the median basket (¥90).
    var basketMultiplier: Double
    /// Mean repeat-purchase rate per day of buyers (gamma-distributed across people).
    var purchasesPerDay: Double
    /// Mean chance of becoming inactive after each purchase (beta-distributed across people).
    var dropout: Double
    /// Mean visits per day just after arrival (gamma-distributed, then decaying).
    var visitsPerDay: Double
    /// Chance that an identified person joins a WeCom group.
    var groupJoinRate: Double
    /// What the channel costs the brand for each person it brings, in yuan — ads, the KOL's fee, a
    /// shop's rent and staff, the team running the mini-program, the official account and the app —
    /// so monthly costs scale with the audience. Set so that over the 90 days the brand spends about
    /// ¥1 for every ¥2.2 of revenue (¥3 on the campaign screen's last 7 days, where the members
    /// gathered earlier keep buying), about ¥42 for each new member (a person who signs up) and ¥100
    /// for each new buyer; the private-domain channels (mini-program, official account, WeCom groups)
    /// return several times their cost, Douyin little more than its cost, and 阿杰's live streams
    /// lose money. Referral rewards belong to the referral programme and are not counted here (0).
    var costPerArrival: Double
    /// Share of the channel's buyers who become regulars (restock every week or two, until they stop).
    var regularShare: Double

    static let web = [1.0, 1, 1, 1]
    static let miniProgram = [0.0, 1, 1, 1]

    /// The brand's channels, in a fixed order. Shares add up to about 1.
    static let all: [DemoChannelProfile] = [
        DemoChannelProfile(
            channel: Channel(
                key: "douyin",
                name: "抖音 Douyin",
                kind: .publicDomain,
                trackingCodes: [TrackingCode(utmSource: "douyin"), TrackingCode(utmSource: "dy")]
            ),
            arrivalShare: 0.27,
            firstTouch: .campaignOrReferrer(source: "douyin", medium: "short_video", name: "qh_dy_feed", referrer: "https://www.douyin.com/"),
            platformWeights: web,
            signUpRate: 0.16,
            conversionRate: 0.045,
            basketMultiplier: 0.8,
            purchasesPerDay: 1.0 / 100,
            dropout: 0.6,
            visitsPerDay: 0.29,
            groupJoinRate: 0.04,
            costPerArrival: 1.95,
            regularShare: 0.08
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "xiaohongshu",
                name: "小红书 Xiaohongshu",
                kind: .publicDomain,
                trackingCodes: [TrackingCode(utmSource: "xiaohongshu"), TrackingCode(utmSource: "xhs")]
            ),
            arrivalShare: 0.15,
            firstTouch: .campaignOrReferrer(
                source: "xhs",
                medium: "note",
                name: "qh_xhs_notes",
                referrer: "https://www.xiaohongshu.com/explore"
            ),
            platformWeights: web,
            signUpRate: 0.28,
            conversionRate: 0.1,
            basketMultiplier: 1.1,
            purchasesPerDay: 1.0 / 80,
            dropout: 0.42,
            visitsPerDay: 0.39,
            groupJoinRate: 0.08,
            costPerArrival: 5.2,
            regularShare: 0.16
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "zhihu",
                name: "知乎 Zhihu",
                kind: .publicDomain,
                trackingCodes: [TrackingCode(utmSource: "zhihu")]
            ),
            arrivalShare: 0.055,
            firstTouch: .campaignOrReferrer(
                source: "zhihu",
                medium: "answer",
                name: "qh_zh_tea_guide",
                referrer: "https://www.zhihu.com/question/20339421"
            ),
            platformWeights: web,
            signUpRate: 0.3,
            conversionRate: 0.11,
            basketMultiplier: 1.2,
            purchasesPerDay: 1.0 / 80,
            dropout: 0.4,
            visitsPerDay: 0.36,
            groupJoinRate: 0.06,
            costPerArrival: 6.82,
            regularShare: 0.16
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "wechat_official",
                name: "微信公众号 Official account",
                kind: .privateDomain,
                trackingCodes: [TrackingCode(utmSource: "wechat", utmMedium: "article")]
            ),
            arrivalShare: 0.09,
            firstTouch: .explicit,
            platformWeights: web,
            signUpRate: 0.42,
            conversionRate: 0.16,
            basketMultiplier: 1.0,
            purchasesPerDay: 1.0 / 60,
            dropout: 0.32,
            visitsPerDay: 0.5,
            groupJoinRate: 0.15,
            costPerArrival: 20.83,
            regularShare: 0.24
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "wechat_miniprogram",
                name: "微信小程序 Mini-program",
                kind: .privateDomain,
                trackingCodes: [TrackingCode(utmSource: "miniprogram")]
            ),
            arrivalShare: 0.11,
            firstTouch: .explicit,
            platformWeights: miniProgram,
            signUpRate: 0.5,
            conversionRate: 0.2,
            basketMultiplier: 0.95,
            purchasesPerDay: 1.0 / 50,
            dropout: 0.3,
            visitsPerDay: 0.56,
            groupJoinRate: 0.2,
            costPerArrival: 27.27,
            regularShare: 0.3
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "wecom_group",
                name: "企微社群 WeCom groups",
                kind: .privateDomain,
                trackingCodes: [TrackingCode(utmSource: "wecom", utmMedium: "group")]
            ),
            arrivalShare: 0.05,
            firstTouch: .explicit,
            platformWeights: miniProgram,
            signUpRate: 0.72,
            conversionRate: 0.38,
            basketMultiplier: 1.05,
            purchasesPerDay: 1.0 / 30,
            dropout: 0.16,
            visitsPerDay: 0.78,
            groupJoinRate: 1,
            costPerArrival: 23.99,
            regularShare: 0.4
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "app",
                name: "App",
                kind: .privateDomain,
                trackingCodes: [TrackingCode(utmSource: "app")]
            ),
            arrivalShare: 0.035,
            firstTouch: .explicit,
            platformWeights: [0, 0, 0.45, 1],
            signUpRate: 0.7,
            conversionRate: 0.35,
            basketMultiplier: 1.15,
            purchasesPerDay: 1.0 / 34,
            dropout: 0.2,
            visitsPerDay: 0.9,
            groupJoinRate: 0.15,
            costPerArrival: 68.58,
            regularShare: 0.4
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "offline_store",
                name: "线下门店 Offline stores",
                kind: .privateDomain,
                trackingCodes: DemoCatalog.stores.map { TrackingCode(code: $0.trackingCode) }
            ),
            arrivalShare: 0.07,
            firstTouch: .storeCode,
            platformWeights: miniProgram,
            signUpRate: 0.78,
            conversionRate: 0.42,
            basketMultiplier: 1.0,
            purchasesPerDay: 1.0 / 48,
            dropout: 0.25,
            visitsPerDay: 0.34,
            groupJoinRate: 0.35,
            costPerArrival: 58.93,
            regularShare: 0.3
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "kol:lily",
                name: "小红书博主 Lily 的茶生活",
                kind: .partner,
                trackingCodes: [TrackingCode(utmSource: "xhs", utmCampaign: "lily_tea_diary")]
            ),
            arrivalShare: 0.03,
            firstTouch: .campaign(source: "xhs", medium: "kol", name: "lily_tea_diary"),
            platformWeights: web,
            signUpRate: 0.4,
            conversionRate: 0.26,
            basketMultiplier: 1.9,
            purchasesPerDay: 1.0 / 65,
            dropout: 0.35,
            visitsPerDay: 0.5,
            groupJoinRate: 0.12,
            costPerArrival: 25.0,
            regularShare: 0.2
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "kol:ajie",
                name: "抖音达人 阿杰品茶",
                kind: .partner,
                trackingCodes: [TrackingCode(utmSource: "douyin", utmMedium: "live", utmCampaign: "ajie_live")]
            ),
            arrivalShare: 0.04,
            firstTouch: .campaign(source: "douyin", medium: "live", name: "ajie_live"),
            platformWeights: web,
            signUpRate: 0.3,
            conversionRate: 0.18,
            basketMultiplier: 1.5,
            purchasesPerDay: 1.0 / 85,
            dropout: 0.45,
            visitsPerDay: 0.39,
            groupJoinRate: 0.1,
            costPerArrival: 30.0,
            regularShare: 0.12
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "kol:xiaoya",
                name: "知乎茶艺师 小雅",
                kind: .partner,
                trackingCodes: [TrackingCode(utmSource: "zhihu", utmCampaign: "xiaoya_tea_class")]
            ),
            arrivalShare: 0.015,
            firstTouch: .campaign(source: "zhihu", medium: "kol", name: "xiaoya_tea_class"),
            platformWeights: web,
            signUpRate: 0.45,
            conversionRate: 0.3,
            basketMultiplier: 2.3,
            purchasesPerDay: 1.0 / 65,
            dropout: 0.3,
            visitsPerDay: 0.54,
            groupJoinRate: 0.15,
            costPerArrival: 25.0,
            regularShare: 0.24
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "kol:laozhou",
                name: "B站UP主 老周说茶",
                kind: .partner,
                trackingCodes: [TrackingCode(utmSource: "bilibili", utmCampaign: "laozhou_tea_talk")]
            ),
            arrivalShare: 0.02,
            firstTouch: .campaign(source: "bilibili", medium: "kol", name: "laozhou_tea_talk"),
            platformWeights: web,
            signUpRate: 0.35,
            conversionRate: 0.23,
            basketMultiplier: 1.6,
            purchasesPerDay: 1.0 / 70,
            dropout: 0.38,
            visitsPerDay: 0.45,
            groupJoinRate: 0.1,
            costPerArrival: 30.0,
            regularShare: 0.2
        ),
        DemoChannelProfile(
            channel: Channel(
                key: "referral",
                name: "老带新 Referrals",
                kind: .privateDomain,
                trackingCodes: [TrackingCode(utmSource: "referral", utmMedium: "invite")]
            ),
            arrivalShare: 0.045,
            firstTouch: .explicit,
            platformWeights: miniProgram,
            signUpRate: 0.85,
            conversionRate: 0.38,
            basketMultiplier: 1.0,
            purchasesPerDay: 1.0 / 42,
            dropout: 0.22,
            visitsPerDay: 0.67,
            groupJoinRate: 0.3,
            costPerArrival: 0.0,
            regularShare: 0.3
        ),
    ]

    /// Index of the referral channel in ``all``.
    static let referralIndex = all.firstIndex { $0.channel.key == "referral" } ?? all.count - 1
    /// Index of the mini-program channel, where referral arrivals go when nobody has invited them.
    static let miniProgramIndex = all.firstIndex { $0.channel.key == "wechat_miniprogram" } ?? 0
    /// Index of the offline store channel.
    static let storeIndex = all.firstIndex { $0.channel.key == "offline_store" } ?? 0
    /// Index of the WeCom group channel.
    static let groupIndex = all.firstIndex { $0.channel.key == "wecom_group" } ?? 0
    /// Keys and kinds of the channels in ``all``, for the hot paths (reading them from a profile copies it).
    static let keys: [String] = all.map(\.channel.key)
    static let kinds: [ChannelKind] = all.map(\.channel.kind)
    static let shareWeights = DemoRandom.cumulative(all.map(\.arrivalShare))
}
