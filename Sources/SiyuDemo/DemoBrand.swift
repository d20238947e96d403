import SiyuCore

/// A believable demo brand, 青禾茶饮 Qinghe Tea — a direct-to-consumer tea brand selling through Douyin,
/// Xiaohongshu, Zhihu, WeChat, WeCom groups, an app, six shops and four KOLs — and the Segment calls its
/// customers made over the last `days` days.
///
/// Generation is deterministic: the same `seed`, `people`, `days` and `endingAt` always give exactly the
/// same messages, in the same order, with the same message ids, on every platform. It is streamed day by
/// day: memory holds one day of messages and a small state per person, never the whole period (about
/// 90 MB for the default brand).
///
/// ```swift
/// let brand = DemoBrand(endingAt: now)
/// let summary = try brand.generate { batch, progress in try store.ingest(batch) }
/// ```
public struct DemoBrand: Sendable {
    /// The brand's name as an operator reads it.
    public let name: String
    /// End of the generated period, UTC epoch milliseconds (exclusive).
    public let endingAt: Int64
    /// People who arrive during the period.
    public let people: Int
    /// Length of the period in days.
    public let days: Int
    public let seed: UInt64

    /// - Parameters:
    ///   - endingAt: end of the period, UTC epoch milliseconds; events fall in `[endingAt − days, endingAt)`.
    ///   - people: people who arrive during the period (at least 1).
    ///   - days: length of the period (at least 1).
    ///   - seed: the seed of every random choice.
    public init(endingAt: Int64, people: Int = 24_000, days: Int = 90, seed: UInt64 = 42) {
        self.name = DemoCatalog.brandName
        self.endingAt = endingAt
        self.people = max(1, people)
        self.days = max(1, days)
        self.seed = seed
    }

    /// Milliseconds in a day.
    public static let dayMillis: Int64 = 86_400_000

    /// Start of the period, UTC epoch milliseconds (inclusive).
    public var startingAt: Int64 { endingAt - Int64(days) * Self.dayMillis }

    /// The brand's channels, to register in the workspace: the acquisition channels (with monthly cost
    /// and tracking codes), the referral programme, and `direct` (no cost). A channel's monthly cost is
    /// its cost per person brought times the people it brings in an average month (30.44 days), so
    /// costs follow `people` and `days` (see ``DemoChannelProfile/costPerArrival``).
    public var channels: [Channel] {
        let months = Double(days) / 30.44
        return DemoChannelProfile.all.map { profile in
            var channel = profile.channel
            let arrivalsPerMonth = Double(people) * profile.arrivalShare / months
            channel.monthlyCostMinor = Int64((profile.costPerArrival * arrivalsPerMonth * 100).rounded())
            return channel
        } + [Channel(key: Channel.direct, name: "直接访问 Direct", kind: .other, monthlyCostMinor: 0)]
    }

    /// How far generation has come when a batch is handed out.
    public struct Progress: Sendable, Equatable {
        /// The day being handed out, from 1 to `days`.
        public var day: Int
        public var days: Int
        /// Messages handed out so far, including this batch.
        public var events: Int
        /// People who have arrived so far.
        public var people: Int
    }

    /// What a whole generation produced.
    public struct Summary: Sendable, Equatable {
        /// Distinct people: each has one user id once identified, or only anonymous ids.
        public var people = 0
        /// People who signed up (sent an identify call).
        public var identifiedPeople = 0
        public var events = 0
        public var orders = 0
        /// Sum of `revenue` of all orders, in 分.
        public var revenueMinor: Int64 = 0
        /// People with at least one order.
        public var buyers = 0
        /// People with at least two orders.
        public var repeatBuyers = 0
        /// Referral invitations redeemed by new people.
        public var referralsRedeemed = 0
        /// People who used a second device and identified on it (their two devices merge).
        public var secondDevices = 0
    }

    /// Generates the brand's messages and hands them to `body` in timestamp order, in batches of at
    /// most `batchSize` messages; a batch never spans two days.
    ///
    /// Every message is historical: `receivedAt` and `originalTimestamp` equal `timestamp`, and there is
    /// no `sentAt`. Message ids are `demo-<seed>-<n>` with `n` counting from 1 in output order.
    @discardableResult
    public func generate(batchSize: Int = 1000, _ body: (_ batch: [Message], _ progress: Progress) throws -> Void) rethrows -> Summary {
        var batches = self.batches(batchSize: batchSize)
        while let (batch, progress) = batches.next() { try body(batch, progress) }
        return batches.summary
    }

    /// The same batches as ``generate(batchSize:_:)``, pulled one at a time (for callers that
    /// store each batch asynchronously before asking for the next).
    public func batches(batchSize: Int = 1000) -> Batches { Batches(brand: self, batchSize: batchSize) }

    /// Batches of the brand's messages, generated a day at a time as they are asked for.
    public struct Batches {
        private var simulation: DemoSimulation
        private let size: Int
        private let days: Int
        private var day = -1
        private var start = 0
        private var emitted = 0
        private var batch: [Message] = []

        init(brand: DemoBrand, batchSize: Int) {
            simulation = DemoSimulation(brand: brand)
            size = max(1, batchSize)
            days = brand.days
            batch.reserveCapacity(size)
        }

        /// What the batches handed out so far add up to (the whole brand once `next()` returned `nil`).
        public var summary: Summary { simulation.summary }

        /// The next batch and the progress it brings, or `nil` after the last day.
        public mutating func next() -> ([Message], Progress)? {
            while day < days {
                if day >= 0, start < simulation.order.count {
                    let end = min(start + size, simulation.order.count)
                    batch.removeAll(keepingCapacity: true)
                    for position in start..<end {
                        if let message = simulation.take(position) { batch.append(message) }
                    }
                    start = end
                    emitted += batch.count
                    return (batch, Progress(day: day + 1, days: days, events: emitted, people: simulation.arrived))
                }
                day += 1
                start = 0
                if day < days { simulation.simulate(day: day) }
            }
            return nil
        }
    }
}
