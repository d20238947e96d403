import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The real-time board on a generated brand, on every available store.
@Suite struct ConsoleBoardTests {
    /// The clock and the brand's end: 2024-05-01T14:00Z = 22:00 in Shanghai, so "today" (May 1, local)
    /// holds the events from 2024-04-30T16:00Z on. The expected numbers are counted here straight
    /// from the stored events, not by the KPI kernel.
    static let now = serverNow + 14 * 3_600_000

    @Test(arguments: TestStoreKind.available)
    func theBoardShowsTodaysNumbersCountedFromTheEvents(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(
            store: kind,
            clock: { Self.now },
            { client, harness in
                try await AnalyticsAPITests.generate(DemoBrand(endingAt: Self.now, people: 300, days: 21, seed: 11), into: harness)
                let todayStart = serverNow - 8 * 3_600_000
                let events = try await harness.store.events(workspaceId: harness.workspace.id, afterSeq: 0, since: todayStart, limit: 1_000_000)
                    .filter { $0.message.timestamp <= Self.now }
                // Active people: anyone with an event other than identify or alias today. Revenue: today's order amounts.
                let active = Set(events.filter { $0.message.type != .identify && $0.message.type != .alias }.map(\.personId)).count
                let revenue = events.filter { $0.message.flags.contains(.order) }.reduce(Int64(0)) { $0 + ($1.revenueMinor ?? 0) }
                #expect(active > 0 && revenue > 0)

                try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
                var browser = ConsoleBrowser()
                _ = try await browser.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
                let board = try await browser.get(client, "/console")
                #expect(board.status == .ok)
                let html = board.text
                #expect(html.contains("2024-05-01"))
                #expect(Self.tileTitle("activePeople", in: html) == LocaleFormat(.zhCN).integer(active))
                #expect(Self.tileTitle("revenue", in: html) == LocaleFormat(.zhCN).money(minorUnits: revenue, currency: "CNY"))
                // The hourly slot is a table until the chart module arrives; the hours up to 22:00 are filled, 23:00 is not yet.
                #expect(html.contains("data-chart-slot=\"hourly\""))
                #expect(html.contains("<tr class=\" current\"><th scope=\"row\">22:00</th>"))
                #expect(html.contains("<tr class=\"future\"><th scope=\"row\">23:00</th>"))
                // The live stream holds the 20 newest events, at most.
                let rows = html.components(separatedBy: "data-live-src")[1].components(separatedBy: "</tbody>")[0]
                #expect(rows.components(separatedBy: "<tr>").count - 1 == 20)
                // A viewer reads the board without edit controls; the empty state is not shown on a busy day.
                #expect(!html.contains("data-edit-control"))
                #expect(!html.contains("今日暂无事件"))

                let live = try await browser.get(client, "/console/board/live", headers: [.accept: "application/json"])
                #expect(live.status == .ok)
                #expect(live.json["count"] == 20)
                #expect(live.json["html"]?.stringValue?.components(separatedBy: "<tr>").count == 21)
            }
        )
    }

    @Test func anEmptyWorkspaceSaysWhatToDoNext() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            let html = try await browser.get(client, "/console").text
            #expect(html.contains("No events yet today"))
            #expect(html.contains("write key"))
            #expect(html.contains("No events yet. They appear here"))
        }
    }

    /// Today's journey actions from the outbox: rows made today by status (one delivered, one failed,
    /// one waiting: three rows asked for by one walk, two of them finished by hand).
    @Test func theBoardCountsTodaysJourneyActions() async throws {
        try await ServerHarness.run { client, harness in
            let store = harness.store
            let workspace = harness.workspace.id
            let journey = try await store.createJourney(workspaceId: workspace, name: "care", definition: "{}")
            _ = try await store.publishJourney(id: journey.id, workspaceId: workspace)
            let entered = try await store.enterJourney(
                workspaceId: workspace,
                journeyId: journey.id,
                version: 1,
                start: "a",
                entrants: [JourneyEntrant(personId: 1, entryKey: "k", heldOut: false)],
                oneAtATime: false,
                now: serverNow
            )
            // d: a task done; f: failed; w: waiting; m: an SMS sent; s: an SMS skipped by a cap.
            let drafts = ["d", "f", "w", "m", "s"].map {
                OutboxDraft(
                    key: $0,
                    channel: ["m", "s"].contains($0) ? "sms" : "task",
                    payload: "{}",
                    notBefore: $0 == "w" ? serverNow + 3_600_000 : serverNow + 60_000,
                    journeyId: journey.id,
                    personId: 1
                )
            }
            let walk = JourneyAdvance(
                instanceId: entered[0].id,
                fromStep: 0,
                node: "a",
                state: .exited,
                dueAt: nil,
                waitKey: nil,
                counts: [],
                outbox: drafts,
                now: serverNow
            )
            #expect(try await store.advanceJourney(walk))
            // Due a minute from the server's (fixed) clock, so its delivery job leaves them to this test.
            let claimed = try await store.claimOutbox(now: serverNow + 60_000, limit: 10, leaseMillis: 60_000)
            for row in claimed {
                try await store.finishOutbox(
                    id: row.id,
                    attempt: row.attempts,
                    result: ["d", "m"].contains(row.key)
                        ? .delivered(response: "ok") : row.key == "s" ? .skipped(reason: "capped", count: nil) : .failed(error: "x"),
                    now: serverNow
                )
            }
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            let html = try await browser.get(client, "/console").text
            #expect(
                html.contains(
                    "Journeys today: 1 messages sent, 1 other actions done (staff tasks, tags, webhooks), 1 waiting, 1 skipped (caps, unsubscribes), 1 failed."
                ),
                "\(html)"
            )
        }
    }

    @Test func staticFilesAreServedWithLongCachingAndRevalidation() async throws {
        try await ServerHarness.run { client, _ in
            let css = try await client.execute(uri: "/console/static/console.css", method: .get)
            #expect(css.status == .ok)
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl] == "public, max-age=31536000, immutable")
            let etag = try #require(css.headers[.eTag])
            let again = try await client.execute(uri: "/console/static/console.css", method: .get, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(try await client.execute(uri: "/console/static/nothing.css", method: .get).status == .notFound)
        }
    }

    /// The exact value in the `title` of a tile's number.
    static func tileTitle(_ metric: String, in html: String) -> String? {
        guard let tile = html.range(of: "tile tile-\(metric)\""), let title = html[tile.upperBound...].range(of: "title=\"") else { return nil }
        return String(html[title.upperBound...].prefix { $0 != "\"" })
    }
}
