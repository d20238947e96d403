import OrderedCollections
import SiyuCore

/// The kinds of visit a person can make on a day.
enum DemoSessionKind: Sendable {
    /// The very first visit, through the acquisition channel.
    case arrival
    /// Looking around: pages, product lists, products, sometimes a cart left behind.
    case browse
    /// A planned order (the next purchase of the person's BG/NBD-like process).
    case purchase
    /// An extra order on the big sale day, which does not move the next planned one.
    case saleOrder
    /// The first visit from a second phone or app, ending in a login.
    case secondDevice
    /// The mini-program's daily check-in (签到).
    case checkIn
    /// Answering the NPS survey sent after an order.
    case survey
    /// Sharing a referral invitation (老带新).
    case invite
}

/// The engine behind ``DemoBrand/generate(batchSize:_:)``: people arrive, visit, sign up, buy, chat and
/// invite friends, one day at a time.
///
/// Per-person state lives in ``DemoPerson`` values in an array indexed by arrival order; each person
/// has their own random stream, so what happens to one person does not shift the choices made for
/// another. Only brand-wide choices (which pending invitation a referred person redeems) use the
/// simulation's own stream, always in the same order.
struct DemoSimulation {
    let seed: UInt64
    let calendar: DemoCalendar
    static let pages = DemoPages()
    let messageIdPrefix: String
    var persons: [DemoPerson] = []
    /// People who may still do something, in arrival order.
    var active: [Int] = []
    /// Invitations that can be redeemed, and those sent today (redeemable from tomorrow).
    var invites: [DemoInvite] = []
    var todaysInvites: [DemoInvite] = []
    /// Identified people whose first device is a web browser (someone may borrow it), and those
    /// identified today (whose browser can be borrowed from tomorrow, once they are known).
    var sharedDeviceOwners: [Int] = []
    var todaysDeviceOwners: [Int] = []
    var summary = DemoBrand.Summary()
    var arrived = 0
    var day = 0
    /// The day's messages in the order they were written, each taken out once handed over, and their
    /// timestamps (kept apart so that sorting reads no message).
    var today: [Message?] = []
    var todayTimes: [Int64] = []
    /// Positions in `today`, in timestamp order.
    var order: [Int] = []
    var messageCounter = 0
    var orderCounter = 0
    var random: DemoRandom

    /// Stands in for a person while they are being simulated.
    static let placeholder = DemoPerson(
        index: -1,
        random: DemoRandom(seed: 0),
        channel: 0,
        arrivalDay: 0,
        userId: "",
        unionid: "",
        city: "",
        visitRate: 0,
        interestDays: 1,
        engagedDay: 0,
        purchaseRate: 0,
        dropout: 1,
        basketMedian: 0
    )

    /// A simulation of `brand` before its first day.
    init(brand: DemoBrand) {
        seed = brand.seed
        calendar = DemoCalendar(startingAt: brand.startingAt, days: brand.days, people: brand.people)
        messageIdPrefix = "demo-\(brand.seed)-"
        random = DemoRandom(seed: brand.seed, stream: .max)
        persons.reserveCapacity(brand.people)
    }

    /// Writes the messages of one day; ``take(_:)`` then hands them over in timestamp order.
    mutating func simulate(day: Int) {
        self.day = day
        today.removeAll(keepingCapacity: true)
        todayTimes.removeAll(keepingCapacity: true)
        for _ in 0..<calendar.arrivals[day] { arrive() }
        var stillActive: [Int] = []
        stillActive.reserveCapacity(active.count)
        for index in active {
            // Swap the person out rather than copy them: cheaper in debug builds.
            var person = Self.placeholder
            swap(&person, &persons[index])
            live(&person)
            if !DemoPerson.isDormant(&person, on: day + 1) { stillActive.append(index) }
            swap(&person, &persons[index])
        }
        active = stillActive
        invites.append(contentsOf: todaysInvites)
        todaysInvites.removeAll()
        sharedDeviceOwners.append(contentsOf: todaysDeviceOwners)
        todaysDeviceOwners.removeAll()
        summary.events += today.count
        sortToday()
    }

    /// The message at `position` of the day's timestamp order, numbered; each position is taken once.
    mutating func take(_ position: Int) -> Message? {
        let index = order[position]
        messageCounter += 1
        today[index]?.messageId = messageIdPrefix + String(messageCounter)
        return today[index].take()
    }

    /// A new person: their channel, habits and first device. Their first visit happens in ``live(_:)``.
    mutating func arrive() {
        let index = persons.count
        var r = DemoRandom(seed: seed, stream: UInt64(index))
        var channel = r.index(cumulative: DemoChannelProfile.shareWeights)
        var referral: DemoInvite?
        if channel == DemoChannelProfile.referralIndex {
            referral = takeInvite()
            if referral == nil { channel = DemoChannelProfile.miniProgramIndex }
        }
        let profile = DemoChannelProfile.all[channel]
        let platform = DemoPlatform(rawValue: r.index(cumulative: profile.platformWeights)) ?? .web
        var city = DemoCatalog.cities[r.index(cumulative: DemoCatalog.cityWeights)].name
        var store = -1
        if channel == DemoChannelProfile.storeIndex {
            store = r.below(DemoCatalog.stores.count)
            city = DemoCatalog.stores[store].city
        }
        let unionid = DemoDevices.wechatId(prefix: "oUx", random: &r)
        var person = DemoPerson(
            index: index,
            random: r,
            channel: channel,
            arrivalDay: day,
            userId: "qh_" + DemoCatalog.padded(index + 1, width: 7),
            unionid: unionid,
            city: city,
            visitRate: 0,
            interestDays: 14,
            engagedDay: day,
            purchaseRate: 0,
            dropout: 1,
            basketMedian: 90
        )
        person.store = store
        person.referral = referral
        person.devices = [DemoDevices.make(platform, channelKey: profile.channel.key, unionid: unionid, random: &person.random)]
        person.platform = platform
        person.visitRate = person.random.gamma(mean: profile.visitsPerDay, shape: 0.8)
        person.interestDays = person.random.gamma(mean: 16, shape: 2)
        if person.random.chance(profile.signUpRate) {
            person.signUpSession = person.random.chance(0.55) ? 0 : 1 + Int(person.random.exponential(mean: 2))
        }
        person.joinsGroupOnSignUp = person.random.chance(profile.groupJoinRate)
        if channel == DemoChannelProfile.groupIndex { person.group = Self.groupFor(city: city, random: &person.random) }
        if person.random.chance(profile.conversionRate) {
            let impulse = calendar.campaign(on: day) == nil ? 0.4 : 0.6
            person.nextPurchaseDay = day + (person.random.chance(impulse) ? 0 : 1 + Int(person.random.exponential(mean: 7)))
        }
        person.purchaseRate = person.random.gamma(mean: profile.purchasesPerDay, shape: 1.3)
        person.dropout = person.random.beta(mean: profile.dropout, concentration: 4)
        // Regulars: tea drinkers who restock every week or two while they stay, and then, one order
        // or another, stop — the lapsed regulars that P(alive) and the recency bands pick up.
        if person.random.chance(profile.regularShare) {
            person.purchaseRate = person.random.gamma(mean: 1.0 / 11, shape: 6)
            person.dropout = person.random.beta(mean: 0.3, concentration: 10)
        }
        person.basketMedian = 90 * profile.basketMultiplier * person.random.logNormal(median: 1, sigma: 0.3)
        if platform == .miniProgram, person.random.chance(0.3) { person.checkInRate = person.random.beta(mean: 0.45, concentration: 3) }
        if person.random.chance(0.5) { person.inviteRate = person.random.gamma(mean: 0.12, shape: 1) }
        persons.append(person)
        active.append(index)
        arrived += 1
        summary.people += 1
    }

    /// A pending invitation for a referred newcomer, or `nil` when nobody has invited anyone lately.
    mutating func takeInvite() -> DemoInvite? {
        while !invites.isEmpty {
            let k = random.below(invites.count)
            invites.swapAt(k, invites.count - 1)
            let invite = invites.removeLast()
            if day - invite.day <= 30 { return invite }
        }
        return nil
    }

    /// A WeCom group for someone from `city`: their city's group when there is one.
    static func groupFor(city: String, random: inout DemoRandom) -> Int {
        let local = DemoCatalog.groups.indices.filter { DemoCatalog.groups[$0].city == city }
        if !local.isEmpty, random.chance(0.8) { return random.pick(local) }
        return DemoCatalog.groups.count - 1 - random.below(6)
    }

    /// One day of a person's life: how many visits and of what kind, then the calls of each visit.
    mutating func live(_ p: inout DemoPerson) {
        let fade = DemoMath.exp(-Double(day - p.engagedDay) / p.interestDays)
        let boost = calendar.visitFactor[day]
        var kinds: [DemoSessionKind] = []
        if day == p.arrivalDay { kinds.append(.arrival) }
        // Group pushes and app notifications keep bringing private-domain people back.
        let floor = (p.group >= 0 ? 0.03 : 0) + (p.platform.isApp ? 0.02 : 0)
        let visits = p.random.poisson((p.visitRate * fade + floor) * boost * (day == p.arrivalDay ? 0.4 : 1))
        for _ in 0..<visits { kinds.append(.browse) }
        if p.nextPurchaseDay == day {
            kinds.append(.purchase)
        } else if p.alive, p.orders > 0, calendar.isBigSale(day), p.random.chance(0.15) {
            kinds.append(.saleOrder)
        }
        if p.secondDeviceDay == day { kinds.append(.secondDevice) }
        if p.checkInRate > 0, p.identified {
            let rate = p.checkInRate * DemoMath.exp(-Double(day - p.identifiedDay) / 50)
            if rate < 0.01 {
                p.checkInRate = 0
            } else if p.random.chance(rate) {
                kinds.append(.checkIn)
            }
        }
        if p.surveyDay == day { kinds.append(.survey) }
        if p.inviteRate > 0, p.identified, p.orders > 0, p.random.chance(p.inviteRate * boost * max(fade, 0.2)) { kinds.append(.invite) }
        if p.group >= 0, day > p.groupDay {
            let rate = p.groupMessageRate * boost * DemoMath.exp(-Double(day - p.groupDay) / 60)
            for _ in 0..<p.random.poisson(rate) { groupMessage(&p) }
        }
        guard !kinds.isEmpty else { return }

        var starts = kinds.map { _ in calendar.randomTime(on: day, &p.random) }
        starts.sort()
        // The first visit comes first; the others happen in any order.
        let first = kinds[0] == .arrival ? 1 : 0
        if kinds.count - first > 1 {
            for i in stride(from: kinds.count - 1, to: first, by: -1) {
                kinds.swapAt(i, first + p.random.below(i - first + 1))
            }
        }
        let last = calendar.dayStart(day + 1) - 1
        var time = Int64.min
        for (kind, start) in zip(kinds, starts) {
            time = session(kind, &p, start: time == .min ? start : min(last, max(start, time + 60_000)))
        }
    }

    /// Orders `today` by timestamp, ties in the order written: a counting sort by minute of the day,
    /// then an insertion sort within each minute (a few messages each). Cheaper than a comparison sort,
    /// which matters in debug builds.
    mutating func sortToday() {
        let start = calendar.dayStart(day)
        let minutes = Int(DemoBrand.dayMillis / 60_000)
        var minuteOf = [Int](repeating: 0, count: today.count)
        let timeOf = todayTimes
        var bucketStarts = [Int](repeating: 0, count: minutes + 1)
        for i in today.indices {
            minuteOf[i] = min(minutes - 1, max(0, Int((timeOf[i] - start) / 60_000)))
            bucketStarts[minuteOf[i] + 1] += 1
        }
        for minute in 0..<minutes { bucketStarts[minute + 1] += bucketStarts[minute] }
        order = [Int](repeating: 0, count: today.count)
        var next = bucketStarts
        for i in today.indices {
            order[next[minuteOf[i]]] = i
            next[minuteOf[i]] += 1
        }
        for minute in 0..<minutes {
            var j = bucketStarts[minute] + 1
            while j < bucketStarts[minute + 1] {
                let item = order[j]
                var k = j
                while k > bucketStarts[minute], timeOf[order[k - 1]] > timeOf[item] {
                    order[k] = order[k - 1]
                    k -= 1
                }
                order[k] = item
                j += 1
            }
        }
    }
}
