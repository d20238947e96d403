import OrderedCollections
import SiyuCore

/// One visit while its calls are written: who calls, from which device, with which context.
struct DemoVisit {
    var userId: String?
    var anonymousId: String?
    var platform: DemoPlatform
    /// The device's `externalIds` once the person is known (mini-program: openid and unionid).
    var identifiedExternalIds: JSONValue?
    /// The context of the next call. On the web and in the mini-program it holds `page` from the
    /// start (every visit shows a page before any other call), so that showing a page replaces a value
    /// instead of adding a key: the cheapest change to a shared dictionary.
    var context: JSONObject
    var time: Int64
    /// Last millisecond of the day: calls never spill into the next day.
    let last: Int64
}

extension DemoSimulation {
    /// Starts a visit on one of the person's devices; `identified` says whether the SDK already knows
    /// the user id on that device.
    mutating func openVisit(_ p: inout DemoPerson, device index: Int, start: Int64, channel: String?, identified: Bool) -> DemoVisit {
        let device = p.devices[index]
        var context = device.context
        if let channel { context["channel"] = .string(channel) }
        if identified, let known = device.identifiedExternalIds { context["externalIds"] = known }
        return DemoVisit(
            userId: identified ? p.userId : nil,
            anonymousId: device.anonymousId,
            platform: device.platform,
            identifiedExternalIds: device.identifiedExternalIds,
            context: context,
            time: start,
            last: calendar.dayStart(day + 1) - 1
        )
    }

    /// The device of an ordinary visit: with two devices, either one.
    static func chooseDevice(_ p: inout DemoPerson) -> Int {
        p.devices.count > 1 && p.random.chance(0.55) ? p.devices.count - 1 : 0
    }

    /// The channel a returning visit on `platform` comes through; `nil` is a direct visit.
    static func returnChannel(_ p: inout DemoPerson, platform: DemoPlatform) -> String? {
        let key = DemoChannelProfile.keys[p.channel]
        switch platform {
        case .iOS, .android:
            return "app"
        case .miniProgram:
            if p.group >= 0, p.random.chance(0.35) { return "wecom_group" }
            if p.store >= 0, p.random.chance(0.2) { return "offline_store" }
            return "wechat_miniprogram"
        case .web:
            let u = p.random.uniform()
            switch DemoChannelProfile.kinds[p.channel] {
            case .publicDomain, .partner:
                return u < 0.35 ? key : (u < 0.75 ? nil : "wechat_official")
            default:
                return key == "wechat_official" && u < 0.7 ? key : (u < 0.5 ? nil : "wechat_official")
            }
        }
    }

    /// Records one call.
    mutating func emit(
        _ type: MessageType,
        _ event: String?,
        properties: JSONObject = Self.empty,
        traits: JSONObject = Self.empty,
        context: JSONObject,
        userId: String?,
        anonymousId: String?,
        at time: Int64
    ) {
        today.append(
            Message(
                type: type,
                messageId: "",
                userId: userId,
                anonymousId: anonymousId,
                event: event,
                properties: properties,
                traits: traits,
                context: context,
                integrations: Self.empty,
                timestamp: time,
                originalTimestamp: time,
                receivedAt: time,
                flags: Self.noFlags
            )
        )
        todayTimes.append(time)
    }

    /// Moves a visit on by the few seconds a person spends on a page.
    static func step(_ v: inout DemoVisit, _ random: inout DemoRandom, atLeast low: Int = 3, atMost high: Int = 45) {
        // Seconds between `low` and `high`, at millisecond resolution.
        v.time = min(v.last, v.time + Int64(low * 1000 + random.below((high - low + 1) * 1000)))
    }

    /// A page call (web, mini-program) or screen call (app).
    mutating func show(_ page: DemoPage, _ v: inout DemoVisit, _ random: inout DemoRandom) {
        Self.step(&v, &random)
        if v.platform.isApp {
            emit(.screen, page.name, context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
        } else {
            v.context["page"] = page.value
            emit(.page, page.name, properties: page.object, context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
        }
    }

    /// A track call on the current page.
    mutating func track(_ event: String, _ properties: JSONObject, _ v: inout DemoVisit, _ random: inout DemoRandom) {
        Self.step(&v, &random, atLeast: 1, atMost: 12)
        emit(.track, event, properties: properties, context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
    }

    /// Sign-up: the login page, an identify call with the person's traits, `Signed Up`, and what
    /// follows from it (redeeming a referral, joining a WeCom group).
    mutating func signUp(_ p: inout DemoPerson, _ v: inout DemoVisit) {
        show(Self.pages.login[v.platform.rawValue], &v, &p.random)
        p.identified = true
        p.identifiedDay = day
        summary.identifiedPeople += 1
        v.userId = p.userId
        let traits = Self.makeTraits(&p)
        var context = v.context
        if let known = v.identifiedExternalIds {
            v.context["externalIds"] = known
            context = v.context
        } else if DemoChannelProfile.keys[p.channel] == "wechat_official" {
            // Signing up inside WeChat's browser authorises the official account: the unionid is known.
            context["externalIds"] = DemoDevices.externalIds(openid: nil, unionid: p.unionid)
        }
        Self.step(&v, &p.random, atLeast: 10, atMost: 60)
        emit(.identify, nil, traits: traits, context: context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
        track("Signed Up", ["method": v.platform == .miniProgram ? "wechat_phone" : "sms_code"], &v, &p.random)
        if let referral = p.referral {
            let referrer = persons[referral.inviter].userId
            track("Referral Redeemed", ["referral_code": .string(referral.code), "referrer_user_id": .string(referrer)], &v, &p.random)
            summary.referralsRedeemed += 1
        }
        if p.joinsGroupOnSignUp, p.group < 0 { joinGroup(&p, &v, method: "signup_coupon") }
        if p.random.chance(0.14) { p.secondDeviceDay = day + 2 + Int(p.random.exponential(mean: 14)) }
        if p.platform == .web { todaysDeviceOwners.append(p.index) }
    }

    /// The traits of a sign-up: a Chinese name, gender, city, age range, mobile number, sometimes e-mail.
    static func makeTraits(_ p: inout DemoPerson) -> JSONObject {
        let female = p.random.chance(0.68)
        var name = p.random.pick(DemoCatalog.surnames)
        let given = female ? DemoCatalog.femaleGiven : DemoCatalog.maleGiven
        name += p.random.pick(given)
        if p.random.chance(0.7) { name += p.random.pick(given) }
        p.phone = p.random.pick(DemoCatalog.phonePrefixes) + DemoCatalog.padded(p.random.below(100_000_000), width: 8)
        var traits: JSONObject = [
            "name": .string(name), "gender": female ? "female" : "male", "city": .string(p.city),
            "age_range": .string(DemoCatalog.ageRanges[p.random.index(cumulative: DemoCatalog.ageWeights)].name), "phone": .string(p.phone),
        ]
        if p.random.chance(0.3) {
            let handle = p.random.pick(["cha", "tea", "qing", "lan", "mei", "yun"]) + String(p.random.int(in: 100...999_999))
            traits["email"] = .string(handle + "@" + p.random.pick(DemoCatalog.mailDomains))
        }
        traits["member_level"] = "青叶会员"
        // A birthday read off the phone's random digits (no draw of its own, so the brand is unchanged).
        let digits = Array(p.phone.suffix(6)).compactMap { $0.wholeNumberValue }
        if digits.count == 6 {
            let year = 1970 + (digits[0] * 10 + digits[1]) % 36
            let month = (digits[2] * 10 + digits[3]) % 12 + 1
            let day = (digits[4] * 10 + digits[5]) % 28 + 1
            traits["birthday"] = .string("\(year)-\(DemoCatalog.padded(month, width: 2))-\(DemoCatalog.padded(day, width: 2))")
        }
        return traits
    }

    /// Joining a WeCom group (加入企微社群), which later brings messages and visits.
    mutating func joinGroup(_ p: inout DemoPerson, _ v: inout DemoVisit, method: String) {
        if p.group < 0 { p.group = Self.groupFor(city: p.city, random: &p.random) }
        p.groupDay = day
        p.groupMessageRate = p.random.gamma(mean: 0.12, shape: 0.4)
        let group = DemoCatalog.groups[p.group]
        track("Group Joined", ["group_id": .string(group.id), "group_name": .string(group.name), "join_method": .string(method)], &v, &p.random)
    }

    /// A message in the person's WeCom group, reported by the brand's WeCom bridge (server side).
    mutating func groupMessage(_ p: inout DemoPerson) {
        let group = DemoCatalog.groups[p.group]
        let kind = DemoCatalog.groupMessageTypes[p.random.index(cumulative: DemoCatalog.groupMessageWeights)].type
        var properties: JSONObject = ["group_id": .string(group.id), "group_name": .string(group.name), "message_type": .string(kind)]
        if kind == "text" { properties["length"] = .int(Int64(p.random.int(in: 2...120))) }
        if p.bridgeContext.isEmpty {
            p.bridgeContext = Self.bridgeContext
            p.bridgeContext["externalIds"] = DemoDevices.externalIds(openid: nil, unionid: p.unionid)
        }
        let time = calendar.randomTime(on: day, &p.random)
        emit(
            .track,
            "Group Message Sent",
            properties: properties,
            context: p.bridgeContext,
            userId: p.identified ? p.userId : nil,
            anonymousId: p.identified ? nil : p.devices[0].anonymousId,
            at: time
        )
    }

    /// Flags of every generated message (none) and an empty object, built once: literals of both are
    /// slow in debug builds, and every message needs them.
    static let noFlags = EventFlags(rawValue: 0)
    static let empty = JSONObject()
    static let bridgeContext: JSONObject = [
        "channel": "wecom_group", "library": ["name": "qinghe-wecom-bridge", "version": "1.4.0"], "locale": "zh-CN",
    ]
    static let posContext: JSONObject = ["channel": "offline_store", "library": ["name": "qinghe-pos", "version": "2.3.0"], "locale": "zh-CN"]

    /// A product someone looks at, popular ones more often.
    static func pickProduct(_ random: inout DemoRandom) -> Int {
        random.index(cumulative: DemoCatalog.popularity)
    }

    /// A basket whose value follows a log-normal around the person's typical spend (median ¥90 across
    /// the brand, a long tail past ¥1,000): products that fit the remaining budget are added until it is
    /// spent. Returns (product index, quantity) pairs.
    static func makeBasket(_ p: inout DemoPerson) -> [(product: Int, quantity: Int)] {
        var budget = p.random.logNormal(median: p.basketMedian, sigma: 0.7) * 100
        var items: [(product: Int, quantity: Int)] = []
        let products = DemoCatalog.products
        while items.count < 6 {
            var fits = 0
            while fits < products.count, Double(products[fits].priceMinor) <= budget * 1.15 { fits += 1 }
            if fits == 0 {
                if items.isEmpty { items.append((p.random.below(3), 1)) }
                break
            }
            let chosen = p.random.index(cumulative: DemoCatalog.popularity, count: fits)
            let price = Double(products[chosen].priceMinor)
            var quantity = 1
            if price * 2 <= budget, p.random.chance(0.3) { quantity = price * 3 <= budget && p.random.chance(0.3) ? 3 : 2 }
            if let existing = items.firstIndex(where: { $0.product == chosen }) {
                items[existing].quantity += quantity
            } else {
                items.append((chosen, quantity))
            }
            budget -= price * Double(quantity)
            if budget < 1_500 { break }
        }
        return items
    }

    /// Segment e-commerce `products` of a basket.
    static func lines(_ basket: [(product: Int, quantity: Int)]) -> JSONValue {
        .array(
            basket.map { item in
                let product = DemoCatalog.products[item.product]
                return [
                    "product_id": .string(product.id), "sku": .string(product.sku), "name": .string(product.name),
                    "category": .string(product.category), "price": DemoCatalog.yuan(product.priceMinor), "quantity": .int(Int64(item.quantity)),
                ]
            }
        )
    }
}
