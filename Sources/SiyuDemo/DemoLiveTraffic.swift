import SiyuCore

/// The demo brand's visitors and orders as they happen now: what `siyu demo` sends to itself through
/// the tracking API while it serves (so that the real-time board always has today), and what
/// `siyu bench live` sends faster.
///
/// Traffic follows a day's rhythm in the brand's time zone (quiet nights, a lunch peak and a
/// bigger evening peak). Each minute is generated on its own from the seed and the minute, with
/// message ids made from both, so the same minute always gives the same calls: a gap filled again
/// after a restart is stored once. Returning customers are the brand's members (`qh_…` user ids);
/// new visitors arrive anonymously through the acquisition channels, and some sign up.
public struct DemoLiveTraffic: Sendable {
    /// Members of the brand (`qh_0000001` …): the returning customers.
    public let members: Int
    /// Events a whole day brings, on average.
    public let eventsPerDay: Double
    public let seed: UInt64
    /// The brand's UTC offset (Asia/Shanghai: +8 h), for the day's rhythm.
    public let utcOffsetSeconds: Int

    public init(members: Int, eventsPerDay: Double, seed: UInt64 = 42, utcOffsetSeconds: Int = 8 * 3_600) {
        self.members = max(1, members)
        self.eventsPerDay = max(0, eventsPerDay)
        self.seed = seed
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Share of a day's traffic in each local hour: lunch and evening peaks, quiet nights.
    static let hourShares: [Double] = {
        let weights: [Double] = [
            2.0, 1.2, 0.7, 0.5, 0.4, 0.5, 1.0, 2.2, 3.6, 4.4, 4.8, 5.6, 6.4, 5.6, 4.6, 4.4, 4.6, 5.0, 5.6, 6.6, 7.6, 8.2, 6.8, 4.0,
        ]
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }()

    /// Events a session brings on average (for the number of sessions a minute): a page, a list,
    /// 2.5 products clicked and viewed, sometimes a cart, an order or a sign-up; check-ins are one.
    static let eventsPerSession = 7.1
    static let minuteMillis: Int64 = 60_000

    /// The calls of the sessions that start in `[from, to)`, as `/v1/batch` items, in time order.
    public func batchItems(from: Int64, to: Int64) -> [JSONObject] {
        guard to > from else { return [] }
        var items: [(time: Int64, id: String, item: JSONObject)] = []
        // Sessions that started up to a quarter of an hour earlier may still be going.
        var minute = (from - 15 * Self.minuteMillis) / Self.minuteMillis
        while minute * Self.minuteMillis < to {
            for item in self.minute(minute) {
                guard let time = item["timestamp"]?.stringValue.flatMap({ Timestamp.parseISO8601($0) }), time >= from, time < to else { continue }
                items.append((time, item["messageId"]?.stringValue ?? "", item))
            }
            minute += 1
        }
        // Sessions overlap: the calls in time order (then by id, for equal times).
        items.sort { ($0.time, $0.id) < ($1.time, $1.id) }
        return items.map(\.item)
    }

    /// Every call of the sessions starting in one minute (UTC epoch minute).
    func minute(_ minute: Int64) -> [JSONObject] {
        let start = minute * Self.minuteMillis
        let localHour = Int(((start / 1_000 + Int64(utcOffsetSeconds)) / 3_600) % 24)
        let expected = eventsPerDay * Self.hourShares[(localHour + 24) % 24] / 60
        var random = DemoRandom(seed: seed, stream: UInt64(bitPattern: minute))
        let sessions = random.poisson(expected / Self.eventsPerSession)
        var items: [JSONObject] = []
        for session in 0..<sessions {
            var stream = DemoRandom(seed: seed ^ UInt64(bitPattern: minute), stream: UInt64(session))
            let offset = Int64(stream.below(60_000))
            items += self.session(start: start + offset, id: "live-\(seed)-\(minute)-\(session)", random: &stream)
        }
        return items.sorted { ($0["timestamp"]?.stringValue ?? "") < ($1["timestamp"]?.stringValue ?? "") }
    }

    /// One visit: a returning member (most), a new visitor from a channel (some sign up), or a check-in.
    func session(start: Int64, id: String, random: inout DemoRandom) -> [JSONObject] {
        var items: [JSONObject] = []
        var time = start
        func add(_ type: String, _ fields: JSONObject) {
            var item: JSONObject = [
                "type": .string(type), "messageId": .string("\(id)-\(items.count)"), "timestamp": .string(Timestamp.iso8601(time)),
            ]
            for (key, value) in fields { item[key] = value }
            items.append(item)
            time += Int64(5_000 + random.below(40_000))
        }
        let kind = random.uniform()
        var who: JSONObject
        if kind < 0.62 {
            who = ["userId": .string("qh_" + DemoCatalog.padded(1 + random.below(members), width: 7))]
        } else if kind < 0.95 {
            let profile = DemoChannelProfile.all[random.index(cumulative: DemoChannelProfile.shareWeights)]
            who = ["anonymousId": .string("live-" + random.hex(16)), "context": ["channel": .string(profile.channel.key)]]
        } else {
            let member: JSONObject = ["userId": .string("qh_" + DemoCatalog.padded(1 + random.below(members), width: 7))]
            var fields = member
            fields["event"] = "Checked In"
            fields["properties"] = ["streak": .int(Int64(1 + random.below(7)))]
            add("track", fields)
            return items
        }
        var page = who
        page["name"] = "首页 Home"
        add("page", page)
        let category = random.pick(DemoCatalog.categories)
        var list = who
        list["event"] = "Product List Viewed"
        list["properties"] = ["category": .string(category)]
        add("track", list)
        var viewed: [DemoProduct] = []
        for _ in 0..<(1 + random.below(4)) {
            let product = DemoCatalog.products[random.index(cumulative: DemoCatalog.popularity)]
            var click = who
            click["event"] = "Product Clicked"
            click["properties"] = .object(product.properties)
            add("track", click)
            var view = who
            view["event"] = "Product Viewed"
            view["properties"] = .object(product.properties)
            add("track", view)
            viewed.append(product)
        }
        // A new visitor sometimes signs up: from then on they are a member.
        if who["anonymousId"] != nil, random.chance(0.12) {
            let userId = "qh_live_" + random.hex(10)
            var identify = who
            identify["userId"] = .string(userId)
            identify["traits"] = ["city": .string(DemoCatalog.cities[random.index(cumulative: DemoCatalog.cityWeights)].name)]
            add("identify", identify)
            who["userId"] = .string(userId)
        }
        guard random.chance(0.26), let product = viewed.last else { return items }
        var added = who
        added["event"] = "Product Added"
        added["properties"] = .object(product.properties.merging(["quantity": 1]) { $1 })
        add("track", added)
        guard random.chance(0.42) else { return items }
        let quantity = 1 + (random.chance(0.3) ? random.below(3) : 0)
        var order = who
        order["event"] = "Order Completed"
        order["properties"] = [
            "order_id": .string("L" + random.hex(12)), "revenue": DemoCatalog.yuan(product.priceMinor * Int64(quantity)), "currency": "CNY",
            "products": [.object(product.properties.merging(["quantity": .int(Int64(quantity))]) { $1 })],
        ]
        add("track", order)
        return items
    }
}
