import SiyuCore
import Testing

@testable import SiyuStore

@Suite struct WorkspaceRepositoryTests {
    @Test(arguments: StoreKind.available)
    func createsWorkspaceWithKeysAndDefaultChannels(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let credentials = try await store.createWorkspace(name: "acme", timeZone: "Asia/Shanghai", currency: "cny")
            #expect(credentials.writeKey.hasPrefix("wk_") && credentials.adminToken.hasPrefix("sy_"))
            let byKey = try #require(try await store.workspace(writeKey: credentials.writeKey))
            #expect(byKey.name == "acme" && byKey.currency == "CNY" && byKey.timeZone == "Asia/Shanghai")
            #expect(try await store.workspace(adminToken: credentials.adminToken)?.id == byKey.id)
            // Keys of one kind do not work as the other.
            #expect(try await store.workspace(adminToken: credentials.writeKey) == nil)
            #expect(try await store.workspace(writeKey: credentials.adminToken) == nil)
            #expect(try await store.channels(workspaceId: byKey.id).map(\.key) == Channel.defaults.map(\.key))
            #expect(try await store.writeKeys(workspaceId: byKey.id) == [credentials.writeKey])
        }
    }

    @Test(arguments: StoreKind.available)
    func refusesBadOrDuplicateWorkspaces(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.createWorkspace(name: "acme", timeZone: "UTC", currency: "USD")
            await #expect(throws: StoreError.self) { _ = try await store.createWorkspace(name: "acme", timeZone: "UTC", currency: "USD") }
            await #expect(throws: StoreError.self) { _ = try await store.createWorkspace(name: "has space", timeZone: "UTC", currency: "USD") }
            await #expect(throws: StoreError.self) { _ = try await store.createWorkspace(name: "x", timeZone: "Mars/Olympus", currency: "USD") }
            await #expect(throws: StoreError.self) { _ = try await store.createWorkspace(name: "y", timeZone: "UTC", currency: "yuan") }
            #expect(try await store.workspaces().map(\.name) == ["acme"])
        }
    }

    @Test(arguments: StoreKind.available)
    func movesAWorkspaceToAnotherTimeZone(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let credentials = try await store.createWorkspace(name: "acme", timeZone: "Asia/Shanghai", currency: "CNY")
            _ = try await store.createWorkspace(name: "other", timeZone: "UTC", currency: "USD")
            let id = try #require(try await store.workspace(named: "acme")).id
            try await store.updateWorkspaceTimeZone(id: id, timeZone: "Asia/Tokyo")
            let moved = try #require(try await store.workspace(writeKey: credentials.writeKey))
            #expect(moved.timeZone == "Asia/Tokyo" && moved.currency == "CNY")
            #expect(try await store.workspace(named: "other")?.timeZone == "UTC")
            // An unknown zone or workspace changes nothing.
            await #expect(throws: StoreError.self) { try await store.updateWorkspaceTimeZone(id: id, timeZone: "Mars/Olympus") }
            #expect(try await store.workspace(id: id)?.timeZone == "Asia/Tokyo")
            await #expect(throws: StoreError.notFound("no workspace 999999")) {
                try await store.updateWorkspaceTimeZone(id: 999_999, timeZone: "UTC")
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func replacingATokenRevokesTheOldOne(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let credentials = try await store.createWorkspace(name: "acme", timeZone: "UTC", currency: "USD")
            let id = try #require(try await store.workspace(named: "acme")).id
            let first = try await store.createAdminToken(workspaceId: id, name: "demo", replacing: true)
            let second = try await store.createAdminToken(workspaceId: id, name: "demo", replacing: true)
            #expect(try await store.workspace(adminToken: first) == nil)
            #expect(try await store.workspace(adminToken: second)?.id == id)
            // The token of another name is untouched.
            #expect(try await store.workspace(adminToken: credentials.adminToken)?.id == id)
        }
    }

    @Test(arguments: StoreKind.available)
    func savesChannelsWithTrackingCodes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.createWorkspace(name: "acme", timeZone: "UTC", currency: "USD")
            let id = try #require(try await store.workspace(named: "acme")).id
            let kol = Channel(
                key: "kol:lily",
                name: "Lily 莉莉",
                kind: .partner,
                trackingCodes: [TrackingCode(utmSource: "douyin", utmCampaign: "lily")],
                monthlyCostMinor: 5_000_000
            )
            try await store.saveChannel(kol, workspaceId: id)
            var renamed = kol
            renamed.name = "Lily"
            try await store.saveChannel(renamed, workspaceId: id)
            let saved = try await store.channels(workspaceId: id).filter { $0.key == "kol:lily" }
            #expect(saved == [renamed])
            await #expect(throws: StoreError.self) { try await store.saveChannel(Channel(key: "Bad Key", name: "x", kind: .other), workspaceId: id) }
        }
    }
}

@Suite struct WorkspaceDeletionTests {
    @Test(arguments: StoreKind.available)
    func deletingAWorkspaceLeavesOthersUntouched(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let doomed = try await TestWorkspace.create(store, name: "doomed")
            let kept = try await TestWorkspace.create(store, name: "kept")
            try await doomed.ingest(store, [message("1", user: "u"), message("2", anon: "a")])
            try await kept.ingest(store, [message("1", user: "u")])
            try await store.deleteWorkspace(id: doomed.workspace.id)
            #expect(try await store.workspace(named: "doomed") == nil)
            #expect(try await store.workspace(writeKey: doomed.credentials.writeKey) == nil)
            #expect(try await store.eventCount(workspaceId: doomed.workspace.id) == 0)
            #expect(try await store.peopleCount(workspaceId: doomed.workspace.id) == 0)
            #expect(try await store.eventCount(workspaceId: kept.workspace.id) == 1)
            #expect(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: kept.workspace.id) != nil)
            // The name can be used again.
            _ = try await TestWorkspace.create(store, name: "doomed")
        }
    }
}
