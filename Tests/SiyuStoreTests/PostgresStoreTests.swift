import Foundation
import SiyuCore
import Testing

@testable import SiyuStore

@Suite struct PostgresURLTests {
    @Test func parsesEveryPart() throws {
        let url = try PostgresURL("postgres://si%40yu:p%3Ass%2Fw@db.example.com:6432/siyu_prod?sslmode=require")
        #expect(url.username == "si@yu" && url.password == "p:ss/w")
        #expect(url.host == "db.example.com" && url.port == 6432 && url.database == "siyu_prod" && url.tls == .require)
    }

    @Test func fillsInDefaults() throws {
        let url = try PostgresURL("postgresql://127.0.0.1")
        #expect(url.username == "postgres" && url.password == nil && url.port == 5432 && url.database == "postgres" && url.tls == .disable)
        let named = try PostgresURL("postgres://siyu@[::1]/?sslmode=disable")
        #expect(named.host == "::1" && named.database == "siyu" && named.port == 5432)
        #expect(try PostgresURL("postgres://u:@h:1/d").password == "")
    }

    @Test func refusesMalformedURLsWithoutShowingThePassword() {
        for bad in [
            "mysql://u:secret@h/d", "postgres://u:secret@h:99999/d", "postgres://u:secret@h:port/d", "postgres://u:secret@/d",
            "postgres://u:secret@h/d?sslmode=sometimes", "postgres://u:secret@h/d/e", "postgres://u:secret@h/d?nonsense",
        ] {
            #expect {
                _ = try PostgresURL(bad)
            } throws: { error in
                guard case .invalid(let message) = error as? StoreError else { return false }
                return !message.contains("secret")
            }
        }
    }

    @Test func redactsThePassword() {
        #expect(PostgresStore.redacted("postgres://siyu:s3cr%40t@db:5432/siyu?sslmode=require") == "postgres://siyu:***@db:5432/siyu?sslmode=require")
        // An unencoded `@` or `/` in the password is hidden too.
        #expect(PostgresStore.redacted("postgres://siyu:a@b/c@db/siyu") == "postgres://siyu:***@db/siyu")
        #expect(PostgresStore.redacted("postgres://siyu@db/siyu") == "postgres://siyu@db/siyu")
        #expect(PostgresStore.redacted("postgres://db/siyu") == "postgres://db/siyu")
    }
}

/// Tests of what only the PostgreSQL store has to get right: migrations and several writers at once.
@Suite(.enabled(if: StoreKind.available.contains(.postgres))) struct PostgresStoreTests {
    @Test func migratingTwiceOrConcurrentlyIsHarmless() async throws {
        try await PostgresTestDatabase.withDatabase { location in
            let store = PostgresStore(location: location, logger: PostgresTestDatabase.logger, clock: { testNow }, maximumConnections: 4)
            try await PostgresTestDatabase.running(store) { store in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<3 { group.addTask { try await store.migrate() } }
                    try await group.waitForAll()
                }
                try await store.migrate()
                _ = try await store.createWorkspace(name: "acme", timeZone: "UTC", currency: "USD")
                try await store.migrate()
                #expect(try await store.workspaces().map(\.name) == ["acme"])
                let applied = try await store.read { connection in
                    try await connection.values(String.self, "SELECT name FROM siyu_migrations ORDER BY name", logger: store.logger)
                }
                #expect(applied == PostgresStore.migrations.map(\.name))
            }
        }
    }

    @Test func concurrentWritersCreateOnePersonPerIdentity() async throws {
        try await PostgresTestDatabase.withDatabase { location in
            // Two stores (two pools, as two server processes would have) writing the same workspace.
            let first = PostgresStore(location: location, logger: PostgresTestDatabase.logger, clock: { testNow }, maximumConnections: 4)
            let second = PostgresStore(location: location, logger: PostgresTestDatabase.logger, clock: { testNow }, maximumConnections: 4)
            try await PostgresTestDatabase.running(first) { first in
                try await PostgresTestDatabase.running(second) { second in
                    try await first.migrate()
                    let acme = try await TestWorkspace.create(first)
                    let users = 60
                    // Each writer sends the same 60 users in 20 batches, under different message ids, in a different order.
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (index, store) in [first, second].enumerated() {
                            group.addTask {
                                let order = index == 0 ? Array(0..<users) : Array((0..<users).reversed())
                                for chunk in stride(from: 0, to: users, by: 3) {
                                    let messages = order[chunk..<chunk + 3].map { user in
                                        message("w\(index)-\(user)", .identify, user: "user-\(user)", anon: "device-\(user)-\(index)")
                                    }
                                    try await acme.ingest(store, messages)
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    let ws = acme.workspace.id
                    #expect(try await first.peopleCount(workspaceId: ws) == users)
                    #expect(try await first.eventCount(workspaceId: ws) == 2 * users)
                    for user in [0, 17, users - 1] {
                        let id = try #require(try await second.personId(identity: IdentityKey(IdentityKey.userId, "user-\(user)"), workspaceId: ws))
                        // Both devices ended up with the one person of the user id.
                        for device in 0..<2 {
                            let deviceKey = IdentityKey(IdentityKey.anonymousId, "device-\(user)-\(device)")
                            #expect(try await first.personId(identity: deviceKey, workspaceId: ws) == id)
                        }
                        #expect(try await first.person(id: id, workspaceId: ws)?.eventCount == 2)
                    }
                }
            }
        }
    }

    @Test func aMissingDatabaseFailsAtOnceWithTheServersReason() async throws {
        var location = try PostgresURL(try #require(ProcessInfo.processInfo.environment["SIYU_TEST_DATABASE_URL"]))
        location.database = "siyu_no_such_database"
        let store = PostgresStore(location: location, logger: PostgresTestDatabase.logger, clock: { testNow })
        let start = ContinuousClock.now
        try await PostgresTestDatabase.running(store) { store in
            await #expect {
                try await store.migrate()
            } throws: { error in
                String(describing: error).contains("siyu_no_such_database\" does not exist")
            }
        }
        // Not the pool's minute of retries (a few seconds; the bound leaves room for a loaded machine).
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func keepsJSONExactlyAsWritten() async throws {
        try await withStore(.postgres) { store in
            let acme = try await TestWorkspace.create(store)
            // Keys out of alphabetical order, a nested object, a boolean and a decimal: read back equal, in order.
            let traits: JSONObject = ["zeta": "z", "alpha": ["b": 1, "a": true], "price": 12.5]
            try await acme.ingest(store, [message("1", .identify, user: "u", traits: traits, properties: ["z": 1, "a": "x"])])
            let stored = try await store.events(workspaceId: acme.workspace.id, afterSeq: 0, since: nil, limit: 1)
            #expect(stored.first?.message.traits == traits)
            #expect(stored.first?.message.properties.keys.elementsEqual(["z", "a"]) == true)
            let id = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: acme.workspace.id))
            #expect(try await store.person(id: id, workspaceId: acme.workspace.id)?.traits.keys.elementsEqual(["zeta", "alpha", "price"]) == true)
        }
    }
}
