import Foundation
import SiyuCore
import Testing

@testable import SiyuStore

/// Totals that accumulate stay within their limits, and rows written before the limits existed
/// (an overflowed revenue, an amount beyond the per-event limit) are clamped instead of stopping
/// the process when they are read.
@Suite struct StoredNumberTests {
    /// One order of the largest amount an event may carry: ¥100 billion = 10^13 fen.
    static func largestOrder(_ id: String) -> Message {
        message(id, user: "u", event: "Order Completed", properties: ["revenue": "100000000000.00"])
    }

    @Test(arguments: StoreKind.available)
    func profileRevenueStopsAtTheTotalLimit(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            try await acme.ingest(store, [Self.largestOrder("o1")])
            // As if ten thousand such orders had come: 10^17 − 1 fen. One more stops at 10^17
            // instead of growing towards an overflow (SQLite would turn it into a REAL, PostgreSQL
            // would fail the whole group commit).
            try await RawSQL.execute("UPDATE persons SET revenue_minor = 99999999999999999", on: store)
            try await acme.ingest(store, [Self.largestOrder("o2")])
            let person = try #require(try await store.searchPeople(workspaceId: acme.workspace.id, query: PeopleQuery()).items.first)
            #expect(person.revenueMinor == Money.maximumTotalMinorUnits)
            #expect(person.orderCount == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func eventAmountsBeyondTheLimitAreClampedWhenAnalyticsReadThem(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            try await acme.ingest(store, [Self.largestOrder("o1"), Self.largestOrder("o2")])
            // What an earlier version accepted: 9×10^18 fen per order; two of them overflow a sum.
            try await RawSQL.execute("UPDATE events SET revenue_minor = 9000000000000000000", on: store)
            let log = try await store.analyticsEvents(workspaceId: acme.workspace.id, afterSeq: 0, limit: 100)
            #expect(log.revenue == [Money.maximumEventMinorUnits, Money.maximumEventMinorUnits])
        }
    }

    /// The store: two orders of 9×10^18 fen overflowed the profile into the REAL 1.8e19,
    /// after which every read of the person stopped the process. Opening it now clamps the value.
    @Test func anSQLiteStoreWithAnOverflowedRevenueOpensAndIsClamped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workspaceId: Int64
        do {
            let store = try SQLiteStore(directory: directory, clock: { testNow })
            let acme = try await TestWorkspace.create(store)
            workspaceId = acme.workspace.id
            try await acme.ingest(store, [message("o1", user: "u", event: "Order Completed", properties: ["revenue": 10])])
            try await RawSQL.execute(
                "UPDATE persons SET revenue_minor = 1.8e19; DELETE FROM grdb_migrations WHERE identifier = 'v5-clamp-revenue'",
                on: store
            )
            #expect(try await RawSQL.text("SELECT typeof(revenue_minor) FROM persons", on: store) == "real")
        }
        let reopened = try SQLiteStore(directory: directory, clock: { testNow })
        #expect(try await RawSQL.text("SELECT typeof(revenue_minor) FROM persons", on: reopened) == "integer")
        let person = try #require(try await reopened.searchPeople(workspaceId: workspaceId, query: PeopleQuery()).items.first)
        #expect(person.revenueMinor == Money.maximumTotalMinorUnits)
    }

    @Test(.enabled(if: StoreKind.available.contains(.postgres)))
    func aPostgresStoreWithARevenueBeyondTheLimitIsClampedWhenMigrated() async throws {
        try await PostgresTestDatabase.withDatabase { location in
            let store = PostgresStore(location: location, logger: PostgresTestDatabase.logger, clock: { testNow }, maximumConnections: 4)
            try await PostgresTestDatabase.running(store) { store in
                try await store.migrate()
                let acme = try await TestWorkspace.create(store)
                try await acme.ingest(store, [message("o1", user: "u", event: "Order Completed", properties: ["revenue": 10])])
                try await RawSQL.execute("UPDATE persons SET revenue_minor = -9000000000000000000", on: store)
                try await RawSQL.execute("DELETE FROM siyu_migrations WHERE name = 'v5-clamp-revenue'", on: store)
                try await store.migrate()
                let person = try #require(try await store.searchPeople(workspaceId: acme.workspace.id, query: PeopleQuery()).items.first)
                #expect(person.revenueMinor == -Money.maximumTotalMinorUnits)
            }
        }
    }
}
