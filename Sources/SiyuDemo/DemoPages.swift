import OrderedCollections
import SiyuCore

/// A page (web, mini-program) or screen (app) of the brand, ready to be attached to calls.
struct DemoPage: Sendable {
    /// Title of the page; name of the screen.
    var name: String
    /// `context.page` and the page call's properties (`path`, `url`, `title`); empty for app screens.
    var object: JSONObject {
        didSet { value = .object(object) }
    }
    /// `object` as a JSON value, wrapped once.
    private(set) var value: JSONValue

    init(name: String, object: JSONObject) {
        self.name = name
        self.object = object
        self.value = .object(object)
    }
}

/// Every page of the shop on each platform, built once so that calls share them.
struct DemoPages: Sendable {
    var home: [DemoPage] = []
    var cart: [DemoPage] = []
    var checkout: [DemoPage] = []
    var paid: [DemoPage] = []
    var login: [DemoPage] = []
    var checkIn: [DemoPage] = []
    var invite: [DemoPage] = []
    var survey: [DemoPage] = []
    var member: [DemoPage] = []
    var activity: [DemoPage] = []
    /// By platform, then product index.
    var products: [[DemoPage]] = []
    /// By platform, then category index.
    var categories: [[DemoPage]] = []

    static let platforms: [DemoPlatform] = [.web, .miniProgram, .iOS, .android]

    init() {
        for platform in Self.platforms {
            home.append(Self.page(platform, web: "/", mini: "pages/index/index", title: "青禾茶饮", screen: "首页"))
            cart.append(Self.page(platform, web: "/cart", mini: "pages/cart/index", title: "购物车", screen: "购物车"))
            checkout.append(Self.page(platform, web: "/checkout", mini: "pages/order/confirm", title: "确认订单", screen: "确认订单"))
            paid.append(Self.page(platform, web: "/order/paid", mini: "pages/order/paid", title: "支付成功", screen: "支付成功"))
            login.append(Self.page(platform, web: "/login", mini: "pages/member/login", title: "登录 / 注册", screen: "登录"))
            checkIn.append(Self.page(platform, web: "/checkin", mini: "pages/checkin/index", title: "每日签到", screen: "签到"))
            invite.append(Self.page(platform, web: "/invite", mini: "pages/invite/index", title: "邀请好友得茶礼", screen: "邀请好友"))
            survey.append(Self.page(platform, web: "/survey/nps", mini: "pages/survey/nps", title: "满意度调研", screen: "问卷"))
            member.append(Self.page(platform, web: "/member", mini: "pages/member/index", title: "青禾会员中心", screen: "会员中心"))
            activity.append(Self.page(platform, web: "/activity/sale", mini: "pages/activity/sale", title: "青禾大促会场", screen: "活动会场"))
            products.append(
                DemoCatalog.products.map {
                    Self.page(platform, web: "/product/\($0.id)", mini: "pages/goods/detail?id=\($0.id)", title: $0.name, screen: "商品详情")
                }
            )
            categories.append(
                DemoCatalog.categories.enumerated().map {
                    Self.page(
                        platform,
                        web: "/category/\($0.offset + 1)",
                        mini: "pages/category/index?c=\($0.offset + 1)",
                        title: $0.element,
                        screen: "分类"
                    )
                }
            )
        }
    }

    /// One page in the platform's own form.
    static func page(_ platform: DemoPlatform, web: String, mini: String, title: String, screen: String) -> DemoPage {
        switch platform {
        case .web:
            return DemoPage(name: title, object: ["path": .string(web), "url": .string(DemoCatalog.webOrigin + web), "title": .string(title)])
        case .miniProgram:
            return DemoPage(name: title, object: ["path": .string(mini), "title": .string(title)])
        case .iOS, .android:
            return DemoPage(name: screen, object: [:])
        }
    }

    /// A landing page reached from another site, with that site as referrer and the utm query, if any.
    static func landing(_ page: DemoPage, referrer: String?, query: String?) -> DemoPage {
        var result = page
        if let query, let path = page.object["path"]?.stringValue, let url = page.object["url"]?.stringValue {
            let separator = path.contains("?") ? "&" : "?"
            result.object["url"] = .string(url + separator + query)
            result.object["search"] = .string("?" + query)
        }
        if let referrer { result.object["referrer"] = .string(referrer) }
        return result
    }
}

/// Makes the devices of demo people: ids, user agents, SDK libraries and network addresses.
enum DemoDevices {
    static let iPhoneModels = ["iPhone14,5", "iPhone15,2", "iPhone15,4", "iPhone16,1", "iPhone16,2"]
    static let androidModels: [(maker: String, model: String)] = [
        ("HUAWEI", "ALN-AL10"), ("Xiaomi", "23127PN0CC"), ("OPPO", "PHZ110"), ("vivo", "V2309A"), ("HONOR", "PGT-AN10"),
    ]
    static let iOSVersions = ["16.7.8", "17.4.1", "17.5.1", "18.0"]
    static let androidVersions = ["12", "13", "14"]

    /// In-app browsers that open the brand's H5 pages, by the channel that sent the person.
    static func inAppSuffix(channelKey: String) -> String {
        switch channelKey {
        case "douyin", "kol:ajie": return " aweme/30.1.0 JsSdk/2.0 NetType/WIFI Channel/douyin_lite"
        case "xiaohongshu", "kol:lily": return " discover/8.40.0 XiaoHongShu/8.40.0 NetType/WIFI"
        case "zhihu", "kol:xiaoya": return " ZhihuHybrid osee2unifiedRelease/10.12.0"
        case "kol:laozhou": return " BiliApp/7.80.0 NetType/WIFI"
        case "wechat_official": return " MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN"
        default: return ""
        }
    }

    /// A new device for a person who arrived through `channelKey`.
    static func make(_ platform: DemoPlatform, channelKey: String, unionid: String, random: inout DemoRandom) -> DemoDevice {
        // `page` and `externalIds` come first: visits replace them often, and lookups scan from the front.
        var context: JSONObject = platform.isApp ? [:] : ["page": .null]
        let iOS = platform == .iOS || (platform != .android && random.chance(0.55))
        let osVersion = iOS ? random.pick(iOSVersions) : random.pick(androidVersions)
        let underscored = String(osVersion.map { $0 == "." ? "_" : $0 })
        let android = random.pick(androidModels)
        let base =
            iOS
            ? "Mozilla/5.0 (iPhone; CPU iPhone OS \(underscored) like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
            : "Mozilla/5.0 (Linux; Android \(osVersion); \(android.model) Build/UP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.193 Mobile Safari/537.36"
        var openid: String?
        switch platform {
        case .web:
            context["library"] = ["name": "analytics.js", "version": "npm:next-1.70.0"]
            let suffix = inAppSuffix(channelKey: channelKey)
            context["userAgent"] = .string(suffix.isEmpty ? base + (iOS ? " Safari/604.1" : "") : base + suffix)
        case .miniProgram:
            context["library"] = ["name": "analytics-miniprogram", "version": "2.3.1"]
            context["userAgent"] = .string(base + " MicroMessenger/8.0.50 NetType/WIFI Language/zh_CN miniProgram/wx5d3c7a1b2e4f6a80")
            let id = wechatId(prefix: "oQh7", random: &random)
            openid = id
            context["externalIds"] = externalIds(openid: id, unionid: nil)
        case .iOS:
            context["library"] = ["name": "analytics-ios", "version": "4.1.8"]
            context["app"] = ["name": .string(DemoCatalog.appName), "version": "3.8.2", "build": "3820", "namespace": "cn.qinghe.tea"]
            context["device"] = ["type": "ios", "manufacturer": "Apple", "model": .string(random.pick(iPhoneModels))]
            context["os"] = ["name": "iOS", "version": .string(osVersion)]
            context["userAgent"] = "QingheTea/3.8.2 (iPhone; iOS; Scale/3.00)"
        case .android:
            context["library"] = ["name": "analytics-android", "version": "4.11.3"]
            context["app"] = ["name": .string(DemoCatalog.appName), "version": "3.8.2", "build": "3820", "namespace": "cn.qinghe.tea"]
            context["device"] = ["type": "android", "manufacturer": .string(android.maker), "model": .string(android.model)]
            context["os"] = ["name": "Android", "version": .string(osVersion)]
            context["userAgent"] = .string("Dalvik/2.1.0 (Linux; U; Android \(osVersion); \(android.model))")
        }
        context["locale"] = "zh-CN"
        context["ip"] = .string(documentationAddress(&random))
        return DemoDevice(
            anonymousId: random.uuid(),
            platform: platform,
            context: context,
            openid: openid,
            identifiedExternalIds: openid.flatMap { externalIds(openid: $0, unionid: unionid) }
        )
    }

    /// An address from the documentation ranges of RFC 5737, so that demo data names no real host.
    static func documentationAddress(_ random: inout DemoRandom) -> String {
        let networks = ["192.0.2.", "198.51.100.", "203.0.113."]
        return random.pick(networks) + String(random.int(in: 1...254))
    }

    static let idAlphabet: [Unicode.Scalar] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".unicodeScalars)

    /// A WeChat-style openid or unionid: 28 characters starting with `prefix`.
    static func wechatId(prefix: String, random: inout DemoRandom) -> String {
        var text = prefix
        var bits = random.next()
        var left = 10
        for _ in 0..<(28 - prefix.count) {
            if left == 0 {
                bits = random.next()
                left = 10
            }
            text.unicodeScalars.append(idAlphabet[Int(bits & 63)])
            bits >>= 6
            left -= 1
        }
        return text
    }

    /// `context.externalIds` for WeChat ids (Segment's `externalIds` format).
    static func externalIds(openid: String?, unionid: String?) -> JSONValue? {
        var entries: [JSONValue] = []
        if let openid { entries.append(["id": .string(openid), "type": "openid", "collection": "users", "encoding": "none"]) }
        if let unionid { entries.append(["id": .string(unionid), "type": "unionid", "collection": "users", "encoding": "none"]) }
        return entries.isEmpty ? nil : .array(entries)
    }
}
