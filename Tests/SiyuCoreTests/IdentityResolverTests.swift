import Testing

@testable import SiyuCore

@Suite struct IdentityResolverTests {
    let extractor = IdentityExtractor { kind, value in "h:" + value }
    let preparer = EventPreparer(
        settings: WorkspaceIngestSettings(currency: "CNY"), extractor: IdentityExtractor { kind, value in "h:" + value })

    func event(
        _ id: String, type: MessageType = .track, user: String? = nil, anon: String? = nil, time: Int64 = 1000, channel: String? = nil,
        traits: JSONObject = [:], externalIds: [(String, String)] = [], previousId: String? = nil, revenue: Double? = nil
    ) -> PreparedEvent {
        var context: JSONObject = [:]
        if let channel { context["channel"] = .string(channel) }
        if !externalIds.isEmpty {
            context["externalIds"] = .array(externalIds.map { ["id": .string($0.1), "type": .string($0.0)] })
        }
        var properties: JSONObject = [:]
        if let revenue { properties["revenue"] = .double(revenue) }
        let message = Message(
            type: type, messageId: id, userId: user, anonymousId: anon, event: type == .track ? (revenue == nil ? "Viewed" : "Order Completed") : nil,
            properties: properties, traits: traits, context: context, previousId: previousId, timestamp: time, receivedAt: 5000)
        return preparer.prepare(message)
    }

    func snapshot(_ people: [(id: Int64, userId: String?, identities: [IdentityKey], events: Int64)]) -> IdentitySnapshot {
        var snapshot = IdentitySnapshot(nextPersonId: (people.map(\.id).max() ?? 0) + 1)
        for person in people {
            for key in person.identities { snapshot.identities[key] = person.id }
            snapshot.canonical[person.id] = person.id
            snapshot.profiles[person.id] = PersonProfile(id: person.id, createdAt: 0, userId: person.userId, eventCount: person.events)
        }
        return snapshot
    }

    static let a1 = IdentityKey(IdentityKey.anonymousId, "a1")
    static let a2 = IdentityKey(IdentityKey.anonymousId, "a2")
    static let u1 = IdentityKey(IdentityKey.userId, "u1")
    static let u2 = IdentityKey(IdentityKey.userId, "u2")

    @Test func unknownIdentitiesCreateOnePerson() {
        let plan = IdentityResolver.plan([event("m1", anon: "a1"), event("m2", anon: "a1")], snapshot: IdentitySnapshot(nextPersonId: 7))
        #expect(plan.newPersons == [7])
        #expect(plan.newIdentities.map(\.key) == [Self.a1])
        #expect(plan.events.map(\.personId) == [7, 7])
        #expect(plan.profiles.first?.eventCount == 2)
    }

    @Test func identifyLinksAnonymousVisitorToUserId() {
        let plan = IdentityResolver.plan(
            [event("m", type: .identify, user: "u1", anon: "a1", traits: ["email": "Li@Example.com"])],
            snapshot: snapshot([(1, nil, [Self.a1], 3)]))
        #expect(plan.newPersons.isEmpty && plan.merges.isEmpty)
        // The user id and the hashed e-mail attach to person 1.
        #expect(Set(plan.newIdentities.map(\.key)) == [Self.u1, IdentityKey(IdentityKey.email, "h:li@example.com")])
        #expect(plan.newIdentities.allSatisfy { $0.personId == 1 })
        let profile = plan.profiles.first { $0.id == 1 }
        #expect(profile?.userId == "u1" && profile?.eventCount == 4)
        // The address is masked in the stored traits.
        #expect(profile?.traits["email"] == .string("l***@example.com"))
    }

    @Test func anonymousPersonMergesIntoIdentifiedOneEvenIfOlder() {
        let plan = IdentityResolver.plan([event("m", user: "u1", anon: "a1")], snapshot: snapshot([(1, nil, [Self.a1], 3), (2, "u1", [Self.u1], 5)]))
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[2, 1]])
        #expect(plan.merges.first?.identity == Self.a1)
        #expect(plan.events.first?.personId == 2)
        // 3 + 5 + this event.
        #expect(plan.profiles.first { $0.id == 2 }?.eventCount == 9)
        #expect(!plan.profiles.contains { $0.id == 1 })
    }

    @Test func twoAnonymousPeopleMergeIntoTheOlder() {
        let openid = IdentityKey(IdentityKey.openid, "o1")
        let plan = IdentityResolver.plan(
            [event("m", anon: "a2", externalIds: [("wechat_openid", "o1")])], snapshot: snapshot([(1, nil, [openid], 1), (2, nil, [Self.a2], 1)]))
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[1, 2]])
        // The event belongs to the person of its strongest identity (the openid, person 1).
        #expect(plan.events.first?.personId == 1)
    }

    @Test func twoIdentifiedPeopleAreNeverMergedSilently() {
        let plan = IdentityResolver.plan(
            [event("m", user: "u1", anon: "a2")], snapshot: snapshot([(1, "u1", [Self.u1], 1), (2, "u2", [Self.u2, Self.a2], 1)]))
        #expect(plan.merges.isEmpty)
        #expect(plan.conflicts == [MergeConflict(keptPerson: 1, otherPerson: 2, identity: Self.a2, messageId: "m", at: 5000)])
        #expect(plan.events.first?.personId == 1)
        #expect(plan.events.first?.event.message.flags.contains(.mergeRefused) == true)
        #expect(plan.outcomes == [.stored])
    }

    @Test func newUserIdOnAnotherUsersDeviceStartsANewPerson() {
        let plan = IdentityResolver.plan([event("m", type: .identify, user: "u2", anon: "a1")], snapshot: snapshot([(1, "u1", [Self.u1, Self.a1], 4)]))
        #expect(plan.newPersons == [2])
        #expect(plan.newIdentities.map(\.key) == [Self.u2] && plan.newIdentities.first?.personId == 2)
        #expect(plan.conflicts.map { [$0.keptPerson, $0.otherPerson] } == [[2, 1]])
        #expect(plan.events.first?.personId == 2)
        #expect(plan.profiles.first { $0.id == 2 }?.userId == "u2")
    }

    @Test func aliasMergesEvenIdentifiedPeople() {
        let plan = IdentityResolver.plan(
            [event("m", type: .alias, user: "u2", previousId: "u1")], snapshot: snapshot([(1, "u1", [Self.u1], 1), (2, "u2", [Self.u2], 1)]))
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[1, 2]])
        #expect(plan.merges.first?.reason == "alias")
    }

    @Test func aliasOfAnUnseenPreviousIdAttachesItAsAUserId() {
        let plan = IdentityResolver.plan([event("m", type: .alias, user: "u2", previousId: "old-id")], snapshot: snapshot([(1, "u2", [Self.u2], 1)]))
        #expect(plan.newIdentities.map(\.key) == [IdentityKey(IdentityKey.userId, "old-id")])
        #expect(plan.newIdentities.first?.personId == 1)
    }

    @Test func duplicatesChangeNothing() {
        var base = snapshot([(1, nil, [Self.a1], 1)])
        base.existingMessageIds = ["old"]
        let plan = IdentityResolver.plan([event("old", anon: "zz"), event("new", anon: "a1"), event("new", anon: "zz")], snapshot: base)
        #expect(plan.outcomes == [.duplicate, .stored, .duplicate])
        #expect(plan.newPersons.isEmpty && plan.newIdentities.isEmpty)
        #expect(plan.events.count == 1)
    }

    @Test func mergesWithinOneBatchChain() {
        // Two anonymous visitors appear, are linked by an openid, then identify: one person.
        let plan = IdentityResolver.plan(
            [
                event("1", anon: "a1", time: 100, channel: "douyin"), event("2", anon: "a2", time: 200, channel: "app", externalIds: [("openid", "o")]),
                event("3", anon: "a1", time: 300, externalIds: [("openid", "o")]), event("4", type: .identify, user: "u1", anon: "a2", time: 400),
            ], snapshot: IdentitySnapshot(nextPersonId: 10))
        #expect(plan.newPersons == [10, 11])
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[10, 11]])
        let survivor = plan.profiles.first { $0.id == 10 }
        #expect(survivor?.eventCount == 4 && survivor?.userId == "u1")
        #expect(survivor?.firstChannel == "douyin" && survivor?.lastChannel == "direct")
        // Person 11 is written too (it owns identities), frozen as it was when merged.
        #expect(plan.profiles.first { $0.id == 11 }?.eventCount == 1)
        // Events keep the person of their strongest known identity (so that a split can give them
        // back): event 3's strongest is the openid (person 11), event 4's is a2 (person 11; u1 is new).
        #expect(plan.events.map(\.personId) == [10, 11, 11, 11])
    }

    @Test func mergeKeepsTheLatestTraitAndEarliestFirstTouch() {
        var base = snapshot([(1, nil, [Self.a1], 1), (2, "u1", [Self.u1], 1)])
        base.profiles[1]?.setTraits(["city": "上海", "age": 30], at: 500)
        base.profiles[1]?.firstSeen = 100
        base.profiles[1]?.firstChannel = "xiaohongshu"
        base.profiles[2]?.setTraits(["city": "北京"], at: 200)
        base.profiles[2]?.firstSeen = 150
        base.profiles[2]?.firstChannel = "douyin"
        let plan = IdentityResolver.plan([event("m", user: "u1", anon: "a1", time: 50_000)], snapshot: base)
        let merged = plan.profiles.first { $0.id == 2 }
        #expect(merged?.traits["city"] == .string("上海"))  // set at 500, after 北京 at 200
        #expect(merged?.traits["age"] == .int(30))
        #expect(merged?.firstSeen == 100 && merged?.firstChannel == "xiaohongshu")
    }

    @Test func firstAndLastTouchFollowEventTimeNotArrival() {
        let plan = IdentityResolver.plan(
            [event("late", anon: "a1", time: 900, channel: "app"), event("early", anon: "a1", time: 100, channel: "zhihu")],
            snapshot: IdentitySnapshot())
        let profile = plan.profiles.first
        #expect(profile?.firstChannel == "zhihu" && profile?.firstSeen == 100)
        #expect(profile?.lastChannel == "app" && profile?.lastSeen == 900)
    }

    @Test func ordersAddRevenueInWorkspaceCurrencyOnly() {
        var foreign = event("usd", anon: "a1", revenue: 10)
        foreign.currency = "USD"
        foreign.revenueInWorkspaceCurrency = nil
        let plan = IdentityResolver.plan([event("cny", anon: "a1", revenue: 129.9), foreign], snapshot: IdentitySnapshot())
        #expect(plan.profiles.first?.orderCount == 2)
        #expect(plan.profiles.first?.revenueMinor == 12_990)
    }

    @Test func phoneNumbersAreNormalisedBeforeHashing() {
        #expect(IdentityExtractor.normalizePhone("+86 138-0013-8000") == "13800138000")
        #expect(IdentityExtractor.normalizePhone("0086 13800138000") == "13800138000")
        #expect(IdentityExtractor.normalizePhone("12345") == nil)
        #expect(IdentityExtractor.mask(kind: IdentityKey.phone, "13800138000") == "138****8000")
        #expect(IdentityExtractor.normalizeEmail(" A@B.CN ") == "a@b.cn")
        #expect(IdentityExtractor.normalizeEmail("not-an-email") == nil)
    }
}
