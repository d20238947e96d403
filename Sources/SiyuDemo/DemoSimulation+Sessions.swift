import OrderedCollections
import SiyuCore

extension DemoSimulation {
    /// Writes the calls of one visit starting at `start`; returns the time of its last call.
    mutating func session(_ kind: DemoSessionKind, _ p: inout DemoPerson, start: Int64) -> Int64 {
        switch kind {
        case .arrival: return arrival(&p, start: start)
        case .browse: return browse(&p, start: start)
        case .purchase: return purchase(&p, start: start, planned: true)
        case .saleOrder: return purchase(&p, start: start, planned: false)
        case .secondDevice: return secondDevice(&p, start: start)
        case .checkIn: return checkIn(&p, start: start)
        case .survey: return survey(&p, start: start)
        case .invite: return invite(&p, start: start)
        }
    }

    /// The first visit, marked the way the acquisition channel marks it: a utm link, a referrer, a shop's
    /// QR code, or the SDK's own `context.channel`.
    mutating func arrival(_ p: inout DemoPerson, start: Int64) -> Int64 {
        let profile = DemoChannelProfile.all[p.channel]
        let sale = calendar.campaign(on: day)
        var channel: String?
        var campaign: JSONObject?
        var referrer: String?
        switch profile.firstTouch {
        case .explicit:
            channel = profile.channel.key
            if let referral = p.referral {
                campaign = ["source": "referral", "medium": "invite", "name": "qh_referral", "content": .string(referral.code)]
            } else if channel == "wechat_official" {
                referrer = "https://mp.weixin.qq.com/s/qinghe-tea-weekly"
            }
        case .campaign(let source, let medium, let name):
            campaign = ["source": .string(source), "medium": .string(medium), "name": .string(name)]
        case .campaignOrReferrer(let source, let medium, let name, let site):
            if p.random.chance(0.7) {
                campaign = ["source": .string(source), "medium": .string(medium), "name": .string(sale?.key ?? name)]
            } else {
                referrer = site
            }
        case .storeCode:
            let store = DemoCatalog.stores[max(0, p.store)]
            campaign = ["code": .string(store.trackingCode), "source": "store", "medium": "qrcode", "name": .string(store.id)]
        }
        var v = openVisit(&p, device: 0, start: start, channel: channel, identified: false)
        if let campaign { v.context["campaign"] = .object(campaign) }
        let platform = v.platform.rawValue
        if v.platform.isApp {
            track("Application Installed", ["version": "3.8.2", "build": "3820"], &v, &p.random)
            track("Application Opened", ["from_background": false, "version": "3.8.2"], &v, &p.random)
            show(Self.pages.home[platform], &v, &p.random)
        } else {
            var page: DemoPage
            if p.store >= 0 || p.referral != nil {
                page = Self.pages.member[platform]
            } else if sale != nil, p.random.chance(0.6) {
                page = Self.pages.activity[platform]
            } else if p.random.chance(0.5) {
                page = Self.pages.products[platform][Self.pickProduct(&p.random)]
            } else {
                page = Self.pages.home[platform]
            }
            var query: String?
            if v.platform == .web, let campaign, let source = campaign["source"]?.stringValue, let medium = campaign["medium"]?.stringValue,
                let name = campaign["name"]?.stringValue
            {
                query = "utm_source=" + source + "&utm_medium=" + medium + "&utm_campaign=" + name
            }
            if query != nil || referrer != nil { page = DemoPages.landing(page, referrer: referrer, query: query) }
            show(page, &v, &p.random)
        }
        if p.group >= 0 { joinGroup(&p, &v, method: "qr_code") }
        shop(&p, &v)
        p.sessions += 1
        return v.time
    }

    /// An ordinary visit; now and then on a family member's browser (a shared device).
    mutating func browse(_ p: inout DemoPerson, start: Int64) -> Int64 {
        var v: DemoVisit
        if p.identified, sharedDeviceOwners.count > 1, p.random.chance(0.003) {
            var owner = sharedDeviceOwners[p.random.below(sharedDeviceOwners.count)]
            if owner == p.index { owner = sharedDeviceOwners[0] == p.index ? sharedDeviceOwners[1] : sharedDeviceOwners[0] }
            // A family member's browser: their anonymous id, no WeChat ids (a refused merge, not a merge).
            let device = persons[owner].devices[0]
            v = DemoVisit(
                userId: p.userId,
                anonymousId: device.anonymousId,
                platform: device.platform,
                identifiedExternalIds: nil,
                context: device.context,
                time: start,
                last: calendar.dayStart(day + 1) - 1
            )
        } else {
            let device = Self.chooseDevice(&p)
            let channel = Self.returnChannel(&p, platform: p.devices[device].platform)
            v = openVisit(&p, device: device, start: start, channel: channel, identified: p.identified)
        }
        enter(&p, &v)
        shop(&p, &v)
        p.sessions += 1
        return v.time
    }

    /// The first call of a returning visit: the app opening, or the home, sale or a product page.
    mutating func enter(_ p: inout DemoPerson, _ v: inout DemoVisit) {
        let platform = v.platform.rawValue
        if v.platform.isApp {
            track("Application Opened", ["from_background": .bool(p.random.chance(0.4)), "version": "3.8.2"], &v, &p.random)
            show(Self.pages.home[platform], &v, &p.random)
        } else if calendar.campaign(on: day) != nil, p.random.chance(0.5) {
            show(Self.pages.activity[platform], &v, &p.random)
        } else if p.random.chance(0.3) {
            show(Self.pages.products[platform][Self.pickProduct(&p.random)], &v, &p.random)
        } else {
            show(Self.pages.home[platform], &v, &p.random)
        }
    }

    /// Looking at lists and products, signing up when the person is ready, sometimes a cart left behind.
    mutating func shop(_ p: inout DemoPerson, _ v: inout DemoVisit) {
        let platform = v.platform.rawValue
        var fromList = false
        if p.random.chance(0.5) {
            let category = p.random.below(DemoCatalog.categories.count)
            show(Self.pages.categories[platform][category], &v, &p.random)
            track("Product List Viewed", DemoCatalog.listProperties[category], &v, &p.random)
            fromList = true
        }
        var views = 1
        while views < 6, p.random.chance(0.45) { views += 1 }
        var product = 0
        for view in 0..<views {
            product = Self.pickProduct(&p.random)
            // A product opened from a list or a recommendation is a click (Segment's `Product Clicked`);
            // one reached from a shared link or a search is not.
            if fromList || p.random.chance(0.4) {
                var clicked = DemoCatalog.productProperties[product]
                clicked["position"] = .int(Int64(1 + p.random.below(20)))
                track("Product Clicked", clicked, &v, &p.random)
            }
            show(Self.pages.products[platform][product], &v, &p.random)
            track("Product Viewed", DemoCatalog.productProperties[product], &v, &p.random)
            if view == 0, !p.identified, p.sessions >= p.signUpSession { signUp(&p, &v) }
        }
        if p.random.chance(0.16) {
            var added = DemoCatalog.addedProperties[product]
            added["cart_id"] = .string(Self.cartId(&p))
            track("Product Added", added, &v, &p.random)
            if p.random.chance(0.3) {
                show(Self.pages.cart[platform], &v, &p.random)
                let price = DemoCatalog.products[product].priceMinor
                track(
                    "Checkout Started",
                    ["value": DemoCatalog.yuan(price), "currency": "CNY", "products": Self.lines([(product, 1)])],
                    &v,
                    &p.random
                )
            }
        }
    }

    /// The cart of the person's current visit.
    static func cartId(_ p: inout DemoPerson) -> String {
        "cart_" + String(p.index, radix: 36) + "_" + String(p.sessions)
    }

    /// An order: online (products, cart, checkout — signing up first if needed) or at a shop's till.
    /// A planned order then draws whether the person drops out and when they buy next.
    mutating func purchase(_ p: inout DemoPerson, start: Int64, planned: Bool) -> Int64 {
        let basket = Self.makeBasket(&p)
        var total: Int64 = 0
        for item in basket { total += DemoCatalog.products[item.product].priceMinor * Int64(item.quantity) }
        orderCounter += 1
        let date = DemoCalendar.localDate(start).filter { $0 != "-" }
        let orderId = "QH" + date + DemoCatalog.padded(orderCounter, width: 7)
        // Invariant: revenue equals the sum of price × quantity over `products`, exactly in 分.
        var order: JSONObject = [
            "order_id": .string(orderId), "revenue": DemoCatalog.yuan(total), "currency": "CNY", "products": Self.lines(basket),
        ]
        if let sale = calendar.campaign(on: day) { order["campaign"] = .string(sale.key) }
        var end = start
        if p.store >= 0, p.identified, p.random.chance(0.55) {
            let store = DemoCatalog.stores[p.store]
            order["store_id"] = .string(store.id)
            order["store_name"] = .string(store.name)
            order["payment_method"] = .string(p.random.pick(["wechat_pay", "alipay", "bank_card"]))
            emit(.track, "Order Completed", properties: order, context: Self.posContext, userId: p.userId, anonymousId: nil, at: start)
        } else {
            let device = Self.chooseDevice(&p)
            let channel = Self.returnChannel(&p, platform: p.devices[device].platform)
            var v = openVisit(&p, device: device, start: start, channel: channel, identified: p.identified)
            let platform = v.platform.rawValue
            enter(&p, &v)
            for item in basket {
                show(Self.pages.products[platform][item.product], &v, &p.random)
                track("Product Viewed", DemoCatalog.productProperties[item.product], &v, &p.random)
                var added = DemoCatalog.addedProperties[item.product]
                added["quantity"] = .int(Int64(item.quantity))
                added["cart_id"] = .string(Self.cartId(&p))
                track("Product Added", added, &v, &p.random)
            }
            show(Self.pages.cart[platform], &v, &p.random)
            if !p.identified { signUp(&p, &v) }
            track("Checkout Started", ["order_id": .string(orderId), "value": order["revenue"] ?? .null, "currency": "CNY"], &v, &p.random)
            show(Self.pages.checkout[platform], &v, &p.random)
            order["payment_method"] = .string(p.random.chance(0.8) ? "wechat_pay" : "alipay")
            Self.step(&v, &p.random, atLeast: 15, atMost: 90)
            track("Order Completed", order, &v, &p.random)
            show(Self.pages.paid[platform], &v, &p.random)
            if p.orders + 1 == 3 {
                Self.step(&v, &p.random)
                emit(.identify, nil, traits: ["member_level": "金叶会员"], context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
            }
            if p.group < 0, p.random.chance(0.08) { joinGroup(&p, &v, method: "package_card") }
            p.sessions += 1
            end = v.time
        }
        p.orders += 1
        p.engagedDay = day
        summary.orders += 1
        summary.revenueMinor += total
        if p.orders == 1 { summary.buyers += 1 }
        if p.orders == 2 { summary.repeatBuyers += 1 }
        if planned {
            if p.random.chance(p.dropout) {
                p.alive = false
                p.nextPurchaseDay = .max
            } else {
                p.nextPurchaseDay = day + max(1, Int(p.random.exponential(mean: 1 / p.purchaseRate).rounded(.up)))
            }
        }
        if p.surveyDay == .max, p.random.chance(0.2) {
            p.surveyDay = day + p.random.int(in: 2...6)
            p.lastOrderId = orderId
        }
        return end
    }

    /// A second phone or the app: browsing anonymously, then logging in with the same mobile number,
    /// which links (merges) the new device with the person.
    mutating func secondDevice(_ p: inout DemoPerson, start: Int64) -> Int64 {
        p.secondDeviceDay = .max
        let platform: DemoPlatform
        switch p.platform {
        case .web: platform = p.random.chance(0.6) ? .miniProgram : (p.random.chance(0.5) ? .iOS : .android)
        case .miniProgram: platform = p.random.chance(0.5) ? .web : (p.random.chance(0.5) ? .iOS : .android)
        case .iOS, .android: platform = p.random.chance(0.7) ? .miniProgram : .web
        }
        p.devices.append(DemoDevices.make(platform, channelKey: "direct", unionid: p.unionid, random: &p.random))
        let channel = Self.returnChannel(&p, platform: platform)
        var v = openVisit(&p, device: p.devices.count - 1, start: start, channel: channel, identified: false)
        let pageIndex = v.platform.rawValue
        if v.platform.isApp { track("Application Installed", ["version": "3.8.2", "build": "3820"], &v, &p.random) }
        enter(&p, &v)
        let product = Self.pickProduct(&p.random)
        show(Self.pages.products[pageIndex][product], &v, &p.random)
        track("Product Viewed", DemoCatalog.productProperties[product], &v, &p.random)
        show(Self.pages.login[pageIndex], &v, &p.random)
        v.userId = p.userId
        if let known = v.identifiedExternalIds { v.context["externalIds"] = known }
        Self.step(&v, &p.random, atLeast: 10, atMost: 60)
        emit(.identify, nil, traits: ["phone": .string(p.phone)], context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
        show(Self.pages.member[pageIndex], &v, &p.random)
        summary.secondDevices += 1
        p.sessions += 1
        return v.time
    }

    /// The mini-program's daily check-in: once per local (China) date, with a streak that grows on
    /// consecutive dates and starts again at 1 after a missed one.
    mutating func checkIn(_ p: inout DemoPerson, start: Int64) -> Int64 {
        guard let device = p.devices.firstIndex(where: { $0.platform == .miniProgram }) else {
            p.checkInRate = 0
            return start
        }
        var v = openVisit(&p, device: device, start: start, channel: "wechat_miniprogram", identified: true)
        show(Self.pages.checkIn[v.platform.rawValue], &v, &p.random)
        Self.step(&v, &p.random, atLeast: 1, atMost: 12)
        let date = DemoCalendar.localDay(v.time)
        // Already checked in on this date: the page shows it, nothing more happens.
        guard date != p.lastCheckInDate else { return v.time }
        p.streak = p.lastCheckInDate == date - 1 ? p.streak + 1 : 1
        p.lastCheckInDate = date
        let points = p.streak % 7 == 0 ? 50 : 5 + 5 * min(p.streak - 1, 5)
        let properties: JSONObject = [
            "streak": .int(Int64(p.streak)), "points": .int(Int64(points)), "checkin_date": .string(DemoCalendar.localDate(v.time)),
        ]
        emit(.track, "Checked In", properties: properties, context: v.context, userId: v.userId, anonymousId: v.anonymousId, at: v.time)
        return v.time
    }

    /// The NPS survey after an order: loyal people (low dropout) score higher.
    mutating func survey(_ p: inout DemoPerson, start: Int64) -> Int64 {
        p.surveyDay = .max
        let device = Self.chooseDevice(&p)
        let channel = p.group >= 0 ? "wecom_group" : Self.returnChannel(&p, platform: p.devices[device].platform)
        var v = openVisit(&p, device: device, start: start, channel: channel, identified: p.identified)
        show(Self.pages.survey[v.platform.rawValue], &v, &p.random)
        let raw = 8.0 + 1.6 * p.random.normal() + 3.0 * (0.35 - p.dropout)
        let score = min(10, max(0, Int(raw.rounded())))
        var answer: JSONObject = ["survey": "nps", "survey_id": "nps_post_purchase", "score": .int(Int64(score)), "order_id": .string(p.lastOrderId)]
        if p.random.chance(0.4) {
            let comments = score >= 9 ? DemoCatalog.promoterComments : (score >= 7 ? DemoCatalog.passiveComments : DemoCatalog.detractorComments)
            answer["comment"] = .string(p.random.pick(comments))
        }
        Self.step(&v, &p.random, atLeast: 10, atMost: 90)
        track("Survey Answered", answer, &v, &p.random)
        return v.time
    }

    /// Sharing the person's referral code (老带新); each share can bring a friend from the next day on.
    mutating func invite(_ p: inout DemoPerson, start: Int64) -> Int64 {
        let device = Self.chooseDevice(&p)
        let channel = Self.returnChannel(&p, platform: p.devices[device].platform)
        var v = openVisit(&p, device: device, start: start, channel: channel, identified: true)
        show(Self.pages.invite[v.platform.rawValue], &v, &p.random)
        let code = "QH" + String(p.index + 46_656, radix: 36).uppercased()
        let via = p.random.pick(["wechat_friend", "wechat_moments", "wecom"])
        track("Referral Invite Sent", ["referral_code": .string(code), "channel": .string(via)], &v, &p.random)
        todaysInvites.append(DemoInvite(inviter: p.index, code: code, day: day))
        if via != "wechat_friend", p.random.chance(0.5) { todaysInvites.append(DemoInvite(inviter: p.index, code: code, day: day)) }
        return v.time
    }
}
