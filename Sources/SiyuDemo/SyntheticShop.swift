import SiyuCore

/// A seeded, deterministic e-commerce traffic generator for the analytics reference tests and
/// `siyu bench analytics`: anonymous shoppers who arrive on a channel over `days` days and come
/// back in sessions of `Product Viewed` → `Product Added` → `Checkout Started` → `Order Completed`.
///
/// Every person's events depend only on the seed and the person number, so people can be
/// generated in any order, in chunks, and the same seed always gives the same data set.
/// Exactly `events` events are produced over exactly `people` people (each person at least one).
public struct SyntheticShop: Sendable {
    /// The funnel's event names, in funnel order.
    public static let eventNames = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
    /// Channel keys (all default channels) and how often a person arrives on each (in 100ths).
    public static let channels = ["douyin", "xiaohongshu", "wechat_miniprogram", "wecom_group", "app", "zhihu"]
    static let channelWeights = [30, 20, 20, 10, 15, 5]

    /// One generated event.
    public struct Event: Sendable, Equatable {
        public var person: Int
        /// Position among the person's events, for the message id.
        public var ordinal: Int
        public var timestamp: Int64
        /// Index into ``SyntheticShop/eventNames``.
        public var name: Int
        /// Index into ``SyntheticShop/channels``.
        public var channel: Int
        /// Order amount in fen (0 for other events).
        public var revenueMinor: Int64
    }

    public let people: Int
    public let events: Int
    public let days: Int
    /// Every event happens before this instant (UTC epoch milliseconds).
    public let end: Int64
    public let seed: UInt64

    public init(people: Int, events: Int, days: Int, end: Int64, seed: UInt64 = 42) {
        precondition(people > 0 && events >= people && days >= 2)
        self.people = people
        self.events = events
        self.days = days
        self.end = end
        self.seed = seed
    }

    /// The first instant of the generated period.
    public var start: Int64 { end - Int64(days) * 86_400_000 }

    /// How many events person `p` has: pairs of people share twice the average, so the total is exact.
    public func quota(_ p: Int) -> Int {
        let average = events / people
        var count = average
        if average > 1, p / 2 * 2 + 1 < people {
            var random = DemoRandom(seed: seed ^ 0x5EED_0000_0000 &+ UInt64(p / 2))
            let delta = Int(random.next() % UInt64(average))
            count += p % 2 == 0 ? delta : -delta
        }
        if p == people - 1 { count += events - average * people }
        return count
    }

    /// The events of person `p`, in time order.
    public func events(of p: Int) -> [Event] {
        var random = DemoRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(p))
        let quota = quota(p)
        let day: Int64 = 86_400_000
        // Sessions start before `horizon`, so that a session (at most 8 events 15 minutes apart) ends before `end`.
        let horizon = end - 3 * 3_600_000
        let arrival = start + Int64(random.next() % UInt64(horizon - day - start))
        let home = Self.weightedChannel(&random)
        // Session sizes: 1–3 views, then each further step with some probability.
        var sessions: [[Int]] = []
        var left = quota
        while left > 0 {
            var names = [Int](repeating: 0, count: 1 + Int(random.next() % 3))
            if random.next() % 100 < 45 {
                names.append(1)
                if random.next() % 100 < 60 {
                    names.append(2)
                    if random.next() % 100 < 75 { names.append(3) }
                }
            }
            if names.count > left { names.removeLast(names.count - left) }
            left -= names.count
            sessions.append(names)
        }
        // Session starts: the arrival, then later visits, more of them soon after arriving.
        var starts = [arrival]
        for _ in 1..<max(1, sessions.count) {
            let u = Double(random.next() >> 11) / Double(1 << 53)
            starts.append(arrival + 60_000 + Int64(Double(horizon - arrival - 60_000) * u * u))
        }
        starts.sort()
        var result: [Event] = []
        result.reserveCapacity(quota)
        for (s, names) in sessions.enumerated() {
            let channel = s == 0 || random.next() % 100 < 75 ? home : Self.weightedChannel(&random)
            var time = starts[s]
            for name in names {
                let revenue: Int64 = name == 3 ? 1_990 + Int64(random.next() % 5_000) * 10 : 0
                result.append(Event(person: p, ordinal: 0, timestamp: time, name: name, channel: channel, revenueMinor: revenue))
                time += 30_000 + Int64(random.next() % 870_000)
            }
        }
        // Sessions may overlap: order by time (stable), then number the events.
        result = result.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        for k in result.indices { result[k].ordinal = k }
        return result
    }

    /// The anonymous id of person `p`.
    public func anonymousId(_ p: Int) -> String { "shop\(seed)-\(p)" }

    /// The Segment `track` message of an event, as an SDK would send it.
    public func message(_ event: Event, receivedAt: Int64) -> Message {
        var properties: JSONObject = [:]
        if event.revenueMinor > 0 {
            properties = [
                "order_id": .string("o\(seed)-\(event.person)-\(event.ordinal)"),
                "revenue": .double(Double(event.revenueMinor) / 100),
                "currency": "CNY",
            ]
        } else {
            properties = ["product_id": .string("sku-\((event.person * 7 + event.ordinal) % 300)")]
        }
        return Message(
            type: .track,
            messageId: "m\(seed)-\(event.person)-\(event.ordinal)",
            anonymousId: anonymousId(event.person),
            event: Self.eventNames[event.name],
            properties: properties,
            context: ["channel": .string(Self.channels[event.channel])],
            timestamp: event.timestamp,
            originalTimestamp: event.timestamp,
            receivedAt: receivedAt
        )
    }

    static func weightedChannel(_ random: inout DemoRandom) -> Int {
        var pick = Int(random.next() % 100)
        for (index, weight) in channelWeights.enumerated() {
            if pick < weight { return index }
            pick -= weight
        }
        return 0
    }
}
