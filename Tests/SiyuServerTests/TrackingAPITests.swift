import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

/// Segments through the admin API, on both stores.
@Suite struct TrackingAPITests {
    /// Five people: u1 and u2 ordered twice, u3 once, u4 only viewed, u5 only identified.
    /// The server's clock is 2024-05-01T00:00Z; everything happens on April 28–30.
    func seed(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws {
        func order(_ user: String, _ id: Int, _ day: Int, _ amount: Double) -> String {
            #"{"type": "track", "userId": "\#(user)", "event": "Order Completed", "messageId": "o\#(id)", "#
                + #""timestamp": "2024-04-\#(day)T10:00:00Z", "properties": {"order_id": "\#(id)", "revenue": \#(amount)}}"#
        }
        let items = [
            order("u1", 1, 28, 100), order("u1", 2, 29, 50), order("u2", 3, 28, 300), order("u2", 4, 30, 20), order("u3", 5, 29, 80),
            #"{"type": "track", "userId": "u4", "event": "Product Viewed", "messageId": "v1", "timestamp": "2024-04-30T09:00:00Z"}"#,
            #"{"type": "identify", "userId": "u5", "messageId": "i1", "timestamp": "2024-04-30T09:00:00Z", "traits": {"city": "上海"}}"#,
        ]
        let response = try await client.send("/v1/batch", #"{"batch": [\#(items.joined(separator: ","))]}"#, harness)
        #expect(response.json["stored"] == 7)
    }

    func post(_ client: some TestClientProtocol, _ harness: ServerHarness, _ path: String, _ json: String) async throws -> TestResponse {
        var headers = harness.bearer
        headers[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ client: some TestClientProtocol, _ harness: ServerHarness, _ path: String) async throws -> TestResponse {
        try await client.execute(uri: path, method: .get, headers: harness.bearer)
    }

    func userIds(_ response: TestResponse) -> [String] {
        (response.json["people"]?.arrayValue ?? []).compactMap { $0["userId"]?.stringValue }.sorted()
    }

    @Test(arguments: TestStoreKind.available)
    func dynamicSegmentsRefreshAndKeepTheirSizeHistory(_ kind: TestStoreKind) async throws {
        let now = ManagedClock(serverNow)
        try await ServerHarness.run(store: kind, clock: now.read) { client, harness in
            try await seed(client, harness)
            // Repeat buyers: u1 and u2 have 2 orders each, u3 only 1.
            let created = try await post(
                client,
                harness,
                "/api/v1/segments",
                #"{"name": "复购客户", "rule": {"orders": {"op": "gte", "value": 2}}, "refreshMinutes": 30}"#
            )
            #expect(created.status == .created)
            #expect(created.json["size"] == 2)
            #expect(created.json["kind"] == "dynamic")
            #expect(created.json["refreshMinutes"] == 30)
            let id = try #require(created.json["id"]?.int64Value)
            let members = try await get(client, harness, "/api/v1/segments/\(id)/members")
            #expect(userIds(members) == ["u1", "u2"])
            #expect(members.json["total"] == 2)

            // u3 orders again: after a refresh the segment holds three people, and the history both sizes.
            now.value += 60_000
            let response = try await client.send(
                "/v1/track",
                #"{"userId": "u3", "event": "Order Completed", "messageId": "o6", "timestamp": "2024-04-30T20:00:00Z", "properties": {"revenue": 10}}"#,
                harness
            )
            #expect(response.status == .ok)
            let refreshed = try await post(client, harness, "/api/v1/segments/\(id)/refresh", "{}")
            #expect(refreshed.json["size"] == 3)
            let sizes = try await get(client, harness, "/api/v1/segments/\(id)/sizes")
            #expect(sizes.json["sizes"]?.arrayValue?.compactMap { $0["size"]?.int64Value } == [2, 3])

            // A person's page lists the segment.
            let u3 = try #require(
                try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u3"), workspaceId: harness.workspace.id)
            )
            let personSegments = try await get(client, harness, "/api/v1/people/\(u3)/segments")
            #expect(personSegments.json["segments"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["复购客户"])

            // CSV export: a BOM, the header and one line per member.
            let csv = try await get(client, harness, "/api/v1/segments/\(id)/members?format=csv")
            let text = String(buffer: csv.body)
            #expect(text.hasPrefix("\u{FEFF}personId,userId"))
            #expect(text.split(separator: "\r\n").count == 4)

            // The schedule: due 30 minutes after the last refresh, not before.
            #expect(try await harness.store.segmentsDue(at: now.value + 29 * 60_000).isEmpty)
            #expect(try await harness.store.segmentsDue(at: now.value + 30 * 60_000).map(\.id) == [id])
        }
    }

    @Test(arguments: TestStoreKind.available)
    func staticSegmentsComeFromListsAndCSV(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await seed(client, harness)
            let created = try await post(client, harness, "/api/v1/segments", #"{"name": "Offline event guests", "kind": "static"}"#)
            #expect(created.status == .created)
            #expect(created.json["size"] == 0)
            let id = try #require(created.json["id"]?.int64Value)
            var headers = harness.bearer
            headers[.contentType] = "text/csv"
            let upload = try await client.execute(
                uri: "/api/v1/segments/\(id)/members",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "userId,note\r\nu4,came\r\nu5,came\r\nnobody,typo\r\n")
            )
            #expect(upload.status == .ok)
            #expect(upload.json["matched"] == 2)
            #expect(upload.json["unknown"] == 1)
            #expect(upload.json["unknownSample"] == ["nobody"])
            #expect(upload.json["segment"]?["size"] == 2)
            #expect(userIds(try await get(client, harness, "/api/v1/segments/\(id)/members")) == ["u4", "u5"])
            // The same person named three times (twice by id, once by user id) is one member, as in the console.
            let u4 = try #require(
                try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u4"), workspaceId: harness.workspace.id)
            )
            let again = try await post(client, harness, "/api/v1/segments/\(id)/members", #"{"people": [\#(u4), \#(u4)], "userIds": ["u4"]}"#)
            #expect(again.json["matched"] == 1)
            #expect(again.json["segment"]?["size"] == 1)
            // A static segment is not refreshed, and its rule cannot be edited.
            #expect(try await post(client, harness, "/api/v1/segments/\(id)/refresh", "{}").status == .conflict)

            // Frozen from a rule: everyone in Shanghai now (only u5).
            let frozen = try await post(
                client,
                harness,
                "/api/v1/segments",
                #"{"name": "上海 snapshot", "kind": "static", "rule": {"trait": "city", "op": "eq", "value": "上海"}}"#
            )
            #expect(frozen.json["size"] == 1)
            #expect((frozen.json["refreshMinutes"] ?? .null) == .null)  // left out or null (docs/admin-api.md)
            let list = try await get(client, harness, "/api/v1/segments")
            #expect(list.json["segments"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Offline event guests", "上海 snapshot"])
        }
    }

    @Test(arguments: TestStoreKind.available)
    func badSegmentRequestsAreRefusedAndChangeNothing(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await seed(client, harness)
            let noRule = try await post(client, harness, "/api/v1/segments", #"{"name": "x"}"#)
            #expect(noRule.status == .badRequest)
            #expect(noRule.json["error"]?["field"] == "rule")
            let badRule = try await post(client, harness, "/api/v1/segments", #"{"name": "x", "rule": {"orders": {"op": "gte", "value": "two"}}}"#)
            #expect(badRule.status == .badRequest)
            #expect(badRule.json["error"]?["field"] == "rule.orders.value")
            let tooOften = try await post(client, harness, "/api/v1/segments", #"{"name": "x", "rule": {"tag": "vip"}, "refreshMinutes": 1}"#)
            #expect(tooOften.status == .badRequest)
            let noName = try await post(client, harness, "/api/v1/segments", #"{"name": "  ", "rule": {"tag": "vip"}}"#)
            #expect(noName.status == .badRequest)
            let unknownField = try await post(client, harness, "/api/v1/segments", #"{"name": "x", "rule": {"tag": "vip"}, "colour": 1}"#)
            #expect(unknownField.json["error"]?["field"] == "colour")
            #expect(try await harness.store.segments(workspaceId: harness.workspace.id).isEmpty)

            let first = try await post(client, harness, "/api/v1/segments", #"{"name": "VIP", "rule": {"tag": "vip"}}"#)
            #expect(first.status == .created)
            let duplicate = try await post(client, harness, "/api/v1/segments", #"{"name": "VIP", "rule": {"tag": "gold"}}"#)
            #expect(duplicate.status == .conflict)
            let id = try #require(first.json["id"]?.int64Value)
            var headers = harness.bearer
            headers[.contentType] = "application/json"
            let kindChange = try await client.execute(
                uri: "/api/v1/segments/\(id)",
                method: .patch,
                headers: headers,
                body: ByteBuffer(string: #"{"kind": "static"}"#)
            )
            #expect(kindChange.status == .badRequest)
            let listToDynamic = try await post(client, harness, "/api/v1/segments/\(id)/members", #"{"people": [1]}"#)
            #expect(listToDynamic.status == .conflict)
            #expect(try await get(client, harness, "/api/v1/segments/999").status == .notFound)
            #expect(try await get(client, harness, "/api/v1/segments/abc").status == .badRequest)

            // Renaming keeps the members; deleting removes everything.
            let renamed = try await client.execute(
                uri: "/api/v1/segments/\(id)",
                method: .patch,
                headers: headers,
                body: ByteBuffer(string: #"{"name": "VIP 客户", "refreshMinutes": null}"#)
            )
            #expect(renamed.json["name"] == "VIP 客户")
            #expect((renamed.json["refreshMinutes"] ?? .null) == .null)  // left out or null (docs/admin-api.md)
            let deleted = try await client.execute(uri: "/api/v1/segments/\(id)", method: .delete, headers: harness.bearer)
            #expect(deleted.status == .ok)
            #expect(try await get(client, harness, "/api/v1/segments/\(id)").status == .notFound)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func previewCountsWithoutSaving(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await seed(client, harness)
            // Revenue over ¥100 in total: u1 (150) and u2 (320); u3 has 80.
            let preview = try await post(client, harness, "/api/v1/segments/preview", #"{"rule": {"revenue": {"op": "gt", "value": "100"}}}"#)
            #expect(preview.json["count"] == 2)
            #expect(preview.json["people"] == 5)
            #expect(try await harness.store.segments(workspaceId: harness.workspace.id).isEmpty)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func labelsKeepTheirHistoryAndCountMovements(_ kind: TestStoreKind) async throws {
        let now = ManagedClock(serverNow)
        try await ServerHarness.run(store: kind, clock: now.read) { client, harness in
            try await seed(client, harness)
            let store = harness.store
            let workspace = harness.workspace.id
            var ids: [String: Int64] = [:]
            for user in ["u1", "u2", "u3", "u4"] {
                ids[user] = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, user), workspaceId: workspace))
            }
            // First evaluation: 3 people labelled (3 changes from nothing); an unknown id is ignored.
            let first = try await store.saveLabels(
                workspaceId: workspace,
                scheme: "tier.pyramid",
                assignments: [ids["u1"]!: "top", ids["u2"]!: "middle", ids["u3"]!: "bottom", 999_999: "top"]
            )
            #expect(first == LabelSaveSummary(changed: 3, unchanged: 0))
            now.value += 86_400_000
            // A day later: u2 rises to top, u3 loses its label, u4 appears, u1 stays.
            let second = try await store.saveLabels(
                workspaceId: workspace,
                scheme: "tier.pyramid",
                assignments: [ids["u1"]!: "top", ids["u2"]!: "top", ids["u4"]!: "bottom"]
            )
            #expect(second == LabelSaveSummary(changed: 3, unchanged: 1))
            #expect(
                try await store.labels(workspaceId: workspace, scheme: "tier.pyramid") == [
                    ids["u1"]!: "top", ids["u2"]!: "top", ids["u4"]!: "bottom",
                ]
            )
            // Movements on the second day only: middle→top, bottom→none, none→bottom, one each.
            let movements = try await store.labelMovements(workspaceId: workspace, scheme: "tier.pyramid", from: now.value, to: now.value + 1)
            #expect(
                Set(movements.map { "\($0.from ?? "-")>\($0.to ?? "-"):\($0.people)" }) == ["middle>top:1", "bottom>-:1", "->bottom:1"]
            )
            // Over both days: three first assignments (none→top twice, none→middle once... u3 none→bottom).
            let all = try await store.labelMovements(workspaceId: workspace, scheme: "tier.pyramid", from: 0, to: .max)
            #expect(all.reduce(0) { $0 + $1.people } == 6)
            #expect(all.first { $0.from == nil && $0.to == "bottom" }?.people == 2)
            let u1Labels = try await store.labels(personId: ids["u1"]!, workspaceId: workspace)
            #expect(u1Labels == [PersonLabel(scheme: "tier.pyramid", value: "top", since: serverNow)])
            // A label rule in a segment sees the stored labels.
            let preview = try await post(
                client,
                harness,
                "/api/v1/segments/preview",
                #"{"rule": {"label": "tier.pyramid", "op": "eq", "value": "top"}}"#
            )
            #expect(preview.json["count"] == 2)
            await #expect(throws: StoreError.self) {
                try await store.saveLabels(workspaceId: workspace, scheme: "tier.pyramid", assignments: [ids["u1"]!: ""])
            }
        }
    }
}

/// A clock a test moves by hand.
final class ManagedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int64
    init(_ value: Int64) { current = value }
    var read: @Sendable () -> Int64 { { self.value } }
    var value: Int64 {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }
}
