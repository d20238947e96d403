import Foundation
import Hummingbird
import HummingbirdTesting
import PropertyBased
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

/// Property-based: extreme and odd numbers (and a few odd strings) thrown into every field of
/// ingestion, every analytics query and the rule parser. Whatever comes in, the server answers
/// — 2xx, or 4xx with a JSON error — and goes on answering; a crash would end the test process.
@Suite struct ExtremeInputTests {
    /// JSON literals that have broken parsers and arithmetic somewhere: the ends of Int64 and just
    /// beyond, values whose product with a unit overflows, floats beyond Double, subnormals,
    /// numbers as text, NUL and control characters, long text, and values of the wrong type.
    static let oddLiterals: [String] = [
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999999999", "4611686018427387904", "3074457345618258602", "153722867280912930", "9007199254740993",
        "1e308", "-1e308", "1e309", "-1e309", "1e-320", "-0", "0", "-1", "1", "0.5", "-0.5", "2.5e15", "100000000000.01",
        #""9223372036854775807""#, #""1e400""#, #""NaN""#, #""Infinity""#, #""-0""#, #""""#, #""\u0000""#, #""a\u0000b""#,
        #""\u001f\u007f""#, #""1,000,000,000,000,000.00""#, "\"" + String(repeating: "长", count: 3000) + "\"", "null", "true",
        "[]", "{}", "[1e308]", #"{"value": 9223372036854775807}"#,
    ]

    /// Where a literal goes (`§`): a path and a body, ingestion with the write key, the rest with the admin token.
    static let templates: [(path: String, body: String)] = [
        // Ingestion.
        ("/v1/track", #"{"userId": "u", "event": "Order Completed", "properties": {"revenue": §}}"#),
        ("/v1/track", #"{"userId": "u", "event": "Order Completed", "properties": {"total": §, "currency": "JPY"}}"#),
        ("/v1/track", #"{"userId": "u", "event": "Order Completed", "properties": {"revenue": 1, "currency": §}}"#),
        ("/v1/track", #"{"userId": "u", "event": "e", "timestamp": §}"#),
        ("/v1/track", #"{"userId": §, "event": "e"}"#),
        ("/v1/identify", #"{"userId": "u", "traits": {"phone": §, "email": §, "age": §}}"#),
        ("/v1/batch", #"{"sentAt": §, "batch": [{"type": "track", "userId": "u", "event": "e", "timestamp": "2024-04-30T00:00:00Z"}]}"#),
        ("/v1/import", #"{"batch": [{"type": "track", "userId": "u", "event": "Order Completed", "properties": {"revenue": §}}]}"#),
        // Funnels.
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "window": §}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "window": {"value": §, "unit": "week"}}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", {"event": "Order Completed", "window": {"value": §, "unit": "minute"}}]}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "bins": §, "trend": "day"}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "x", "Order Completed"], "exclusions": [{"event": "y", "fromStep": §, "toStep": §}]}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "attribution": {"step": §}}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "from": §, "to": §}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "where": [{"key": §, "op": "gt", "value": §}]}"#),
        ("/api/v1/analytics/funnel", #"{"steps": ["e", "Order Completed"], "breakdown": {"property": §}}"#),
        ("/api/v1/analytics/funnel/people", #"{"steps": ["e", "Order Completed"], "step": §, "limit": §, "cursor": §}"#),
        // Retention, stickiness, lifecycle, the KPI set.
        ("/api/v1/analytics/retention", #"{"start": "e", "periods": §, "minimumReturns": §}"#),
        ("/api/v1/analytics/retention", #"{"start": "e", "period": "hour", "from": "2021-01-01", "periods": §}"#),
        ("/api/v1/analytics/retention", #"{"start": "e", "breakdown": {"trait": §}}"#),
        ("/api/v1/analytics/stickiness", #"{"event": "e", "window": §, "from": §}"#),
        ("/api/v1/analytics/lifecycle", #"{"period": §, "breakdown": §}"#),
        ("/api/v1/analytics/kpis", #"{"activationDays": §, "silentDays": §, "period": "hour"}"#),
        ("/api/v1/analytics/kpis", #"{"mapping": {"conversions": [§]}}"#),
        // RFM, tiers, concentration, journey.
        ("/api/v1/analytics/rfm", #"{"from": §, "breakdown": {"trait": "city"}}"#),
        ("/api/v1/analytics/rfm/people", #"{"class": "importantValue", "limit": §, "cursor": §}"#),
        ("/api/v1/analytics/tiers", #"{"scheme": "pyramid", "tiers": [{"code": "a", "fraction": §}, {"code": "b", "fraction": §}]}"#),
        ("/api/v1/analytics/tiers", #"{"scheme": "ladder", "rungs": [{"code": "a", "minimumRevenue": §, "minimumOrders": §}], "windowDays": §}"#),
        ("/api/v1/analytics/tiers/movements", #"{"scheme": "tier.pyramid", "from": §}"#),
        ("/api/v1/analytics/concentration", #"{"top": [§], "points": §}"#),
        ("/api/v1/analytics/journey", #"{"stages": [{"code": "a", "rule": {"orders": {"op": "gte", "value": §}, "withinDays": §}}]}"#),
        // Person rules, through the preview, a saved segment, and the people filter.
        ("/api/v1/segments/preview", #"{"rule": {"event": "Order Completed", "withinDays": §}}"#),
        ("/api/v1/segments/preview", #"{"rule": {"event": "e", "count": {"op": "gte", "value": §}}}"#),
        ("/api/v1/segments/preview", #"{"rule": {"any": [{"lastSeenDaysAgo": {"op": "gt", "value": §}}, {"firstSeenDaysAgo": §}]}}"#),
        ("/api/v1/segments/preview", #"{"rule": {"revenue": {"op": "gt", "value": §}, "withinDays": 30}}"#),
        ("/api/v1/segments/preview", #"{"rule": {"not": {"attribute": "clv", "op": "gt", "value": §}}}"#),
        ("/api/v1/segments/preview", #"{"rule": {"all": [{"label": §, "value": §}, {"trait": "city", "op": "in", "value": [§]}, {"tag": §}]}}"#),
        ("/api/v1/segments", #"{"name": "s", "rule": {"orders": {"op": "gte", "value": §}, "withinDays": §}, "refreshMinutes": §}"#),
        ("/api/v1/analytics/lifecycle", #"{"people": {"firstChannel": {"op": "in", "value": [§]}}}"#),
        // Settings and channels.
        ("/api/v1/value/fit", #"{"model": "bgnbd", "penalizer": §}"#),
        ("PUT /api/v1/channels/kol:x", #"{"name": "x", "kind": "paid", "monthlyCostMinor": §}"#),
        ("PUT /api/v1/settings/tiers.ladder", #"{"rungs": [{"code": "a", "minimumRevenue": §}]}"#),
    ]

    /// A few orders and views, so that the kernels have something to count.
    static func seed(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws {
        let items = (0..<20).map { i in
            #"{"type": "track", "userId": "u\#(i % 7)", "event": "\#(i % 3 == 0 ? "Order Completed" : "e")", "#
                + #""timestamp": "2024-04-\#(10 + i % 20)T10:00:00Z", "properties": {"revenue": \#(i * 10), "sku": "s\#(i % 4)"}}"#
        }
        _ = try await client.send("/v1/batch", #"{"batch": [\#(items.joined(separator: ","))]}"#, harness)
    }

    @Test(arguments: TestStoreKind.available)
    func extremeNumbersNeverStopTheServer(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await Self.seed(client, harness)
            let literal = zip(
                Gen.int(in: 0...2),
                Gen.element(of: Self.oddLiterals),
                Gen.int64(in: Int64.min...Int64.max),
                Gen.double(in: -1e300...1e300)
            ).map { choice, odd, integer, real -> String in
                switch choice {
                case 0: return odd ?? "0"
                case 1: return String(integer)
                default: return "\(real)"
                }
            }
            await propertyCheck(count: kind == .sqlite ? 600 : 200, input: Gen.int(in: 0...(Self.templates.count - 1)), literal) { index, value in
                let template = Self.templates[index]
                let body = template.body.replacingOccurrences(of: "§", with: value)
                var method = HTTPRequest.Method.post
                var path = template.path
                if path.hasPrefix("PUT ") {
                    method = .put
                    path = String(path.dropFirst(4))
                }
                var headers = path.hasPrefix("/v1/") ? harness.basicAuth : harness.bearer
                headers[.contentType] = "application/json"
                let response = try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body))
                let code = Int(response.status.code)
                #expect(
                    (200..<500).contains(code),
                    "\(code) for \(method) \(path) \(body.prefix(300)) answered \(String(buffer: response.body).prefix(300))"
                )
                if code >= 400 {
                    #expect(response.errorCode != nil, "\(code) without a JSON error for \(path) \(body.prefix(300))")
                }
            }
            // Still answering afterwards.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let funnel = try await client.execute(
                uri: "/api/v1/analytics/funnel",
                method: .post,
                headers: harness.bearer,
                body: ByteBuffer(string: #"{"steps": ["e", "Order Completed"], "from": "2024-04-01", "to": "2024-04-30"}"#)
            )
            #expect(funnel.status == .ok)
        }
    }

    /// A property holding U+0000 (ingestion keeps it) made PostgreSQL's `properties -> key` fail for
    /// every event once a query named a property not loaded yet: a 500 seen now and then when the
    /// property test above drew "a\u0000b" for a revenue. Both stores answer, and the event holding
    /// the NUL still gives its other properties.
    @Test(arguments: TestStoreKind.available)
    func aPropertyHoldingNULDoesNotBreakPropertyQueries(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            for (user, note) in [("u1", #"a\u0000b"#), ("u2", "plain"), ("u3", "plain")] {
                let body =
                    #"{"userId": "\#(user)", "event": "Order Completed", "timestamp": "2024-04-10T08:00:00Z", "properties": {"note": "\#(note)", "plan": "gold"}}"#
                #expect(try await client.send("/v1/track", body, harness).status == .ok)
            }
            func ordered(_ condition: String) async throws -> TestResponse {
                let query = #"{"steps": ["Order Completed", "Never"], "from": "2024-04-01", "to": "2024-04-30", "where": [\#(condition)]}"#
                return try await TrackingAPITests().post(client, harness, "/api/v1/analytics/funnel", query)
            }
            // Every order is on plan gold (3, counted by hand), the one with the NUL included.
            let gold = try await ordered(#"{"key": "plan", "value": "gold"}"#)
            #expect(gold.status == .ok, "\(String(buffer: gold.body))")
            #expect(gold.json["steps"]?.arrayValue?.first?["count"] == 3)
            // Every order has a note, the NUL one too (3).
            let noted = try await ordered(#"{"key": "note", "op": "isSet"}"#)
            #expect(noted.status == .ok)
            #expect(noted.json["steps"]?.arrayValue?.first?["count"] == 3)
            // A trait holding U+0000 does not stop people search by trait or text for everyone else.
            #expect(try await client.send("/v1/identify", #"{"userId": "u1", "traits": {"name": "a\u0000b", "city": "上海"}}"#, harness).status == .ok)
            #expect(try await client.send("/v1/identify", #"{"userId": "u2", "traits": {"name": "Li", "city": "上海"}}"#, harness).status == .ok)
            let byTrait = try await TrackingAPITests().get(client, harness, "/api/v1/people?trait.city=%E4%B8%8A%E6%B5%B7")
            #expect(byTrait.status == .ok, "\(String(buffer: byTrait.body))")
            #expect(byTrait.json["people"]?.arrayValue?.compactMap { $0["userId"]?.stringValue }.contains("u2") == true)
            let byText = try await TrackingAPITests().get(client, harness, "/api/v1/people?q=Li")
            #expect(byText.status == .ok && byText.json["people"]?.arrayValue?.count == 1)
        }
    }
}
