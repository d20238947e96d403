import Testing

@testable import SiyuCore

@Suite struct IdentityResolverTests {
    let extractor = IdentityExtractor { kind, value in "h:" + value }
    let preparer = EventPreparer(
        settings: WorkspaceIngestSettings(currency: "CNY"),
        extractor: IdentityExtractor { kind, value in "h:" + value }
    )

    func event(
        _ id: String,
        type: MessageType = .track,
        user: String? = nil,
        anon: String? = nil,
        time: Int64 = 1000,
        channel: String? = nil,
        traits: JSONObject = [:],
        externalIds: [(String, String)] = [],
        previousId: String? = nil,
        revenue: Double? = nil
    ) -> PreparedEvent {
        var context: JSONObject = [:]
        if let channel { context["channel"] = .string(channel) }
        if !externalIds.isEmpty {
            context["externalIds"] = .array(externalIds.map { ["id": .string($0.1), "type": .string($0.0)] })
        }
        var properties: JSONObject = [:]
        if let revenue { properties["revenue"] = .double(revenue) }
        let message = Message(
            type: type,
            messageId: id,
            userId: user,
            anonymousId: anon,
            event: type == .track ? (revenue == nil ? "Viewed" : "Order Completed") : nil,
            properties: properties,
            traits: traits,
            context: context,
            previousId: previousId,
            timestamp: time,
            receivedAt: 5000
        )
        // The amounts here are small: preparing cannot refuse them.
        return try! preparer.prepare(message)
    }

    /// A snapshot of existing people, and their profiles (what the store holds).
    func snapshot(_ people: [(id: Int64, userId: String?, identities: [IdentityKey], events: Int64)]) -> IdentitySnapshot {
        var snapshot = IdentitySnapshot(nextPersonId: (people.map(\.id).max() ?? 0) + 1)
        for person in people {
            for key in person.identities { snapshot.identities[key] = person.id }
            snapshot.canonical[person.id] = person.id
            snapshot.people[person.id] = PersonSummary(id: person.id, userId: person.userId)
        }
        return snapshot
    }

    func profiles(_ people: [(id: Int64, userId: String?, identities: [IdentityKey], events: Int64)]) -> [Int64: PersonProfile] {
        Dictionary(uniqueKeysWithValues: people.map { ($0.id, PersonProfile(id: $0.id, createdAt: 0, userId: $0.userId, eventCount: $0.events)) })
    }

    /// Plans `events` over `people` and returns the plan and the profiles after applying it.
    func run(
        _ events: [PreparedEvent],
        _ people: [(id: Int64, userId: String?, identities: [IdentityKey], events: Int64)] = [],
        nextPersonId: Int64? = nil
    ) -> (IngestPlan, [Int64: PersonProfile]) {
        var base = snapshot(people)
        if let nextPersonId { base.nextPersonId = nextPersonId }
        let plan = IdentityResolver.plan(events, snapshot: base)
        return (plan, plan.applied(to: profiles(people)))
    }

    static let a1 = IdentityKey(IdentityKey.anonymousId, "a1")
    static let a2 = IdentityKey(IdentityKey.anonymousId, "a2")
    static let u1 = IdentityKey(IdentityKey.userId, "u1")
    static let u2 = IdentityKey(IdentityKey.userId, "u2")

    @Test func unknownIdentitiesCreateOnePerson() {
        let (plan, profiles) = run([event("m1", anon: "a1"), event("m2", anon: "a1")], nextPersonId: 7)
        #expect(plan.newPersons.map(\.id) == [7])
        #expect(plan.newIdentities.map(\.key) == [Self.a1])
        #expect(plan.events.map(\.personId) == [7, 7])
        #expect(profiles[7]?.eventCount == 2)
        #expect(plan.deltas.map(\.personId) == [7])
    }

    @Test func identifyLinksAnonymousVisitorToUserId() {
        let (plan, profiles) = run(
            [event("m", type: .identify, user: "u1", anon: "a1", traits: ["email": "Li@Example.com"])],
            [(1, nil, [Self.a1], 3)]
        )
        #expect(plan.newPersons.isEmpty && plan.merges.isEmpty)
        // The user id and the hashed e-mail attach to person 1.
        #expect(Set(plan.newIdentities.map(\.key)) == [Self.u1, IdentityKey(IdentityKey.email, "h:li@example.com")])
        #expect(plan.newIdentities.allSatisfy { $0.personId == 1 })
        #expect(profiles[1]?.userId == "u1" && profiles[1]?.eventCount == 4)
        // The address is masked in the stored traits.
        #expect(profiles[1]?.traits["email"] == .string("l***@example.com"))
    }

    @Test func anonymousPersonMergesIntoIdentifiedOneEvenIfOlder() {
        let (plan, profiles) = run([event("m", user: "u1", anon: "a1")], [(1, nil, [Self.a1], 3), (2, "u1", [Self.u1], 5)])
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[2, 1]])
        #expect(plan.merges.first?.identity == Self.a1)
        #expect(plan.events.first?.personId == 2)
        // 3 + 5 + this event.
        #expect(profiles[2]?.eventCount == 9)
        #expect(plan.deltas.map(\.personId) == [2])
    }

    @Test func twoAnonymousPeopleMergeIntoTheOlder() {
        let openid = IdentityKey(IdentityKey.openid, "o1")
        let (plan, _) = run([event("m", anon: "a2", externalIds: [("wechat_openid", "o1")])], [(1, nil, [openid], 1), (2, nil, [Self.a2], 1)])
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[1, 2]])
        // The event belongs to the person of its strongest identity (the openid, person 1).
        #expect(plan.events.first?.personId == 1)
    }

    @Test func twoIdentifiedPeopleAreNeverMergedSilently() {
        let (plan, profiles) = run([event("m", user: "u1", anon: "a2")], [(1, "u1", [Self.u1], 1), (2, "u2", [Self.u2, Self.a2], 1)])
        #expect(plan.merges.isEmpty)
        #expect(plan.conflicts == [MergeConflict(keptPerson: 1, otherPerson: 2, identity: Self.a2, messageId: "m", at: 5000)])
        #expect(plan.events.first?.personId == 1)
        #expect(plan.events.first?.flags.contains(.mergeRefused) == true)
        #expect(plan.outcomes == [.stored])
        #expect(profiles[1]?.eventCount == 2 && profiles[2]?.eventCount == 1)
    }

    @Test func newUserIdOnAnotherUsersDeviceStartsANewPerson() {
        let (plan, profiles) = run([event("m", type: .identify, user: "u2", anon: "a1")], [(1, "u1", [Self.u1, Self.a1], 4)])
        #expect(plan.newPersons.map(\.id) == [2])
        #expect(plan.newIdentities.map(\.key) == [Self.u2] && plan.newIdentities.first?.personId == 2)
        #expect(plan.conflicts.map { [$0.keptPerson, $0.otherPerson] } == [[2, 1]])
        #expect(plan.events.first?.personId == 2)
        #expect(profiles[2]?.userId == "u2" && profiles[1]?.eventCount == 4)
    }

    @Test func aliasMergesEvenIdentifiedPeople() {
        let (plan, _) = run([event("m", type: .alias, user: "u2", previousId: "u1")], [(1, "u1", [Self.u1], 1), (2, "u2", [Self.u2], 1)])
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[1, 2]])
        #expect(plan.merges.first?.reason == "alias")
    }

    @Test func aliasOfAnUnseenPreviousIdAttachesItAsAUserId() {
        let (plan, _) = run([event("m", type: .alias, user: "u2", previousId: "old-id")], [(1, "u2", [Self.u2], 1)])
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
        let (plan, profiles) = run(
            [
                event("1", anon: "a1", time: 100, channel: "douyin"),
                event("2", anon: "a2", time: 200, channel: "app", externalIds: [("openid", "o")]),
                event("3", anon: "a1", time: 300, externalIds: [("openid", "o")]), event("4", type: .identify, user: "u1", anon: "a2", time: 400),
            ],
            nextPersonId: 10
        )
        #expect(plan.newPersons.map(\.id) == [10, 11])
        #expect(plan.merges.map { [$0.survivor, $0.loser] } == [[10, 11]])
        #expect(profiles[10]?.eventCount == 4 && profiles[10]?.userId == "u1")
        #expect(profiles[10]?.firstChannel == "douyin" && profiles[10]?.lastChannel == "direct")
        // All four events' changes land on the survivor, none on the merged-away person 11.
        #expect(plan.deltas.map(\.personId) == [10])
        #expect(profiles[11]?.eventCount == 0)
        // Events keep the person of their strongest known identity (so that a split can give them
        // back): event 3's strongest is the openid (person 11), event 4's is a2 (person 11; u1 is new).
        #expect(plan.events.map(\.personId) == [10, 11, 11, 11])
    }

    @Test func mergeKeepsTheLatestTraitAndEarliestFirstTouch() {
        var base = profiles([(1, nil, [Self.a1], 1), (2, "u1", [Self.u1], 1)])
        base[1]?.setTraits(["city": "上海", "age": 30], at: 500)
        base[1]?.firstSeen = 100
        base[1]?.firstChannel = "xiaohongshu"
        base[2]?.setTraits(["city": "北京"], at: 200)
        base[2]?.firstSeen = 150
        base[2]?.firstChannel = "douyin"
        let plan = IdentityResolver.plan(
            [event("m", user: "u1", anon: "a1", time: 50_000)],
            snapshot: snapshot([(1, nil, [Self.a1], 1), (2, "u1", [Self.u1], 1)])
        )
        let merged = plan.applied(to: base)[2]
        #expect(merged?.traits["city"] == .string("上海"))  // set at 500, after 北京 at 200
        #expect(merged?.traits["age"] == .int(30))
        #expect(merged?.firstSeen == 100 && merged?.firstChannel == "xiaohongshu")
        #expect(merged?.eventCount == 3)
    }

    @Test func firstAndLastTouchFollowEventTimeNotArrival() {
        let (_, profiles) = run([event("late", anon: "a1", time: 900, channel: "app"), event("early", anon: "a1", time: 100, channel: "zhihu")])
        let profile = profiles[1]
        #expect(profile?.firstChannel == "zhihu" && profile?.firstSeen == 100)
        #expect(profile?.lastChannel == "app" && profile?.lastSeen == 900)
    }

    @Test func ordersAddRevenueInWorkspaceCurrencyOnly() {
        var foreign = event("usd", anon: "a1", revenue: 10)
        foreign.currency = "USD"
        foreign.revenueInWorkspaceCurrency = nil
        let (_, profiles) = run([event("cny", anon: "a1", revenue: 129.9), foreign])
        #expect(profiles[1]?.orderCount == 2)
        #expect(profiles[1]?.revenueMinor == 12_990)
    }

    @Test func deltasCommuteWithMerges() {
        // Applying two deltas to two people and then merging gives the same profile as merging
        // first and applying both deltas: what lets the stores apply merges before deltas.
        var a = PersonProfile(id: 1, createdAt: 0)
        var b = PersonProfile(id: 2, createdAt: 0, userId: "u")
        var da = ProfileDelta(personId: 1)
        da.add(event("x", type: .identify, anon: "a", time: 300, channel: "app", traits: ["k": "late"]))
        var db = ProfileDelta(personId: 2)
        db.add(event("y", type: .identify, user: "u", time: 100, channel: "zhihu", traits: ["k": "early"], revenue: 5))
        var mergedFirst = b.merged(with: a, keepingId: 2)
        var both = da
        both.add(db)
        mergedFirst.apply(both)
        a.apply(da)
        b.apply(db)
        let appliedFirst = b.merged(with: a, keepingId: 2)
        #expect(mergedFirst == appliedFirst)
        #expect(appliedFirst.traits["k"] == "late" && appliedFirst.firstChannel == "zhihu" && appliedFirst.eventCount == 2)
    }

    @Test func phoneNumbersAreNormalisedBeforeHashing() {
        #expect(IdentityExtractor.normalizePhone("+86 138-0013-8000") == "13800138000")
        #expect(IdentityExtractor.normalizePhone("0086 13800138000") == "13800138000")
        #expect(IdentityExtractor.normalizePhone("12345") == nil)
        // Full-width digits as typed on Chinese keyboards; words around digits are not a phone number.
        #expect(IdentityExtractor.normalizePhone("１３８００１３８０００") == "13800138000")
        #expect(IdentityExtractor.normalizePhone("Order 123456") == nil)
        #expect(IdentityExtractor.mask(kind: IdentityKey.phone, "13800138000") == "138****8000")
        #expect(IdentityExtractor.normalizeEmail(" A@B.CN ") == "a@b.cn")
        #expect(IdentityExtractor.normalizeEmail("not-an-email") == nil)
    }
}
