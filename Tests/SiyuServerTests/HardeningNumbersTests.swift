import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// Numbers from clients are bounded where they enter: amounts, rule windows, durations, keys and
/// the size of an answer. Each case here stopped the process (or answered 500) before.
@Suite struct HardeningNumbersTests {
    let shop = TrackingAPITests()

    func post(_ client: some TestClientProtocol, _ harness: ServerHarness, _ path: String, _ json: String) async throws -> TestResponse {
        try await shop.post(client, harness, path, json)
    }

    @Test(arguments: TestStoreKind.available)
    func orderAmountsBeyondTheLimitAreItemErrors(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            // The issue's batch: two orders of 9×10^16 yuan = 9×10^18 fen each (their sum overflowed Int64).
            let huge = #"{"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 90000000000000000}}"#
            let batch = try await client.send("/v1/batch", #"{"batch": [\#(huge), \#(huge)]}"#, harness)
            #expect(batch.status == .badRequest)
            #expect(batch.errorCode == "invalid_amount")
            #expect(batch.json["error"]?["field"] == "batch[0].properties.revenue")
            // The same as two single calls: each refused, nothing stored.
            for _ in 0..<2 {
                let single = try await client.send("/v1/track", huge.replacingOccurrences(of: #""type": "track", "#, with: ""), harness)
                #expect(single.status == .badRequest && single.errorCode == "invalid_amount")
                #expect(single.json["error"]?["field"] == "properties.revenue")
            }
            #expect(try await harness.events().isEmpty)

            // A batch keeps its valid items: the limit itself (¥100 billion = 10^13 fen) is accepted,
            // one fen more, a float beyond it and a `total` string beyond it are refused.
            let mixed = try await client.send(
                "/v1/batch",
                #"""
                {"batch": [
                  {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": "100000000000.00"}},
                  {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 100000000000.01}},
                  {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": 1e300}},
                  {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"total": "-99999999999999999"}},
                  {"type": "track", "userId": "u1", "event": "Order Completed", "properties": {"revenue": "12.50"}}
                ]}
                """#,
                harness
            )
            #expect(mixed.status == .ok)
            #expect(mixed.json["stored"] == 2)
            let rejected = mixed.json["rejected"]?.arrayValue ?? []
            #expect(rejected.map { $0["index"] } == [1, 2, 3])
            #expect(rejected.map { $0["field"] } == ["batch[1].properties.revenue", "batch[2].properties.revenue", "batch[3].properties.total"])
            // 10^13 + 1,250 fen on the profile; every page that reads it answers.
            let people = try await client.execute(uri: "/api/v1/people", method: .get, headers: harness.bearer)
            #expect(people.status == .ok)
            #expect(people.json["people"]?.arrayValue?.first?["revenue"]?["minorUnits"] == 10_000_000_001_250)
            let rfm = try await post(client, harness, "/api/v1/analytics/rfm", #"{"from": "2024-04-01", "to": "2024-05-01"}"#)
            #expect(rfm.status == .ok)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func rulesOutOfRangeAreRefusedBeforeTheyAreSaved(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await shop.seed(client, harness)
            let cases: [(String, String)] = [
                (#"{"event": "Order Completed", "withinDays": 9223372036854775807}"#, "rule.withinDays"),
                (#"{"orders": {"op": "gte", "value": 1}, "withinDays": 36601}"#, "rule.withinDays"),
                (#"{"lastSeenDaysAgo": {"op": "gt", "value": 9223372036854775807}}"#, "rule.lastSeenDaysAgo.value"),
                (#"{"event": "Order Completed", "count": {"op": "gte", "value": 1000000000001}}"#, "rule.count.value"),
                (#"{"all": [{"trait": "ci\u0000ty", "op": "eq", "value": "上海"}]}"#, "rule.all[0].key"),
                (#"{"label": "rfm8", "value": "a\u0000b"}"#, "rule.value"),
                (#"{"revenue": {"op": "gt", "value": "1e400"}}"#, "rule.revenue.value"),
            ]
            for (rule, field) in cases {
                let created = try await post(client, harness, "/api/v1/segments", #"{"name": "x", "rule": \#(rule)}"#)
                #expect(created.status == .badRequest, "\(rule)")
                #expect(created.json["error"]?["field"]?.stringValue == field, "\(rule): \(created.json)")
                let preview = try await post(client, harness, "/api/v1/segments/preview", #"{"rule": \#(rule)}"#)
                #expect(preview.status == .badRequest, "\(rule)")
                // The same rule as the `people` filter of an analytics query.
                let filtered = try await post(client, harness, "/api/v1/analytics/kpis", #"{"people": \#(rule)}"#)
                #expect(filtered.status == .badRequest, "\(rule)")
                #expect(filtered.json["error"]?["field"]?.stringValue == "people" + field.dropFirst("rule".count), "\(rule)")
            }
            // Eleven levels of `not` are one more than rules may nest.
            let deep = String(repeating: #"{"not": "#, count: 11) + #"{"tag": "vip"}"# + String(repeating: "}", count: 11)
            let nested = try await post(client, harness, "/api/v1/segments/preview", #"{"rule": \#(deep)}"#)
            #expect(nested.status == .badRequest)
            #expect(nested.json["error"]?["message"]?.stringValue?.contains("nest") == true)
            #expect(try await harness.store.segments(workspaceId: harness.workspace.id).isEmpty)
        }
    }

    /// The console's rule builder (an operator's form) reaches the same check: the save is refused
    /// with the reason on the page, and nothing is saved.
    @Test func theConsoleRuleBuilderRefusesAWindowOutOfRange() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let token = try await browser.csrfToken(client, page: "/console/segments/new")
            let form = ConsoleSegmentPagesTests.builder(
                name: "x",
                type: "event",
                key: "Order Completed",
                op: "gte",
                value: "1",
                days: "9223372036854775807"
            )
            let saved = try await browser.post(client, "/console/segments", form: [("_csrf", token), ("intent", "save")] + form)
            #expect(saved.status == .badRequest)
            #expect(saved.text.contains("withinDays must be a whole number of days from 1 to 36600"))
            let preview = try await browser.post(client, "/console/segments/preview", form: form, headers: [.xCSRFToken: token])
            #expect(preview.json["error"]?.stringValue?.contains("36600") == true)
            #expect(try await harness.store.segments(workspaceId: harness.workspace.id).isEmpty)
        }
    }

    /// A segment saved by an earlier version with a window no rule may have now: refreshing it is
    /// refused with the field at fault, and listing and showing it still work.
    @Test(arguments: TestStoreKind.available)
    func aSavedRuleOutOfRangeIsReportedNotRun(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await shop.seed(client, harness)
            var draft = SegmentDraft(name: "old", kind: .dynamic, rule: #"{"event": "Order Completed", "withinDays": 9223372036854775807}"#)
            draft.refreshMinutes = .some(5)
            let saved = try await harness.store.createSegment(workspaceId: harness.workspace.id, draft: draft)
            let refresh = try await post(client, harness, "/api/v1/segments/\(saved.id)/refresh", "{}")
            #expect(refresh.status == .badRequest)
            #expect(refresh.json["error"]?["field"] == "rule.withinDays")
            let listed = try await shop.get(client, harness, "/api/v1/segments")
            #expect(listed.status == .ok && listed.json["segments"]?.arrayValue?.count == 1)
            #expect(try await shop.get(client, harness, "/api/v1/segments/\(saved.id)").status == .ok)
            // The scheduler's own refresh fails the same way and leaves the server answering.
            let cache = AnalyticsCache(store: harness.store, clock: { serverNow }, logger: Logger(label: "test"))
            let refresher = SegmentRefresher(store: harness.store, cache: cache)
            #expect(try await refresher.refreshDue(now: { serverNow + 3_600_000 }, logger: Logger(label: "test")) == 0)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func durationsAreCheckedBeforeTheyAreMultiplied() async throws {
        try await ServerHarness.run { client, harness in
            let cases: [(String, String)] = [
                (#""window": 9223372036854775807"#, "window"),
                (#""window": {"value": 4611686018427387904, "unit": "week"}"#, "window.value"),
                (#""window": {"value": 91, "unit": "day"}"#, "window.value"),
                (#""window": 0"#, "window"),
                (#""window": -5"#, "window"),
                (#""window": {"value": 1e300, "unit": "hour"}"#, "window"),
            ]
            for (window, field) in cases {
                let response = try await post(client, harness, "/api/v1/analytics/funnel", #"{"steps": ["a", "b"], \#(window)}"#)
                #expect(response.status == .badRequest, "\(window)")
                #expect(response.json["error"]?["field"]?.stringValue == field, "\(window): \(response.json)")
            }
            let step = try await post(
                client,
                harness,
                "/api/v1/analytics/funnel",
                #"{"steps": ["a", {"event": "b", "window": {"value": 3074457345618258602, "unit": "week"}}]}"#
            )
            #expect(step.status == .badRequest && step.json["error"]?["field"] == "steps[1].window.value")
            // 90 days is the longest window and is answered.
            let longest = try await post(
                client,
                harness,
                "/api/v1/analytics/funnel",
                #"{"steps": ["a", "b"], "window": {"value": 90, "unit": "day"}}"#
            )
            #expect(longest.status == .ok)
        }
    }

    @Test func controlCharactersInKeysAreRefusedNot500() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let cases: [(String, String, String)] = [
                ("funnel", #"{"steps": ["Product Viewed", "Order Completed"], "where": [{"key": "a\u0000b", "value": 1}]}"#, "where[0].key"),
                ("funnel", #"{"steps": ["Product Viewed", "Order Completed"], "breakdown": {"property": "a\u0000b"}}"#, "breakdown.property"),
                ("retention", #"{"start": "Order Completed", "breakdown": {"trait": "\u0001"}}"#, "breakdown.trait"),
                ("funnel", #"{"steps": [{"event": "Order Completed", "where": [{"key": "", "value": 1}]}, "b"]}"#, "steps[0].where[0]"),
                ("stickiness", #"{"event": {"event": "a", "where": [{"key": "\u007f", "op": "isSet"}]}}"#, "event.where[0].key"),
            ]
            for (query, body, field) in cases {
                let response = try await post(client, harness, "/api/v1/analytics/\(query)", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.json["error"]?["field"]?.stringValue == field, "\(body): \(response.json)")
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func answersBeyondTheCellLimitAreRefused(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            // 300 people, each of a different shop, each viewing a different SKU on 2024-04-30.
            let items = (0..<300).flatMap { i in
                [
                    #"{"type": "identify", "userId": "p\#(i)", "timestamp": "2024-04-30T09:00:00Z", "traits": {"shop": "s\#(i)"}}"#,
                    #"{"type": "track", "userId": "p\#(i)", "event": "Product Viewed", "timestamp": "2024-04-30T10:00:00Z", "properties": {"sku": "s\#(i)"}}"#,
                ]
            }
            #expect(try await client.send("/v1/batch", #"{"batch": [\#(items.joined(separator: ","))]}"#, harness).json["stored"] == 600)
            // The issue's query: hourly cohorts over three years × 400 periods ≈ 26,300 × 401 cells.
            let hourly = try await post(
                client,
                harness,
                "/api/v1/analytics/retention",
                #"{"start": "Product Viewed", "period": "hour", "from": "2021-05-01", "to": "2024-04-30", "periods": 400}"#
            )
            #expect(hourly.status == .badRequest)
            #expect(hourly.errorCode == "too_large")
            #expect(hourly.json["error"]?["message"]?.stringValue?.contains("250000") == true)
            // Daily cohorts over 30 days × 101 periods × 302 rows (300 shops, none, all): at most
            // 33 × 101 × 302 ≈ 1,006,000 cells.
            let byTrait =
                #"{"start": "Product Viewed", "period": "day", "from": "2024-04-01", "to": "2024-04-30", "periods": 100, "breakdown": {"trait": "shop"}}"#
            let refused = try await post(client, harness, "/api/v1/analytics/retention", byTrait)
            #expect(refused.errorCode == "too_large")
            // The same without the breakdown (33 × 101 cells) is answered.
            let answered = try await post(
                client,
                harness,
                "/api/v1/analytics/retention",
                #"{"start": "Product Viewed", "period": "day", "from": "2024-04-01", "to": "2024-04-30", "periods": 100}"#
            )
            #expect(answered.status == .ok)
            // A funnel's daily trend by SKU: 2 steps × 302 rows × (about 1,145 days + 10 bins + 1) ≈ 698,000 cells.
            let trend = try await post(
                client,
                harness,
                "/api/v1/analytics/funnel",
                #"{"steps": ["Product Viewed", "Order Completed"], "from": "2021-05-01", "to": "2024-04-30", "trend": "day", "breakdown": {"property": "sku"}}"#
            )
            #expect(trend.errorCode == "too_large")
        }
    }

    @Test(arguments: TestStoreKind.available)
    func timesBefore1970AreRefusedAndImportsKeepTheirHistory(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            // A device clock at year 0 that sends with a sentAt in year 9999: corrected, the event
            // would fall in year −7974.
            let skewed = try await client.send(
                "/v1/batch",
                #"""
                {"sentAt": "9999-01-01T00:00:00Z", "batch": [
                  {"type": "track", "userId": "u", "event": "a", "timestamp": "0000-01-01T00:00:00Z"}
                ]}
                """#,
                harness
            )
            #expect(skewed.status == .badRequest)
            #expect(skewed.errorCode == "invalid_timestamp" && skewed.json["error"]?["field"] == "batch[0].timestamp")
            // A single call with a plain 1969 timestamp and no sentAt is refused too.
            let old = try await client.send("/v1/track", #"{"userId": "u", "event": "a", "timestamp": "1969-12-31T23:59:59Z"}"#, harness)
            #expect(old.errorCode == "invalid_timestamp")
            #expect(try await harness.events().isEmpty)

            // History through /v1/import keeps its own times, even with the sentAt of long ago that
            // an archived payload carries; /v1/batch corrects the same payload to the server's clock.
            let archived = #"""
                {"sentAt": "2015-03-01T12:00:05Z", "batch": [
                  {"type": "track", "userId": "u", "event": "Order Completed", "messageId": "M", "timestamp": "2015-03-01T12:00:00Z"}
                ]}
                """#
            #expect(try await client.send("/v1/import", archived, harness).json["stored"] == 1)
            #expect(try await client.send("/v1/batch", archived.replacingOccurrences(of: #""M""#, with: #""N""#), harness).json["stored"] == 1)
            let times = try await harness.events().map { ($0.message.messageId, Timestamp.iso8601($0.message.timestamp)) }
            #expect(times.map(\.0) == ["M", "N"])
            #expect(times.map(\.1) == ["2015-03-01T12:00:00.000Z", "2024-04-30T23:59:55.000Z"])
        }
    }
}
