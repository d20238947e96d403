import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The demo keeps living: what happened since its data stops goes in through the tracking API,
/// once, and shows in the analytics.
@Suite struct DemoLiveFeedTests {
    struct Refused: Error { let status: HTTPResponse.Status }

    @Test(arguments: TestStoreKind.available)
    func theDemoFillsTheGapThroughTheTrackingAPIAndStoresItOnce(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let workspaceId = harness.workspace.id
            // A small brand whose data stops three hours before the server's now (08:00 in Shanghai).
            let end = serverNow - 3 * 3_600_000
            try await AnalyticsAPITests.generate(DemoBrand(endingAt: end, people: 100, days: 2, seed: 3), into: harness)
            let before = try await harness.store.eventCount(workspaceId: workspaceId)
            let newest = try #require(try await harness.store.recentEvents(workspaceId: workspaceId, until: serverNow, limit: 1).first)
            let traffic = DemoLiveTraffic(members: 100, eventsPerDay: 20_000, seed: 3)
            let feed = DemoLiveFeed(
                traffic: traffic,
                store: harness.store,
                workspaceId: workspaceId,
                clock: { serverNow },
                logger: Logger(label: "test")
            ) {
                items in
                let body = JSONWriter.string(.object(["batch": .array(items.map(JSONValue.object))]))
                let response = try await client.execute(uri: "/v1/batch", method: .post, headers: harness.basicAuth, body: ByteBuffer(string: body))
                guard response.status == .ok else { throw Refused(status: response.status) }
            }

            // The gap: every call of the traffic after the newest stored event, up to now.
            let expected = traffic.batchItems(from: newest.message.timestamp + 1, to: serverNow)
            #expect(expected.count > 300)
            let caught = try await feed.catchUp()
            #expect(caught.until == serverNow && caught.sent == expected.count)
            #expect(try await harness.store.eventCount(workspaceId: workspaceId) == before + expected.count)
            // Sent again (a restart in the middle of the gap): the same message ids, nothing stored twice.
            let again = try await feed.send(from: newest.message.timestamp + 1, to: serverNow)
            #expect(again == expected.count)
            #expect(try await harness.store.eventCount(workspaceId: workspaceId) == before + expected.count)
            // The next start finds nothing missing.
            #expect(try await feed.catchUp().sent == 0)

            // After the brand's newest event, the feed's alone: its clicks and orders stored.
            let stored = try await harness.store.events(workspaceId: workspaceId, afterSeq: 0, since: newest.message.timestamp + 1, limit: 10_000)
            let orders = expected.filter { $0["event"] == "Order Completed" }.count
            let clicks = expected.filter { $0["event"] == "Product Clicked" }.count
            #expect(orders > 0 && clicks > 0)
            #expect(stored.count { $0.message.event == "Order Completed" } == orders)
            #expect(stored.count { $0.message.event == "Product Clicked" } == clicks)
            // And today's analytics (1 May in Shanghai, from 16:00Z) count them with the brand's own.
            let today = try await harness.store.events(workspaceId: workspaceId, afterSeq: 0, since: serverNow - 8 * 3_600_000, limit: 10_000)
            let kpis = try await AnalyticsAPITests().query(
                client,
                harness,
                "kpis",
                #"{"from": "2024-05-01", "to": "2024-05-01", "byChannel": false}"#
            )
            let values = kpis["series"]?.arrayValue?.first?["points"]?.arrayValue?.last?["values"]
            #expect(values?["orders"]?.doubleValue == Double(today.count { $0.message.event == "Order Completed" }))
            #expect(values?["clicks"]?.doubleValue == Double(today.count { $0.message.event == "Product Clicked" }))
        }
    }

    /// A long-stopped demo fills at most 30 days, an hour at a time.
    @Test func aLongGapIsCappedAtThirtyDays() async throws {
        try await ServerHarness.run { client, harness in
            let sent = Collected()
            let feed = DemoLiveFeed(
                traffic: DemoLiveTraffic(members: 10, eventsPerDay: 240, seed: 1),
                store: harness.store,
                workspaceId: harness.workspace.id,
                clock: { serverNow },
                logger: Logger(label: "test")
            ) { items in sent.values += items.map(JSONValue.object) }
            // An empty store: nothing to fill.
            #expect(try await feed.catchUp().sent == 0)
            // An event 40 days ago: only the last 30 days are filled.
            _ = try await client.send(
                "/v1/track",
                #"{"userId": "u1", "event": "Product Viewed", "timestamp": "\#(Timestamp.iso8601(serverNow - 40 * 86_400_000))"}"#,
                harness
            )
            let caught = try await feed.catchUp()
            let times = sent.values.compactMap { $0["timestamp"]?.stringValue.flatMap { Timestamp.parseISO8601($0) } }
            #expect(caught.sent == times.count && caught.sent > 0)
            #expect(times.allSatisfy { $0 >= serverNow - DemoLiveFeed.maximumGap && $0 < serverNow })
        }
    }
}
