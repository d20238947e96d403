import SiyuCore
import Testing

@testable import SiyuStore

@Suite struct PeopleRepositoryTests {
    /// Five people seen at increasing times: p1 (上海, douyin), p2 (北京, tag vip), p3 (上海), p4, p5 (e-mail).
    func seed(_ store: any SiyuStore) async throws -> TestWorkspace {
        let acme = try await TestWorkspace.create(store)
        try await acme.ingest(
            store,
            [
                message("1", .identify, user: "p1", at: 100, channel: "douyin", traits: ["city": "上海", "name": "王小明"]),
                message("2", .identify, user: "p2", at: 200, traits: ["city": "北京", "name": "Li Lei"]),
                message("3", .identify, user: "p3", at: 300, traits: ["city": "上海", "vip": true]),
                message("4", .identify, user: "p4", at: 400, traits: ["name": "100%_sure"]),
                message("5", .identify, user: "p5", at: 500, traits: ["email": "Five@Example.com"]),
            ]
        )
        let p2 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "p2"), workspaceId: acme.workspace.id))
        _ = try await store.setTags(personId: p2, workspaceId: acme.workspace.id, add: ["vip", "高价值"], remove: [])
        return acme
    }

    func users(_ page: Page<PersonProfile>) -> [String] { page.items.compactMap(\.userId) }

    @Test(arguments: StoreKind.available)
    func searchesByTraitIdentityChannelTagAndText(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await seed(store)
            let ws = acme.workspace.id
            // Newest first.
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery())) == ["p5", "p4", "p3", "p2", "p1"])
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(traits: ["city": "上海"]))) == ["p3", "p1"])
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(traits: ["vip": "true"]))) == ["p3"])
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(channel: "douyin"))) == ["p1"])
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(tag: "高价值"))) == ["p2"])
            let email = PeopleQuery(identity: IdentityKey(IdentityKey.email, "five@example.COM"))
            #expect(users(try await store.searchPeople(workspaceId: ws, query: email)) == ["p5"])
            #expect(
                users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(identity: IdentityKey(IdentityKey.email, "no@x.cn")))).isEmpty
            )
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(text: "小明"))) == ["p1"])
            // LIKE wildcards in the text are literal: "0%_" matches only p4's name.
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(text: "0%_"))) == ["p4"])
            #expect(users(try await store.searchPeople(workspaceId: ws, query: PeopleQuery(traits: ["city": "上海"], channel: "douyin"))) == ["p1"])
        }
    }

    @Test(arguments: StoreKind.available)
    func pagesThroughPeople(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await seed(store)
            var cursor: String?
            var seen: [String] = []
            repeat {
                let page = try await store.searchPeople(workspaceId: acme.workspace.id, query: PeopleQuery(limit: 2, cursor: cursor))
                #expect(page.items.count <= 2)
                seen += users(page)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == ["p5", "p4", "p3", "p2", "p1"])
            await #expect(throws: StoreError.self) {
                _ = try await store.searchPeople(workspaceId: acme.workspace.id, query: PeopleQuery(cursor: "nonsense"))
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func editsTags(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await seed(store)
            let ws = acme.workspace.id
            let p2 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "p2"), workspaceId: ws))
            #expect(try await store.setTags(personId: p2, workspaceId: ws, add: ["a", "vip"], remove: ["高价值"]) == ["a", "vip"])
            #expect(try await store.tags(personId: p2, workspaceId: ws) == ["a", "vip"])
            await #expect(throws: StoreError.self) { _ = try await store.setTags(personId: p2, workspaceId: ws, add: [" padded"], remove: []) }
            await #expect(throws: StoreError.self) { _ = try await store.setTags(personId: 999_999, workspaceId: ws, add: ["x"], remove: []) }
            // One edit names at most 200 tags: 201 is refused and nothing changes.
            let many = (0...200).map { "t\($0)" }
            await #expect(throws: StoreError.self) { _ = try await store.setTags(personId: p2, workspaceId: ws, add: many, remove: []) }
            #expect(try await store.tags(personId: p2, workspaceId: ws) == ["a", "vip"])
        }
    }

    @Test(arguments: StoreKind.available)
    func pagesThroughATimelineNewestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            // Seven events, two of them at the same instant: order is time, then arrival.
            let times: [Int64] = [10, 20, 30, 30, 40, 50, 60]
            try await acme.ingest(store, times.enumerated().map { message("e\($0.offset)", anon: "a", at: $0.element) })
            let id = try #require(try await store.personId(identity: IdentityKey(IdentityKey.anonymousId, "a"), workspaceId: acme.workspace.id))
            var ids: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.timeline(personId: id, workspaceId: acme.workspace.id, limit: 3, cursor: cursor)
                ids += page.items.map(\.message.messageId)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(ids == ["e6", "e5", "e4", "e3", "e2", "e1", "e0"])
        }
    }

    @Test(arguments: StoreKind.available)
    func exportsEventsAndPeopleInOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await seed(store)
            let ws = acme.workspace.id
            let all = try await store.events(workspaceId: ws, afterSeq: 0, since: nil, limit: 100)
            #expect(all.map(\.message.messageId) == ["1", "2", "3", "4", "5"])
            let page = try await store.events(workspaceId: ws, afterSeq: all[1].seq, since: 300, limit: 2)
            #expect(page.map(\.message.messageId) == ["3", "4"])
            // An anonymous visitor at 600 who then logs in as p4 at 700: two persons merged into one group.
            try await acme.ingest(
                store,
                [message("6", anon: "a-7", at: 600), message("7", .identify, user: "p4", anon: "a-7", at: 700)]
            )
            let people = try await store.exportPeople(workspaceId: ws, afterId: 0, limit: 3, seenSince: nil)
            #expect(people.compactMap(\.profile.userId) == ["p1", "p2", "p3"])
            #expect(people[1].tags == ["vip", "高价值"])
            #expect(people[0].identities.map(\.value) == ["p1"] && people[0].tags.isEmpty)
            let rest = try await store.exportPeople(workspaceId: ws, afterId: people[2].profile.id, limit: 10, seenSince: nil)
            #expect(rest.compactMap(\.profile.userId) == ["p4", "p5"])
            // p4's group holds both identities, whichever person each was first attached to.
            #expect(Set(rest[0].identities.map { "\($0.kind):\($0.value)" }) == ["user_id:p4", "anonymous_id:a-7"])
            // Seen since 450: p4 (last seen 700) and p5 (500), not p1–p3.
            let recent = try await store.exportPeople(workspaceId: ws, afterId: 0, limit: 10, seenSince: 450)
            #expect(recent.compactMap(\.profile.userId) == ["p4", "p5"])
            #expect(try await store.exportPeople(workspaceId: ws, afterId: 0, limit: 10, seenSince: 701).isEmpty)
        }
    }
}
