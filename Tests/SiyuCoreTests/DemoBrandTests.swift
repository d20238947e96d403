import Foundation
import OrderedCollections
import Testing

@testable import SiyuCore
@testable import SiyuDemo

/// The demo brand generator: determinism, the shape of every message, and the business facts a demo
/// workspace must show (enough people and events, channels that differ, repeat buyers).
@Suite struct DemoBrandTests {
    /// 2024-11-20T16:00:00Z, which is midnight of 2024-11-21 in China.
    static let end: Int64 = 1_732_118_400_000
    static let small = DemoBrand(endingAt: end, people: 500, days: 14, seed: 7)

    /// Every message and progress report of a generation, with its summary.
    static func collect(
        _ brand: DemoBrand,
        batchSize: Int = 1000
    ) -> (
        messages: [Message], progress: [DemoBrand.Progress], summary: DemoBrand.Summary
    ) {
        var messages: [Message] = []
        var progress: [DemoBrand.Progress] = []
        let summary = brand.generate(batchSize: batchSize) { batch, report in
            #expect(!batch.isEmpty && batch.count <= batchSize)
            messages.append(contentsOf: batch)
            progress.append(report)
        }
        return (messages, progress, summary)
    }

    @Test func sameSeedGivesTheSameMessagesAndAnotherSeedDoesNot() {
        let first = Self.collect(Self.small)
        let second = Self.collect(Self.small, batchSize: 97)
        #expect(first.messages.count > 5_000)
        #expect(first.messages == second.messages)
        #expect(first.summary == second.summary)

        let other = Self.collect(DemoBrand(endingAt: Self.end, people: 500, days: 14, seed: 8))
        #expect(other.messages.first?.messageId == "demo-8-1")
        // Compare the content, not the ids (which name the seed).
        let strip = { (messages: [Message]) in
            messages.prefix(2_000).map { m -> Message in
                var copy = m
                copy.messageId = ""
                return copy
            }
        }
        #expect(strip(first.messages) != strip(other.messages))
    }

    @Test func everyMessageIsWellFormed() throws {
        let brand = Self.small
        let (messages, progress, summary) = Self.collect(brand, batchSize: 250)
        let start = Self.end - 14 * 86_400_000
        #expect(brand.startingAt == start)
        var previous = Int64.min
        var orders = 0
        var revenue: Int64 = 0
        for (n, message) in messages.enumerated() {
            // Ids: present, not an SDK placeholder; message ids number the stream from 1.
            let ids = [message.userId, message.anonymousId].compactMap { $0 }
            #expect(!ids.isEmpty)
            for id in ids { #expect(!id.isEmpty && !TrackingRequest.placeholderIds.contains(id.lowercased())) }
            #expect(message.messageId == "demo-7-\(n + 1)")
            if message.type == .identify { #expect(message.userId != nil) }
            // Historical data: inside the period, in order, received when it happened.
            #expect(message.timestamp >= start && message.timestamp < Self.end)
            #expect(message.timestamp >= previous)
            previous = message.timestamp
            #expect(message.receivedAt == message.timestamp && message.originalTimestamp == message.timestamp && message.sentAt == nil)
            #expect(message.context["locale"] == "zh-CN")
            #expect(message.context["library"]?["name"]?.stringValue != nil)
            if let page = message.context["page"] { #expect(page["path"]?.stringValue != nil) }

            if message.type == .track, message.event == "Order Completed" {
                // The generator's invariant: revenue is exactly the sum of price × quantity, in 分.
                let amount = try #require(message.properties["revenue"].flatMap { Money.minorUnits($0, currency: "CNY") })
                var sum: Int64 = 0
                for line in message.properties["products"]?.arrayValue ?? [] {
                    let price = try #require(line["price"].flatMap { Money.minorUnits($0, currency: "CNY") })
                    let quantity = try #require(line["quantity"]?.int64Value)
                    #expect(price > 0 && quantity > 0)
                    sum += price * quantity
                }
                #expect(amount > 0 && sum == amount)
                #expect(message.properties["currency"] == "CNY")
                #expect(message.userId != nil)
                orders += 1
                revenue += amount
            }
            if message.event == "Survey Answered" {
                let score = try #require(message.properties["score"]?.int64Value)
                #expect((0...10).contains(score) && message.properties["survey"] == "nps")
            }
        }
        #expect(Set(messages.map(\.messageId)).count == messages.count)

        // Progress: days 1...14 in order; the event count grows by each batch's size.
        #expect(progress.first?.day == 1 && progress.last?.day == 14 && progress.last?.days == 14)
        #expect(zip(progress, progress.dropFirst()).allSatisfy { $0.day <= $1.day && $0.events < $1.events })
        #expect(progress.last?.events == messages.count && progress.last?.people == 500)

        #expect(summary.events == messages.count)
        #expect(summary.orders == orders && summary.revenueMinor == revenue)
        // People: one per user id, plus one per anonymous id never seen with a user id.
        let userIds = Set(messages.compactMap(\.userId))
        let pairedAnonymous = Set(messages.filter { $0.userId != nil }.compactMap(\.anonymousId))
        let anonymousOnly = Set(messages.compactMap(\.anonymousId)).subtracting(pairedAnonymous)
        #expect(summary.people == 500)
        #expect(userIds.count + anonymousOnly.count == 500)
        #expect(summary.identifiedPeople == userIds.count)
        // The channels: valid distinct keys, four KOLs, a cost for each paid-for channel.
        #expect(brand.channels.allSatisfy { Channel.isValidKey($0.key) } && Set(brand.channels.map(\.key)).count == brand.channels.count)
        #expect(brand.channels.filter { $0.key.hasPrefix("kol:") }.count == 4)
        #expect(brand.channels.allSatisfy { ($0.monthlyCostMinor ?? 0) > 0 || $0.key == Channel.direct || $0.key == "referral" })
        #expect(brand.channels.allSatisfy { $0.monthlyCostMinor != nil })
        // Every event resolves to one of the channels the brand registers.
        let attribution = ChannelAttribution(channels: brand.channels)
        let keys = Set(brand.channels.map(\.key))
        for message in messages { #expect(keys.contains(attribution.channel(of: message))) }
    }

    @Test func referralsAndCheckInsHangTogether() throws {
        let (messages, _, summary) = Self.collect(DemoBrand(endingAt: Self.end, people: 1_500, days: 21, seed: 11))
        var firstCall: [String: Message] = [:]
        var invites: [String: (userId: String, time: Int64)] = [:]
        var redeemed = 0
        var lastCheckIn: [String: (day: Int64, streak: Int64)] = [:]
        var checkIns = 0
        for m in messages {
            if let anonymousId = m.anonymousId, firstCall[anonymousId] == nil { firstCall[anonymousId] = m }
            switch m.event {
            case "Referral Invite Sent":
                let code = try #require(m.properties["referral_code"]?.stringValue)
                let userId = try #require(m.userId)
                if invites[code] == nil { invites[code] = (userId, m.timestamp) }
                #expect(invites[code]?.userId == userId)
            case "Referral Redeemed":
                // The code was shared earlier by the referrer, and the newcomer came in through the referral channel.
                redeemed += 1
                let code = try #require(m.properties["referral_code"]?.stringValue)
                let invite = try #require(invites[code])
                #expect(m.properties["referrer_user_id"]?.stringValue == invite.userId && invite.time < m.timestamp)
                #expect(m.userId != invite.userId)
                let first = try #require(m.anonymousId.flatMap { firstCall[$0] })
                #expect(first.context["channel"] == "referral")
            case "Checked In":
                // One check-in per China date; the streak grows on consecutive dates and restarts after a gap.
                checkIns += 1
                let userId = try #require(m.userId)
                let date = try #require(m.properties["checkin_date"]?.stringValue)
                let midnight = try #require(Timestamp.parseISO8601(date + "T00:00:00+08:00"))
                #expect(m.timestamp >= midnight && m.timestamp < midnight + 86_400_000)
                let day = midnight / 86_400_000
                let streak = try #require(m.properties["streak"]?.int64Value)
                if let previous = lastCheckIn[userId] {
                    #expect(day > previous.day)
                    #expect(streak == (day == previous.day + 1 ? previous.streak + 1 : 1))
                } else {
                    #expect(streak >= 1)
                }
                lastCheckIn[userId] = (day, streak)
            default:
                break
            }
        }
        #expect(redeemed > 0 && redeemed == summary.referralsRedeemed && invites.count > redeemed / 2)
        #expect(checkIns > 100 && lastCheckIn.values.contains { $0.streak >= 3 })
    }

    @Test func calendarFollowsChinaTime() {
        #expect(Timestamp.parseISO8601("2024-11-21T00:00:00+08:00") == Self.end)
        // 14 days from Thursday 2024-11-07 (China time): the weekends are days 2-3 and 9-10.
        let calendar = DemoCalendar(startingAt: Self.end - 14 * 86_400_000, days: 14, people: 1_000)
        let weekends = (0..<14).filter { DemoCalendar.isWeekend(calendar.dayStart($0)) }
        #expect(weekends == [2, 3, 9, 10])
        // Sales at 35% and 80% of the period: round(13 × 0.35) = 5 and round(13 × 0.8) = 10.
        #expect(calendar.campaigns.map(\.day) == [5, 10])
        #expect(calendar.arrivals.reduce(0, +) == 1_000)
        #expect(calendar.arrivals.max() == calendar.arrivals[10])
        #expect(DemoCalendar.localDate(Self.end - 1) == "2024-11-20" && DemoCalendar.localDate(Self.end) == "2024-11-21")
        // Largest remainders: 10 × ⅓ each gives 3 + 3 + 3, the spare unit to the first; 7 × (0, ⅔, ⅓) gives 0, 4.67, 2.33.
        #expect(DemoCalendar.apportion(10, weights: [1, 1, 1]) == [4, 3, 3])
        #expect(DemoCalendar.apportion(7, weights: [0, 2, 1]) == [0, 5, 2])
        var random = DemoRandom(seed: 5)
        for day in [0, 13] {
            let time = calendar.randomTime(on: day, &random)
            #expect(time >= calendar.dayStart(day) && time < calendar.dayStart(day + 1))
        }
    }

    @Test func tinyBrandsAreStillWellFormed() {
        for (people, days, seed) in [(1, 1, UInt64(0)), (3, 2, 1), (60, 3, 99)] {
            let brand = DemoBrand(endingAt: Self.end, people: people, days: days, seed: seed)
            let (messages, _, summary) = Self.collect(brand, batchSize: 7)
            #expect(!messages.isEmpty && summary.people == people && summary.events == messages.count)
            #expect(messages.allSatisfy { $0.timestamp >= brand.startingAt && $0.timestamp < Self.end })
        }
    }

    @Test func identityResolutionFindsExactlyTheGeneratedPeople() throws {
        let (messages, _, summary) = Self.collect(Self.small)
        let preparer = EventPreparer(
            settings: WorkspaceIngestSettings(currency: "CNY", channels: Self.small.channels),
            extractor: IdentityExtractor { _, value in "h:" + value }
        )
        let plan = IdentityResolver.plan(
            try messages.map { message throws(IngestError) in try preparer.prepare(message) },
            snapshot: IdentitySnapshot()
        )
        // A second device starts as a new anonymous person and is merged once its owner logs in; nothing
        // else may merge two generated people (a borrowed device is a refused merge, not a merge).
        #expect(summary.secondDevices > 0)
        #expect(plan.merges.count == summary.secondDevices)
        #expect(plan.newPersons.count - plan.merges.count == summary.people)
        #expect(plan.outcomes.allSatisfy { $0 == .stored })
        let orders = plan.deltas.reduce(0) { $0 + $1.orders }
        let revenue = plan.deltas.reduce(0) { $0 + $1.revenueMinor }
        #expect(orders == Int64(summary.orders) && revenue == summary.revenueMinor)
    }

    @Test func messagesSurviveTheSegmentAPI() throws {
        // Written as Segment JSON and read back by the ingestion decoder, in batches of 100.
        let (messages, _, _) = Self.collect(DemoBrand(endingAt: Self.end, people: 120, days: 7, seed: 3))
        var start = 0
        while start < messages.count {
            let chunk = Array(messages[start..<min(start + 100, messages.count)])
            var batch: [JSONValue] = []
            for m in chunk {
                var item: JSONObject = ["type": .string(m.type.rawValue), "messageId": .string(m.messageId)]
                if let userId = m.userId { item["userId"] = .string(userId) }
                if let anonymousId = m.anonymousId { item["anonymousId"] = .string(anonymousId) }
                if let event = m.event { item[m.type == .track ? "event" : "name"] = .string(event) }
                item["properties"] = .object(m.properties)
                if !m.traits.isEmpty { item["traits"] = .object(m.traits) }
                item["context"] = .object(m.context)
                item["timestamp"] = .string(Timestamp.iso8601(m.timestamp))
                batch.append(.object(item))
            }
            let body = Array(JSONWriter.string(JSONValue.object(["batch": .array(batch)])).utf8)
            let request = try TrackingRequest.decode(body: body, endpoint: .batch, receivedAt: chunk[chunk.count - 1].timestamp) { "generated" }
            for (item, original) in zip(request.items, chunk) {
                guard case .accepted(let decoded) = item else {
                    Issue.record("rejected: \(item)")
                    continue
                }
                // Only the arrival time of the request differs.
                var expected = original
                expected.receivedAt = decoded.receivedAt
                #expect(decoded == expected)
            }
            start += 100
        }
    }

    @Test func portableMathAgreesWithTheSystemLibrary() {
        // DemoMath replaces libm so that a seed means the same brand everywhere; it must still be right.
        var x = 1e-9
        while x < 1e9 {
            #expect(abs(DemoMath.log(x) - Foundation.log(x)) <= 1e-15 * max(1, abs(Foundation.log(x))))
            x *= 1.37
        }
        var y = -700.0
        while y < 700 {
            #expect(abs(DemoMath.exp(y) - Foundation.exp(y)) <= 1e-15 * Foundation.exp(y))
            y += 0.731
        }
        #expect(DemoMath.exp(0) == 1 && DemoMath.log(1) == 0)
    }

    @Test func defaultBrandIsLargeAndItsChannelsDiffer() throws {
        let brand = DemoBrand(endingAt: Self.end)
        let attribution = ChannelAttribution(channels: brand.channels)
        var userIds: Set<String> = []
        // Per anonymous id: the channel and time of its first call, and the user id it was first seen with.
        var firstTouch: [String: (channel: String, time: Int64)] = [:]
        var ownerOf: [String: String] = [:]
        var firstTouchOfUser: [String: (channel: String, time: Int64)] = [:]
        var ordersOf: [String: Int] = [:]
        var orderValues: [Int64] = []
        var channelsSeen: Set<String> = []
        var eventsPerDay = [Int](repeating: 0, count: 90)
        var nps = (promoters: 0, detractors: 0)
        var count = 0
        let summary = brand.generate(batchSize: 2_000) { batch, _ in
            for m in batch {
                count += 1
                eventsPerDay[Int((m.timestamp - brand.startingAt) / DemoBrand.dayMillis)] += 1
                let explicit = m.context["channel"]?.stringValue
                if let explicit { channelsSeen.insert(explicit) }
                let newAnonymous = m.anonymousId.map { firstTouch[$0] == nil } ?? false
                let newUser = m.userId.map { !userIds.contains($0) } ?? false
                // An explicit `context.channel` wins attribution. Other calls are resolved when they are a
                // first touch or carry a hint; plain ones only until one has shown the `direct` channel.
                var channel = explicit
                if channel == nil,
                    newAnonymous || newUser || m.context["campaign"] != nil || m.context["page"]?["referrer"] != nil
                        || !channelsSeen.contains(Channel.direct)
                {
                    channel = attribution.channel(of: m)
                }
                if let channel { channelsSeen.insert(channel) }
                if newAnonymous, let anonymousId = m.anonymousId, let channel { firstTouch[anonymousId] = (channel, m.timestamp) }
                if let userId = m.userId {
                    if newUser, let channel {
                        userIds.insert(userId)
                        firstTouchOfUser[userId] = (channel, m.timestamp)
                    }
                    if let anonymousId = m.anonymousId, ownerOf[anonymousId] == nil { ownerOf[anonymousId] = userId }
                }
                if m.event == "Order Completed", let userId = m.userId {
                    ordersOf[userId, default: 0] += 1
                    orderValues.append(m.properties["revenue"].flatMap { Money.minorUnits($0, currency: "CNY") } ?? 0)
                }
                if m.event == "Survey Answered", let score = m.properties["score"]?.int64Value {
                    if score >= 9 { nps.promoters += 1 } else if score <= 6 { nps.detractors += 1 }
                }
            }
        }

        // Size: people are user ids plus anonymous ids never seen with one.
        let anonymousOnly = firstTouch.keys.filter { ownerOf[$0] == nil }
        let people = userIds.count + anonymousOnly.count
        #expect(people >= 20_000 && people == summary.people)
        #expect(count >= 1_000_000 && count == summary.events)
        #expect(summary.orders == orderValues.count && summary.revenueMinor == orderValues.reduce(0, +))

        // Every registered channel brings some events.
        for channel in brand.channels { #expect(channelsSeen.contains(channel.key), "no events from \(channel.key)") }

        // A person's acquisition channel is the first touch of the earliest of their ids.
        for (anonymousId, owner) in ownerOf {
            guard let touch = firstTouch[anonymousId] else { continue }
            if let known = firstTouchOfUser[owner], known.time <= touch.time { continue }
            firstTouchOfUser[owner] = touch
        }
        var peopleBy: [String: Int] = [:]
        var buyersBy: [String: Int] = [:]
        var repeatBy: [String: Int] = [:]
        var ordersBy: [String: Int] = [:]
        for (userId, touch) in firstTouchOfUser {
            let group = touch.channel.hasPrefix("kol:") ? "kol" : touch.channel
            peopleBy[group, default: 0] += 1
            let orders = ordersOf[userId] ?? 0
            ordersBy[group, default: 0] += orders
            if orders >= 1 { buyersBy[group, default: 0] += 1 }
            if orders >= 2 { repeatBy[group, default: 0] += 1 }
        }
        for anonymousId in anonymousOnly {
            let channel = firstTouch[anonymousId]?.channel ?? "?"
            peopleBy[channel.hasPrefix("kol:") ? "kol" : channel, default: 0] += 1
        }
        func rate(_ part: [String: Int], _ whole: [String: Int], _ key: String) -> Double {
            Double(part[key] ?? 0) / Double(max(1, whole[key] ?? 0))
        }
        // Douyin brings the most people; KOLs bring few who buy much more; private channels repeat more.
        #expect(peopleBy["douyin", default: 0] > peopleBy["kol", default: 0] * 2)
        #expect(rate(ordersBy, peopleBy, "kol") > 2 * rate(ordersBy, peopleBy, "douyin"))
        #expect(rate(repeatBy, buyersBy, "wecom_group") > rate(repeatBy, buyersBy, "douyin"))

        // Repeat purchases: a reasonable share of buyers buy again within the quarter.
        let buyers = ordersOf.count
        let repeaters = ordersOf.values.filter { $0 >= 2 }.count
        #expect(buyers == summary.buyers && repeaters == summary.repeatBuyers)
        let repeatShare = Double(repeaters) / Double(buyers)
        #expect(repeatShare >= 0.15 && repeatShare <= 0.40)

        // Baskets: median near ¥90, a long tail past ¥1,000.
        orderValues.sort()
        let median = orderValues[orderValues.count / 2]
        #expect(median >= 6_000 && median <= 13_000)
        #expect((orderValues.last ?? 0) >= 100_000)

        // More promoters than detractors; a sale day stands out.
        #expect(nps.promoters > nps.detractors && nps.detractors > 0)
        let sortedDays = eventsPerDay.sorted()
        #expect(sortedDays[89] * 10 >= sortedDays[45] * 18)
    }

    /// Costs follow the audience: Douyin costs ¥1.95 for each of the 27 % of people it brings, so
    /// 24,000 people over 90 days (2.9566 average months of 30.44 days) cost 1.95 × 6,480 ÷ 2.9566 =
    /// ¥4,273.78 a month; twice the people twice that, a third of the days three times a month.
    @Test func channelCostsScaleWithTheAudience() {
        func douyin(_ brand: DemoBrand) -> Int64? { brand.channels.first { $0.key == "douyin" }?.monthlyCostMinor }
        #expect(douyin(DemoBrand(endingAt: Self.end)) == 427_378)
        #expect(douyin(DemoBrand(endingAt: Self.end, people: 48_000)) == 854_755)
        #expect(douyin(DemoBrand(endingAt: Self.end, days: 30)) == 1_282_133)
        #expect(DemoBrand(endingAt: Self.end).channels.first { $0.key == Channel.direct }?.monthlyCostMinor == 0)
    }
}
