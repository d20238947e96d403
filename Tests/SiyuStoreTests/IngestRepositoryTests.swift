import SiyuCore
import Testing

@testable import SiyuStore

@Suite struct IngestRepositoryTests {
    @Test(arguments: StoreKind.available)
    func buildsAProfileFromEvents(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let day: Int64 = 86_400_000
            try await acme.ingest(
                store,
                [
                    message("1", .page, anon: "a1", at: testNow - 3 * day, channel: "xiaohongshu"),
                    message("2", .identify, user: "u1", anon: "a1", at: testNow - 2 * day, traits: ["name": "李雷", "phone": "13800138000"]),
                    message(
                        "3",
                        user: "u1",
                        event: "Order Completed",
                        at: testNow - day,
                        channel: "wechat_miniprogram",
                        properties: ["order_id": "o1", "revenue": 129.9, "currency": "CNY"]
                    ),
                    message("4", user: "u1", event: "Order Completed", at: testNow, properties: ["total": "70.10"]),
                ]
            )
            let id = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: acme.workspace.id))
            let profile = try #require(try await store.person(id: id, workspaceId: acme.workspace.id))
            #expect(profile.eventCount == 4 && profile.orderCount == 2)
            // 129.90 + 70.10 = 200.00 yuan.
            #expect(profile.revenueMinor == 20_000)
            #expect(profile.firstChannel == "xiaohongshu" && profile.lastChannel == "direct")
            #expect(profile.firstSeen == testNow - 3 * day && profile.lastSeen == testNow)
            #expect(profile.userId == "u1")
            #expect(profile.traits["name"] == .string("李雷"))
            #expect(profile.traits["phone"] == .string("138****8000"))
            // The phone number is findable (hashed) but not stored in clear anywhere.
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.phone, "+86 138 0013 8000"), workspaceId: acme.workspace.id) == id)
            let identities = try await store.identities(personId: id, workspaceId: acme.workspace.id)
            #expect(Set(identities.map(\.kind)) == [IdentityKey.anonymousId, IdentityKey.userId, IdentityKey.phone])
            #expect(!identities.contains { $0.value.contains("13800138000") })
            let events = try await store.events(workspaceId: acme.workspace.id, afterSeq: 0, since: nil, limit: 10)
            #expect(!events.contains { JSONWriter.string($0.json).contains("13800138000") })
            #expect(try await store.peopleCount(workspaceId: acme.workspace.id) == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func deduplicatesByMessageIdPerWorkspace(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme")
            let other = try await TestWorkspace.create(store, name: "other")
            let first = try await acme.ingest(store, [message("m1", anon: "a"), message("m1", anon: "a"), message("m2", anon: "a")])
            #expect(first.outcomes == [.stored, .duplicate, .stored])
            let retry = try await acme.ingest(store, [message("m1", anon: "a"), message("m3", anon: "a")])
            #expect(retry.outcomes == [.duplicate, .stored])
            // The same message id in another workspace is another event.
            #expect(try await other.ingest(store, [message("m1", anon: "a")]).outcomes == [.stored])
            #expect(try await store.eventCount(workspaceId: acme.workspace.id) == 3)
            #expect(try await store.eventCount(workspaceId: other.workspace.id) == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func groupCommitOfSeveralWorkspacesKeepsResultsInOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await TestWorkspace.create(store, name: "a")
            let b = try await TestWorkspace.create(store, name: "b")
            let results = try await store.ingest([
                IngestBatch(workspaceId: a.workspace.id, events: [try a.preparer.prepare(message("1", anon: "x"))]),
                IngestBatch(
                    workspaceId: b.workspace.id,
                    events: [try b.preparer.prepare(message("1", anon: "x")), try b.preparer.prepare(message("2", anon: "y"))]
                ),
                IngestBatch(
                    workspaceId: a.workspace.id,
                    events: [try a.preparer.prepare(message("1", anon: "x")), try a.preparer.prepare(message("3", anon: "x"))]
                ),
            ])
            #expect(results.map(\.outcomes) == [[.stored], [.stored, .stored], [.duplicate, .stored]])
            #expect(try await store.peopleCount(workspaceId: a.workspace.id) == 1)
            #expect(try await store.peopleCount(workspaceId: b.workspace.id) == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func mergesAnonymousHistoryIntoTheIdentifiedPersonAndUndoesIt(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let ws = acme.workspace.id
            // Person A: an anonymous visitor with 2 views from Douyin; person U: a known user with 1 order.
            try await acme.ingest(
                store,
                [message("a1", anon: "anon-1", at: testNow - 5000, channel: "douyin"), message("a2", anon: "anon-1", at: testNow - 4000)]
            )
            try await acme.ingest(
                store,
                [message("u1", user: "u", event: "Order Completed", at: testNow - 3000, properties: ["revenue": 50])]
            )
            let anonymous = try #require(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "anon-1"), workspaceId: ws))
            let user = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: ws))
            #expect(anonymous != user)
            // The user logs in on the anonymous device.
            let result = try await acme.ingest(store, [message("link", .identify, user: "u", anon: "anon-1", at: testNow - 1000)])
            #expect(result.merges == 1)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "anon-1"), workspaceId: ws) == user)
            let merged = try #require(try await store.person(id: user, workspaceId: ws))
            // 2 + 1 + the identify call; first touch is the anonymous Douyin visit.
            #expect(merged.eventCount == 4 && merged.orderCount == 1 && merged.revenueMinor == 5000)
            #expect(merged.firstChannel == "douyin")
            // Asking for the merged-away id gives the survivor.
            #expect(try await store.person(id: anonymous, workspaceId: ws)?.id == user)
            #expect(try await store.peopleCount(workspaceId: ws) == 1)
            let timeline = try await store.timeline(personId: user, workspaceId: ws, limit: 10, cursor: nil)
            #expect(timeline.items.map(\.message.messageId) == ["link", "u1", "a2", "a1"])

            let log = try await store.merges(workspaceId: ws, personId: user, limit: 10)
            #expect(log.map { [$0.record.survivor, $0.record.loser] } == [[user, anonymous]])
            #expect(log.first?.record.reason == "identify")

            // Undo: the anonymous history goes back to its own person, profiles are rebuilt.
            let undone = try await store.undoMerge(id: log[0].id, workspaceId: ws, at: testNow)
            #expect(undone.undoneAt == testNow)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "anon-1"), workspaceId: ws) == anonymous)
            let split = try #require(try await store.person(id: anonymous, workspaceId: ws))
            #expect(split.eventCount == 2 && split.firstChannel == "douyin" && split.userId == nil)
            let rebuilt = try #require(try await store.person(id: user, workspaceId: ws))
            // The user keeps its order and the identify call it made.
            #expect(rebuilt.eventCount == 2 && rebuilt.revenueMinor == 5000 && rebuilt.firstChannel == "direct")
            #expect(
                try await store.timeline(personId: anonymous, workspaceId: ws, limit: 10, cursor: nil).items.map(\.message.messageId) == ["a2", "a1"]
            )
            await #expect(throws: StoreError.self) { _ = try await store.undoMerge(id: log[0].id, workspaceId: ws, at: testNow) }
        }
    }

    @Test(arguments: StoreKind.available)
    func refusesToMergeTwoIdentifiedPeople(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let ws = acme.workspace.id
            try await acme.ingest(
                store,
                [message("1", .identify, user: "alice", anon: "phone-a"), message("2", .identify, user: "bob", anon: "phone-b")]
            )
            // An event claims to be alice on bob's device.
            let result = try await acme.ingest(store, [message("3", user: "alice", anon: "phone-b")])
            #expect(result.outcomes == [.stored] && result.merges == 0 && result.conflicts == 1)
            let alice = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "alice"), workspaceId: ws))
            let bob = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "bob"), workspaceId: ws))
            #expect(alice != bob)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "phone-b"), workspaceId: ws) == bob)
            // The same claim twice more, later: still one conflict, seen three times.
            try await acme.ingest(store, [message("3b", user: "alice", anon: "phone-b", at: testNow + 5)])
            try await acme.ingest(store, [message("3c", user: "alice", anon: "phone-b", at: testNow + 9)])
            let conflicts = try await store.conflicts(workspaceId: ws, limit: 10)
            #expect(conflicts.map { [$0.conflict.keptPerson, $0.conflict.otherPerson] } == [[alice, bob]])
            #expect(conflicts.first?.occurrences == 3 && conflicts.first?.conflict.messageId == "3")
            // The event is kept, with alice.
            let timeline = try await store.timeline(personId: alice, workspaceId: ws, limit: 10, cursor: nil)
            #expect(timeline.items.map(\.message.messageId).contains("3"))
            #expect(timeline.items.first?.message.flags.contains(.mergeRefused) == true)
        }
    }

    @Test(arguments: StoreKind.available)
    func eraseRemovesAPersonWithEverythingMergedIntoThem(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let ws = acme.workspace.id
            try await acme.ingest(store, [message("1", anon: "a"), message("2", user: "u", traits: ["email": "u@example.com"])])
            try await acme.ingest(
                store,
                [message("3", .identify, user: "u", anon: "a", traits: ["email": "u@example.com"]), message("4", anon: "other")]
            )
            let id = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: ws))
            _ = try await store.setTags(personId: id, workspaceId: ws, add: ["vip"], remove: [])
            let summary = try await store.erasePerson(id: id, workspaceId: ws)
            // Two people (u and the merged anonymous a), identities u, a and the e-mail hash, events 1–3.
            #expect(summary == ErasureSummary(people: 2, identities: 3, events: 3))
            #expect(try await store.person(id: id, workspaceId: ws) == nil)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.email, "u@example.com"), workspaceId: ws) == nil)
            #expect(try await store.eventCount(workspaceId: ws) == 1)
            #expect(try await store.peopleCount(workspaceId: ws) == 1)
            #expect(try await store.merges(workspaceId: ws, personId: nil, limit: 10).isEmpty)
            await #expect(throws: StoreError.self) { _ = try await store.erasePerson(id: id, workspaceId: ws) }
        }
    }

    @Test(arguments: StoreKind.available)
    func oneWorkspaceCannotReachAnothersPeople(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme")
            let rival = try await TestWorkspace.create(store, name: "rival")
            try await acme.ingest(store, [message("1", user: "u")])
            let id = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: acme.workspace.id))
            let ws = rival.workspace.id
            #expect(try await store.person(id: id, workspaceId: ws) == nil)
            #expect(try await store.identities(personId: id, workspaceId: ws).isEmpty)
            #expect(try await store.timeline(personId: id, workspaceId: ws, limit: 10, cursor: nil).items.isEmpty)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: ws) == nil)
            await #expect(throws: StoreError.self) { _ = try await store.setTags(personId: id, workspaceId: ws, add: ["x"], remove: []) }
            await #expect(throws: StoreError.self) { _ = try await store.erasePerson(id: id, workspaceId: ws) }
            #expect(try await store.person(id: id, workspaceId: acme.workspace.id) != nil)
            // The same user id in the rival workspace is a different person.
            try await rival.ingest(store, [message("1", user: "u")])
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: ws) != id)
        }
    }

    @Test(arguments: StoreKind.available)
    func scanReturnsColumnsSortedByPersonThenTime(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            try await acme.ingest(
                store,
                [
                    message("1", anon: "b", event: "Viewed", at: 300), message("2", anon: "a", event: "Viewed", at: 200),
                    message("3", anon: "a", event: "Order Completed", at: 100, properties: ["revenue": 10]),
                    message("4", anon: "b", event: "Viewed", at: 50), message("5", anon: "a", event: "Viewed", at: 999),
                ]
            )
            let frame = try await store.scanEvents(workspaceId: acme.workspace.id, from: 0, to: 999, names: nil)
            // Person of "b" was created first (id p), "a" second (p + 1); event 5 at 999 is outside [0, 999).
            #expect(frame.timestamps == [50, 300, 100, 200])
            #expect(frame.personIds[0] == frame.personIds[1] && frame.personIds[2] == frame.personIds[3] && frame.personIds[0] < frame.personIds[2])
            #expect(frame.revenueMinor == [0, 0, 1000, 0])
            let orders = try await store.scanEvents(workspaceId: acme.workspace.id, from: 0, to: 10_000, names: ["Order Completed"])
            #expect(orders.count == 1 && orders.names == ["Order Completed"])
        }
    }
}

@Suite struct IdentifierTests {
    @Test(arguments: StoreKind.available)
    func erasedIdsAreNeverGivenAgain(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let ws = acme.workspace.id
            try await acme.ingest(store, [message("1", anon: "a"), message("2", anon: "b")])
            let b = try #require(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "b"), workspaceId: ws))
            let lastSeq = try #require(try await store.events(workspaceId: ws, afterSeq: 0, since: nil, limit: 10).last?.seq)
            _ = try await store.erasePerson(id: b, workspaceId: ws)
            try await acme.ingest(store, [message("3", anon: "c")])
            let c = try #require(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "c"), workspaceId: ws))
            // The erased person was the newest; the next person and event still get fresh ids, so
            // that export cursors and references never point at someone else.
            #expect(c > b)
            let newest = try #require(try await store.events(workspaceId: ws, afterSeq: 0, since: nil, limit: 10).last)
            #expect(newest.message.messageId == "3" && newest.seq > lastSeq)
        }
    }
}
