import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@Suite struct AdminAPITests {
    /// Sends a small history: an anonymous Douyin visitor who identifies as u1 with an order, and u2.
    func seed(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws {
        let response = try await client.send(
            "/v1/batch",
            #"""
            {"batch": [
              {"type": "page", "anonymousId": "a1", "messageId": "1", "timestamp": "2024-04-30T10:00:00Z", "context": {"campaign": {"source": "douyin"}}},
              {"type": "track", "userId": "u1", "event": "Order Completed", "messageId": "2", "timestamp": "2024-04-30T11:00:00Z",
               "properties": {"order_id": "o1", "revenue": 99.5}},
              {"type": "identify", "userId": "u1", "anonymousId": "a1", "messageId": "3", "timestamp": "2024-04-30T12:00:00Z",
               "traits": {"name": "张伟", "city": "上海", "email": "zw@example.com"}},
              {"type": "identify", "userId": "u2", "messageId": "4", "timestamp": "2024-04-30T13:00:00Z", "traits": {"city": "北京"}}
            ]}
            """#,
            harness
        )
        #expect(response.json["stored"] == 4)
    }

    func personId(_ harness: ServerHarness, _ userId: String) async throws -> Int64 {
        try #require(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, userId), workspaceId: harness.workspace.id))
    }

    /// Requests the contract refuses, answered in the error shape: a JSON body over 1 MiB is 413
    /// (it was a 500), a body of the wrong shape a 400 naming the field, and a percent-encoded
    /// path parameter is decoded (`会员` was stored as `%E4%BC%9A%E5%91%98`).
    @Test func contractRefusalsAndEncodedPathParameters() async throws {
        try await ServerHarness.run { client, harness in
            try await seed(client, harness)
            let u1 = try await personId(harness, "u1")
            var json = harness.bearer
            json[.contentType] = "application/json"
            let huge = #"{"add": [""# + String(repeating: "x", count: 1_100_000) + #""]}"#
            for (uri, method) in [("/api/v1/people/\(u1)/tags", HTTPRequest.Method.post), ("/api/v1/channels/douyin", .put)] {
                let answer = try await client.execute(uri: uri, method: method, headers: json, body: ByteBuffer(string: huge))
                #expect(answer.status == .contentTooLarge && answer.errorCode == "request_too_large", "\(uri): \(answer.status)")
            }
            let wrongShape = try await client.execute(
                uri: "/api/v1/people/\(u1)/tags",
                method: .post,
                headers: json,
                body: ByteBuffer(string: #"{"add": "vip"}"#)
            )
            #expect(wrongShape.status == .badRequest && wrongShape.errorCode == "invalid_request" && wrongShape.json["error"]?["field"] == "add")
            let tagged = try await client.execute(uri: "/api/v1/people/\(u1)/tags/%E4%BC%9A%E5%91%98", method: .put, headers: harness.bearer)
            #expect(tagged.status == .ok && tagged.json["tags"] == ["会员"])
            let channel = try await client.execute(
                uri: "/api/v1/channels/kol:%E4%B8%BD%E4%B8%BD",
                method: .put,
                headers: json,
                body: ByteBuffer(string: #"{"name": "丽丽", "kind": "partner"}"#)
            )
            #expect(channel.status == .ok && channel.json["channel"]?["key"] == "kol:丽丽", "\(String(buffer: channel.body))")
            // A body without a JSON content type (curl -d says form-urlencoded) is read as JSON, as always.
            var formHeaders = harness.bearer
            formHeaders[.contentType] = "application/x-www-form-urlencoded"
            let form = try await client.execute(
                uri: "/api/v1/people/\(u1)/tags",
                method: .post,
                headers: formHeaders,
                body: ByteBuffer(string: #"{"add": ["vip"]}"#)
            )
            #expect(form.status == .ok && form.json["tags"] == ["vip", "会员"])
            // A path of the contract asked with a method it does not take is 405 with the methods it
            // does take (the contract lists GET and POST for /segments, POST for the funnel, PUT and
            // DELETE for a setting); a path it does not have stays 404.
            for (uri, method, allowed) in [
                ("/api/v1/segments", HTTPRequest.Method.put, "GET, POST"), ("/api/v1/analytics/funnel", .get, "POST"),
                ("/api/v1/settings/kpiMapping", .post, "PUT, DELETE"), ("/v1/track", .get, "POST"),
            ] {
                let answer = try await client.execute(uri: uri, method: method, headers: harness.bearer)
                #expect(answer.status == .methodNotAllowed && answer.errorCode == "method_not_allowed", "\(method) \(uri): \(answer.status)")
                #expect(answer.headers[.allow] == allowed, "\(method) \(uri)")
            }
            // Bodies the contract cannot read are 400s that say why in words, naming the field where there is one.
            let null = try await client.execute(uri: "/api/v1/analytics/kpis", method: .post, headers: json, body: ByteBuffer(string: "null"))
            #expect(null.status == .badRequest && null.json["error"]?["message"] == "the body must be an object, not null")
            let beyond = try await client.execute(
                uri: "/api/v1/analytics/funnel",
                method: .post,
                headers: json,
                body: ByteBuffer(string: #"{"steps": ["a", "b"], "bins": 1e999}"#)
            )
            #expect(beyond.status == .badRequest && beyond.json["error"]?["field"] == "bins", "\(String(buffer: beyond.body))")
            #expect(beyond.json["error"]?["message"]?.stringValue?.contains("OpenAPIValueContainer") == false)
            let nowhere = try await client.execute(uri: "/api/v1/nowhere", method: .get, headers: harness.bearer)
            #expect(nowhere.status == .notFound && nowhere.errorCode == "not_found")
        }
    }

    @Test func requiresABearerToken() async throws {
        try await ServerHarness.run { client, harness in
            for headers: HTTPFields in [
                [:], [.authorization: "Bearer sy_wrong"],
                [.authorization: "Basic " + Data((harness.credentials.writeKey + ":").utf8).base64EncodedString()],
            ] {
                let response = try await client.execute(uri: "/api/v1/people", method: .get, headers: headers)
                #expect(response.status == .unauthorized && response.errorCode == "unauthorized")
            }
            // A write key is not an admin token.
            let withWriteKey = try await client.execute(
                uri: "/api/v1/people",
                method: .get,
                headers: [.authorization: "Bearer " + harness.credentials.writeKey]
            )
            #expect(withWriteKey.status == .unauthorized)
        }
    }

    @Test func searchesAndShowsAPersonWithIdentitiesTagsAndMerges() async throws {
        try await ServerHarness.run { client, harness in
            try await seed(client, harness)
            let list = try await client.execute(uri: "/api/v1/people?trait.city=%E4%B8%8A%E6%B5%B7", method: .get, headers: harness.bearer)
            #expect(list.status == .ok)
            let people = list.json["people"]?.arrayValue ?? []
            #expect(people.count == 1 && people.first?["userId"] == "u1")
            let byEmail = try await client.execute(uri: "/api/v1/people?identity=email:ZW@example.com", method: .get, headers: harness.bearer)
            #expect(byEmail.json["people"]?.arrayValue?.first?["userId"] == "u1")
            let u1 = try await personId(harness, "u1")
            let show = try await client.execute(uri: "/api/v1/people/\(u1)", method: .get, headers: harness.bearer)
            let person = show.json
            #expect(person["eventCount"] == 3 && person["orderCount"] == 1)
            #expect(person["revenue"] == ["amount": "99.50", "minorUnits": 9950, "currency": "CNY"])
            #expect(person["firstChannel"] == "douyin")
            #expect(person["firstSeen"] == "2024-04-30T10:00:00.000Z")
            let kinds = Set((person["identities"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue })
            #expect(kinds == ["anonymous_id", "user_id", "email"])
            // The merge of the anonymous visitor into u1 is listed and can be undone.
            let merges = person["merges"]?.arrayValue ?? []
            #expect(merges.count == 1 && merges.first?["reason"] == "identify")
            let events = try await client.execute(uri: "/api/v1/people/\(u1)/events?limit=2", method: .get, headers: harness.bearer)
            #expect(events.json["events"]?.arrayValue?.map { $0["messageId"] } == ["3", "2"])
            let cursor = try #require(events.json["nextCursor"]?.stringValue)
            let more = try await client.execute(uri: "/api/v1/people/\(u1)/events?limit=2&cursor=\(cursor)", method: .get, headers: harness.bearer)
            #expect(more.json["events"]?.arrayValue?.map { $0["messageId"] } == ["1"])
            // The last page has no next cursor (a property without a value is left out, or null).
            #expect((more.json["nextCursor"] ?? .null) == .null)
            let bad = try await client.execute(uri: "/api/v1/people?limit=0", method: .get, headers: harness.bearer)
            #expect(bad.status == .badRequest && bad.json["error"]?["field"] == "limit")
            let unknown = try await client.execute(uri: "/api/v1/people/999999", method: .get, headers: harness.bearer)
            #expect(unknown.status == .notFound)
        }
    }

    @Test func editsTagsUndoesMergesAndErasesPeople() async throws {
        try await ServerHarness.run { client, harness in
            try await seed(client, harness)
            let u1 = try await personId(harness, "u1")
            let tagged = try await client.execute(
                uri: "/api/v1/people/\(u1)/tags",
                method: .post,
                headers: harness.bearer,
                body: ByteBuffer(string: #"{"add": ["vip", "复购"]}"#)
            )
            #expect(tagged.json["tags"] == ["vip", "复购"])
            let removed = try await client.execute(uri: "/api/v1/people/\(u1)/tags/vip", method: .delete, headers: harness.bearer)
            #expect(removed.json["tags"] == ["复购"])
            let badTags = try await client.execute(
                uri: "/api/v1/people/\(u1)/tags",
                method: .post,
                headers: harness.bearer,
                body: ByteBuffer(string: #"{"add": "vip"}"#)
            )
            #expect(badTags.status == .badRequest && badTags.json["error"]?["field"] == "add")

            let mergeId = try #require(try await harness.store.merges(workspaceId: harness.workspace.id, personId: nil, limit: 10).first?.id)
            let undo = try await client.execute(uri: "/api/v1/merges/\(mergeId)/undo", method: .post, headers: harness.bearer)
            #expect(undo.status == .ok && undo.json["merge"]?["undoneAt"] != .null)
            let again = try await client.execute(uri: "/api/v1/merges/\(mergeId)/undo", method: .post, headers: harness.bearer)
            #expect(again.status == .conflict)
            #expect(try await harness.store.peopleCount(workspaceId: harness.workspace.id) == 3)

            let erase = try await client.execute(uri: "/api/v1/people/\(u1)", method: .delete, headers: harness.bearer)
            // u1 alone now: its order and identify events, and its identities user_id + email (the anonymous id went back).
            #expect(erase.json["erased"] == ["people": 1, "identities": 2, "events": 2])
            let gone = try await client.execute(uri: "/api/v1/people/\(u1)", method: .get, headers: harness.bearer)
            #expect(gone.status == .notFound)
            let workspace = try await client.execute(uri: "/api/v1/workspace", method: .get, headers: harness.bearer)
            #expect(workspace.json["people"] == 2 && workspace.json["events"] == 2)
        }
    }

    @Test func listsRefusedMerges() async throws {
        try await ServerHarness.run { client, harness in
            try await seed(client, harness)
            _ = try await client.send("/v1/track", #"{"userId": "u2", "anonymousId": "a1", "event": "x"}"#, harness)
            let conflicts = try await client.execute(uri: "/api/v1/conflicts", method: .get, headers: harness.bearer)
            let entries = conflicts.json["conflicts"]?.arrayValue ?? []
            #expect(entries.count == 1)
            #expect(entries.first?["keptPerson"] == .int(try await personId(harness, "u2")))
            #expect(entries.first?["otherPerson"] == .int(try await personId(harness, "u1")))
        }
    }

    @Test func channelsCanBeRegisteredAndAttributeEvents() async throws {
        try await ServerHarness.run { client, harness in
            let put = try await client.execute(
                uri: "/api/v1/channels/kol:lily",
                method: .put,
                headers: harness.bearer,
                body: ByteBuffer(
                    string:
                        #"{"name": "KOL 莉莉", "kind": "partner", "trackingCodes": [{"utmSource": "douyin", "utmCampaign": "lily"}], "monthlyCostMinor": 800000}"#
                )
            )
            #expect(put.status == .ok)
            let invalid = try await client.execute(
                uri: "/api/v1/channels/Bad%20Key",
                method: .put,
                headers: harness.bearer,
                body: ByteBuffer(string: #"{"name": "x"}"#)
            )
            #expect(invalid.status == .badRequest)
            let wrongKind = try await client.execute(
                uri: "/api/v1/channels/x",
                method: .put,
                headers: harness.bearer,
                body: ByteBuffer(string: #"{"name": "x", "kind": "tv"}"#)
            )
            #expect(wrongKind.status == .badRequest && wrongKind.json["error"]?["field"] == "kind")
            _ = try await client.send("/v1/page", #"{"anonymousId": "v", "context": {"campaign": {"source": "douyin", "name": "lily"}}}"#, harness)
            #expect(try await harness.events().first?.channel == "kol:lily")
            let list = try await client.execute(uri: "/api/v1/channels", method: .get, headers: harness.bearer)
            #expect(list.json["channels"]?.arrayValue?.last?["key"] == "kol:lily")
        }
    }

    @Test func aWorkspaceCannotReadOrChangeAnothersData() async throws {
        try await ServerHarness.run { client, harness in
            try await seed(client, harness)
            let u1 = try await personId(harness, "u1")
            let rival = try await harness.store.createWorkspace(name: "rival", timeZone: "UTC", currency: "USD")
            let rivalAuth: HTTPFields = [.authorization: "Bearer " + rival.adminToken]
            for (uri, method) in [
                ("/api/v1/people/\(u1)", HTTPRequest.Method.get), ("/api/v1/people/\(u1)/events", .get), ("/api/v1/people/\(u1)", .delete),
                ("/api/v1/people/\(u1)/tags/x", .put),
            ] {
                let response = try await client.execute(uri: uri, method: method, headers: rivalAuth)
                #expect(response.status == .notFound, "\(method) \(uri)")
            }
            let search = try await client.execute(uri: "/api/v1/people?identity=user_id:u1", method: .get, headers: rivalAuth)
            #expect(search.json["people"]?.arrayValue?.isEmpty == true)
            let mergeId = try #require(try await harness.store.merges(workspaceId: harness.workspace.id, personId: nil, limit: 10).first?.id)
            let undo = try await client.execute(uri: "/api/v1/merges/\(mergeId)/undo", method: .post, headers: rivalAuth)
            #expect(undo.status == .notFound)
            // The rival's write key writes only into the rival workspace.
            let rivalKey: HTTPFields = [.authorization: "Basic " + Data((rival.writeKey + ":").utf8).base64EncodedString()]
            _ = try await client.execute(
                uri: "/v1/track",
                method: .post,
                headers: rivalKey,
                body: ByteBuffer(string: #"{"userId": "u1", "event": "x"}"#)
            )
            #expect(try await harness.store.person(id: u1, workspaceId: harness.workspace.id)?.eventCount == 3)
            #expect(try await harness.store.tags(personId: u1, workspaceId: harness.workspace.id).isEmpty)
            #expect(try await harness.events().count == 4)
        }
    }
}
