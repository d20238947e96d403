import SiyuCore
import Testing

@testable import SiyuStore

/// Console users and sessions, the same on both stores.
@Suite struct UserRepositoryTests {
    /// A string shaped like a bcrypt hash; the store never checks passwords itself.
    static let hash = "$2b$04$6JtZy/o3zWmvyJyUdZG7Pe5xvKi3Vb3Ww9HEpR0RGGe2DO4S5a5PS"

    @Test(arguments: StoreKind.available)
    func createsAndFindsUsersByNormalisedEmail(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme").workspace
            let beta = try await TestWorkspace.create(store, name: "beta").workspace
            let owner = try await store.createUser(
                workspaceId: acme.id,
                email: "  Li.Na@Example.COM ",
                displayName: " 李娜 ",
                passwordHash: Self.hash,
                role: .owner,
                locale: "zh-CN"
            )
            // Stored trimmed and lower-cased, created at the store's clock.
            #expect(owner.email == "li.na@example.com" && owner.displayName == "李娜" && owner.createdAt == testNow)
            #expect(try await store.user(id: owner.id) == owner)
            #expect(try await store.user(workspaceId: acme.id, email: "LI.NA@example.com") == owner)
            #expect(try await store.user(workspaceId: beta.id, email: "li.na@example.com") == nil)

            // The same address in another workspace is a different user; the same one twice in one workspace is refused.
            let other = try await store.createUser(
                workspaceId: beta.id,
                email: "li.na@example.com",
                displayName: "Li Na",
                passwordHash: Self.hash,
                role: .viewer,
                locale: nil
            )
            #expect(try await store.users(email: "li.na@EXAMPLE.com").map(\.id) == [owner.id, other.id])
            await #expect(throws: StoreError.conflict("a user with e-mail `li.na@example.com` already exists in this workspace")) {
                _ = try await store.createUser(
                    workspaceId: acme.id,
                    email: "li.na@example.com",
                    displayName: "x",
                    passwordHash: Self.hash,
                    role: .viewer,
                    locale: nil
                )
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.createUser(
                    workspaceId: acme.id,
                    email: "not-an-address",
                    displayName: "x",
                    passwordHash: Self.hash,
                    role: .viewer,
                    locale: nil
                )
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.createUser(
                    workspaceId: acme.id,
                    email: "a@b.cn",
                    displayName: "x",
                    passwordHash: "plain",
                    role: .viewer,
                    locale: nil
                )
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.createUser(
                    workspaceId: 9999,
                    email: "a@b.cn",
                    displayName: "x",
                    passwordHash: Self.hash,
                    role: .viewer,
                    locale: nil
                )
            }

            // Updates keep the identity and change the rest.
            var changed = owner
            changed.role = .admin
            changed.locale = "en"
            changed.disabled = true
            try await store.updateUser(changed)
            #expect(try await store.user(id: owner.id) == changed)
            #expect(try await store.users(workspaceId: acme.id) == [changed])
        }
    }

    @Test(arguments: StoreKind.available)
    func sessionsSlideExpireAndDisappearWithTheirUserAndWorkspace(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme").workspace
            let user = try await store.createUser(
                workspaceId: acme.id,
                email: "ops@example.com",
                displayName: "Ops",
                passwordHash: Self.hash,
                role: .operator,
                locale: nil
            )
            let day: Int64 = 86_400_000
            func session(_ hash: String, expires: Int64) -> ConsoleSession {
                ConsoleSession(
                    tokenHash: hash,
                    userId: user.id,
                    workspaceId: acme.id,
                    csrfToken: "csrf-" + hash,
                    createdAt: testNow,
                    expiresAt: expires,
                    lastSeen: testNow
                )
            }
            try await store.createSession(session("a", expires: testNow + 14 * day))
            try await store.createSession(session("b", expires: testNow - 1))
            #expect(try await store.session(tokenHash: "a") == session("a", expires: testNow + 14 * day))
            // Touching slides the expiry and records the activity.
            try await store.touchSession(tokenHash: "a", lastSeen: testNow + day, expiresAt: testNow + 15 * day)
            #expect(try await store.session(tokenHash: "a")?.expiresAt == testNow + 15 * day)
            #expect(try await store.session(tokenHash: "a")?.lastSeen == testNow + day)
            // Only "b" had expired by now.
            #expect(try await store.deleteExpiredSessions(now: testNow) == 1)
            #expect(try await store.session(tokenHash: "b") == nil)
            try await store.deleteSession(tokenHash: "a")
            #expect(try await store.session(tokenHash: "a") == nil)

            try await store.createSession(session("c", expires: testNow + day))
            try await store.createSession(session("d", expires: testNow + day))
            try await store.deleteSessions(userId: user.id)
            #expect(try await store.session(tokenHash: "c") == nil)
            #expect(try await store.session(tokenHash: "d") == nil)

            // Deleting the workspace takes its users and sessions with it.
            try await store.createSession(session("e", expires: testNow + day))
            try await store.deleteWorkspace(id: acme.id)
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.session(tokenHash: "e") == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func recentEventsAreTheNewestUpToAnInstantNewestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme")
            let other = try await TestWorkspace.create(store, name: "other")
            let minute: Int64 = 60_000
            // Arrival order differs from event time: m3 arrives first but happened last; m4 lies in the future.
            try await acme.ingest(
                store,
                [
                    message("m3", user: "u1", at: testNow - 1 * minute), message("m1", user: "u1", at: testNow - 3 * minute),
                    message("m2", user: "u2", at: testNow - 2 * minute), message("m4", user: "u2", at: testNow + 5 * minute),
                ]
            )
            try await other.ingest(store, [message("x1", user: "u9", at: testNow)])
            let recent = try await store.recentEvents(workspaceId: acme.workspace.id, until: testNow, limit: 2)
            // By time, newest first, only up to now and only this workspace: m3 (−1 min), then m2 (−2 min).
            #expect(recent.map(\.message.messageId) == ["m3", "m2"])
        }
    }
}
