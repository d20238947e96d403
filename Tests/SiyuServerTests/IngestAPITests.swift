import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuStore
import Testing

@Suite struct IngestAPITests {
    @Test func everySingleEndpointStoresItsCall() async throws {
        try await ServerHarness.run { client, harness in
            let calls: [(String, String)] = [
                ("/v1/track", #"{"userId": "u1", "event": "Signed Up", "properties": {"plan": "pro"}}"#),
                ("/v1/identify", #"{"userId": "u1", "traits": {"name": "韩梅梅"}}"#),
                ("/v1/page", #"{"anonymousId": "a1", "name": "Home", "properties": {"path": "/"}}"#),
                ("/v1/screen", #"{"userId": "u1", "name": "Cart"}"#),
                ("/v1/group", #"{"userId": "u1", "groupId": "g-9", "traits": {"name": "Shop 9"}}"#),
                ("/v1/alias", #"{"userId": "u1", "previousId": "a1"}"#),
            ]
            for (path, body) in calls {
                let response = try await client.send(path, body, harness)
                #expect(response.status == .ok, "\(path)")
                #expect(response.json == ["success": true], "\(path)")
            }
            let events = try await harness.events()
            #expect(events.map(\.message.type) == [.track, .identify, .page, .screen, .group, .alias])
            #expect(events[0].message.event == "Signed Up" && events[0].message.properties["plan"] == "pro")
            #expect(events[2].message.event == "Home")
            #expect(events[4].message.groupId == "g-9" && events[5].message.previousId == "a1")
            // The alias joined the anonymous page view to u1: one person.
            #expect(try await harness.store.peopleCount(workspaceId: harness.workspace.id) == 1)
            #expect(events.allSatisfy { $0.message.receivedAt == serverNow && !$0.message.messageId.isEmpty })
        }
    }

    @Test func writeKeyInHeaderOrBodyElse401() async throws {
        try await ServerHarness.run { client, harness in
            let body = #"{"userId": "u", "event": "x"}"#
            let none = try await client.execute(uri: "/v1/track", method: .post, body: ByteBuffer(string: body))
            #expect(none.status == .unauthorized && none.errorCode == "unauthorized")
            let wrong = try await client.execute(
                uri: "/v1/track",
                method: .post,
                headers: [.authorization: "Basic " + Data("wk_nope:".utf8).base64EncodedString()],
                body: ByteBuffer(string: body)
            )
            #expect(wrong.status == .unauthorized && wrong.errorCode == "unauthorized")
            let bearer = try await client.execute(
                uri: "/v1/track",
                method: .post,
                headers: [.authorization: "Bearer x"],
                body: ByteBuffer(string: body)
            )
            #expect(bearer.status == .unauthorized)
            let inBody = try await client.execute(
                uri: "/v1/track",
                method: .post,
                body: ByteBuffer(string: #"{"writeKey": "\#(harness.credentials.writeKey)", "userId": "u", "event": "x"}"#)
            )
            #expect(inBody.status == .ok)
            // An unauthenticated caller does not learn whether its payload was valid.
            let garbage = try await client.execute(uri: "/v1/track", method: .post, body: ByteBuffer(string: "{oops"))
            #expect(garbage.status == .unauthorized)
            #expect(try await harness.events().count == 1)
        }
    }

    @Test func badInputIs400WithCodeAndFieldAndStoresNothing() async throws {
        try await ServerHarness.run { client, harness in
            let cases: [(String, String, String, String?)] = [
                ("/v1/track", "{not json", "invalid_json", nil),
                ("/v1/track", "[1,2]", "invalid_body", nil),
                ("/v1/track", #"{"userId": "u"}"#, "missing_field", "event"),
                ("/v1/track", #"{"event": "x"}"#, "missing_id", "userId"),
                ("/v1/track", #"{"event": "x", "userId": "null"}"#, "invalid_id", "userId"),
                ("/v1/track", #"{"event": "x", "anonymousId": "undefined"}"#, "invalid_id", "anonymousId"),
                ("/v1/track", #"{"event": "x", "userId": true}"#, "wrong_type", "userId"),
                ("/v1/track", #"{"event": "x", "userId": "u", "properties": "a"}"#, "wrong_type", "properties"),
                ("/v1/track", #"{"event": "x", "userId": "u", "timestamp": "31/12/2024"}"#, "invalid_timestamp", "timestamp"),
                ("/v1/group", #"{"userId": "u"}"#, "missing_field", "groupId"),
                ("/v1/batch", #"{"batch": "no"}"#, "wrong_type", "batch"),
                ("/v1/batch", #"{"batch": [{"type": "nope", "userId": "u"}]}"#, "unknown_type", "batch[0].type"),
            ]
            for (path, body, code, field) in cases {
                let response = try await client.send(path, body, harness)
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorCode == code, "\(body)")
                #expect(response.json["error"]?["field"]?.stringValue == field, "\(body)")
                #expect(response.json["error"]?["message"]?.stringValue?.isEmpty == false)
            }
            #expect(try await harness.events().isEmpty)
        }
    }

    @Test func batchKeepsValidItemsAndListsRejectedOnes() async throws {
        try await ServerHarness.run { client, harness in
            let response = try await client.send(
                "/v1/import",
                #"""
                {"batch": [
                  {"type": "track", "event": "a", "anonymousId": "x", "messageId": "1"},
                  {"type": "track", "anonymousId": "x", "messageId": "2"},
                  {"type": "identify", "userId": "anonymous", "messageId": "3"},
                  {"type": "page", "anonymousId": "x", "messageId": "4"}
                ]}
                """#,
                harness
            )
            #expect(response.status == .ok)
            #expect(response.json["stored"] == 2 && response.json["duplicates"] == 0)
            let rejected = response.json["rejected"]?.arrayValue ?? []
            #expect(rejected.map { $0["index"] } == [1, 2])
            #expect(rejected.map { $0["code"] } == ["missing_field", "invalid_id"])
            #expect(rejected.map { $0["field"] } == ["batch[1].event", "batch[2].userId"])
            #expect(try await harness.events().map(\.message.messageId) == ["1", "4"])
        }
    }

    @Test func retriedEventsAreStoredOnce() async throws {
        try await ServerHarness.run { client, harness in
            let body = #"{"userId": "u", "event": "Order Completed", "messageId": "retry-1", "properties": {"revenue": 10}}"#
            let first = try await client.send("/v1/track", body, harness)
            let second = try await client.send("/v1/track", body, harness)
            #expect(first.status == .ok && second.status == .ok)
            #expect(first.json["duplicate"] == nil && second.json["duplicate"] == true)
            let batch = try await client.send("/v1/batch", #"{"batch": [\#(body.dropLast())\#(", \"type\": \"track\"}")]}"#, harness)
            #expect(batch.json["stored"] == 0 && batch.json["duplicates"] == 1)
            #expect(try await harness.events().count == 1)
            let person = try await harness.store.searchPeople(workspaceId: harness.workspace.id, query: PeopleQuery()).items.first
            #expect(person?.orderCount == 1 && person?.revenueMinor == 1000)
        }
    }

    @Test func clientClockSkewIsCorrected() async throws {
        try await ServerHarness.run { client, harness in
            // The phone's clock runs 2 hours fast; it sent the batch at its 02:00 and the event happened at its 01:59.
            let response = try await client.send(
                "/v1/batch",
                #"{"sentAt": "2024-05-01T02:00:00Z", "batch": [{"type": "track", "event": "x", "anonymousId": "a", "originalTimestamp": "2024-05-01T01:59:00Z"}]}"#,
                harness
            )
            #expect(response.status == .ok)
            let event = try #require(try await harness.events().first)
            // receivedAt (00:00) − (sentAt − originalTimestamp) = 00:00 − 1 min.
            #expect(event.message.timestamp == serverNow - 60_000)
            #expect(event.message.flags.contains(.skewCorrected))
        }
    }

    @Test func gzipBodiesAreAccepted() async throws {
        try await ServerHarness.run { client, harness in
            let body = try gzip(#"{"batch": [{"type": "track", "event": "zipped", "userId": "u"}]}"#)
            var headers = harness.basicAuth
            headers[.contentEncoding] = "gzip"
            let response = try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: body)
            #expect(response.status == .ok && response.json["stored"] == 1)
            let corrupt = try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: ByteBuffer(string: "not gzip at all"))
            #expect(corrupt.status == .badRequest && corrupt.errorCode == "invalid_encoding")
            headers[.contentEncoding] = "br"
            let brotli = try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: body)
            #expect(brotli.status == .unsupportedMediaType)
            #expect(try await harness.events().map(\.message.event) == ["zipped"])
        }
    }

    @Test func sizeLimitsAnswer413SayingWhichLimit() async throws {
        try await ServerHarness.run { client, harness in
            // 600 KB of valid JSON in a request: over the 500 KB request limit.
            let item = #"{"type": "track", "event": "x", "anonymousId": "a", "properties": {"p": "\#(String(repeating: "y", count: 20_000))"}}"#
            let big = "{\"batch\": [" + Array(repeating: item, count: 30).joined(separator: ",") + "]}"
            let tooBig = try await client.send("/v1/batch", big, harness)
            #expect(tooBig.status == .contentTooLarge && tooBig.errorCode == "request_too_large")
            #expect(tooBig.json["error"]?["message"]?.stringValue?.contains("500 KB") == true)
            // The same 600 KB compressed to a few KB still inflates beyond the limit.
            var headers = harness.basicAuth
            headers[.contentEncoding] = "gzip"
            let bomb = try await client.execute(uri: "/v1/batch", method: .post, headers: headers, body: try gzip(big))
            #expect(bomb.status == .contentTooLarge && bomb.errorCode == "request_too_large")
            // One 40 KB event: over the 32 KB event limit.
            let event = #"{"userId": "u", "event": "x", "properties": {"p": "\#(String(repeating: "z", count: 40_000))"}}"#
            let tooLargeEvent = try await client.send("/v1/track", event, harness)
            #expect(tooLargeEvent.status == .contentTooLarge && tooLargeEvent.errorCode == "event_too_large")
            #expect(tooLargeEvent.json["error"]?["message"]?.stringValue?.contains("32 KB") == true)
            let items = Array(repeating: #"{"type": "page", "anonymousId": "a"}"#, count: 2501).joined(separator: ",")
            let tooMany = try await client.send("/v1/batch", "{\"batch\": [\(items)]}", harness)
            #expect(tooMany.status == .badRequest && tooMany.errorCode == "batch_too_large")
            #expect(try await harness.events().isEmpty)
        }
    }

    @Test func tooManyRequestsGets429WithRetryAfter() async throws {
        // 1 request per second with a burst of 2 and a frozen clock: the third request is refused.
        try await ServerHarness.run(rateLimit: 1) { client, harness in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for index in 0..<3 {
                let response = try await client.send("/v1/track", #"{"userId": "u", "event": "x", "messageId": "\#(index)"}"#, harness)
                statuses.append(response.status)
                if response.status == .tooManyRequests {
                    retryAfter = response.headers[.retryAfter]
                    #expect(response.errorCode == "rate_limited")
                }
            }
            #expect(statuses == [.ok, .ok, .tooManyRequests])
            #expect(retryAfter == "1")
            #expect(try await harness.events().count == 2)
        }
    }

    @Test func rudderStackContextTraitsReachTheProfile() async throws {
        try await ServerHarness.run { client, harness in
            let response = try await client.send(
                "/v1/identify",
                #"{"userId": "r1", "context": {"traits": {"city": "杭州", "email": "R1@Example.com"}}}"#,
                harness
            )
            #expect(response.status == .ok)
            let person = try #require(
                try await harness.store.searchPeople(workspaceId: harness.workspace.id, query: PeopleQuery(traits: ["city": "杭州"])).items.first
            )
            #expect(person.userId == "r1" && person.traits["email"] == "r***@example.com")
            let found = try await harness.store.personId(
                identity: IdentityKey(IdentityKey.email, "r1@example.com"),
                workspaceId: harness.workspace.id
            )
            #expect(found == person.id)
        }
    }

    @Test func operationsEndpoints() async throws {
        try await ServerHarness.run { client, harness in
            _ = try await client.send("/v1/track", #"{"userId": "u", "event": "x"}"#, harness)
            _ = try await client.send("/v1/track", #"{"userId": "u"}"#, harness)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok && health.json["status"] == "ok")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.status == .ok)
            for name in ["siyu_events_accepted_total", "siyu_events_rejected_total", "siyu_store_write_seconds", "siyu_request_events"] {
                #expect(text.contains(name), "\(name)")
            }
            #expect(text.contains(#"reason="missing_field""#))
            let missing = try await client.execute(uri: "/v2/nothing", method: .get)
            #expect(missing.status == .notFound && missing.errorCode == "not_found")
        }
    }
}

@Suite struct IngestRobustnessTests {
    /// Mangled versions of a valid batch — bytes dropped, flipped, duplicated, truncated — must
    /// each get a JSON answer (200 for what is still valid, 4xx otherwise) and never a 5xx.
    @Test func mangledBodiesNeverBreakTheServer() async throws {
        let valid = Array(
            #"{"batch":[{"type":"track","event":"Order Completed","userId":"u1","properties":{"revenue":12.5,"tags":["a","b"]},"timestamp":"2024-05-01T00:00:00Z"},{"type":"identify","anonymousId":"a1","traits":{"email":"x@y.cn","n":null}}]}"#
                .utf8
        )
        try await ServerHarness.run { client, harness in
            var random = UInt64(20_241_123)
            func next(_ bound: Int) -> Int {
                random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int((random >> 33) % UInt64(bound))
            }
            var statuses: [Int: Int] = [:]
            for _ in 0..<400 {
                var body = valid
                for _ in 0..<(1 + next(4)) {
                    let position = next(body.count)
                    switch next(4) {
                    case 0: body.remove(at: position)
                    case 1: body[position] = UInt8(next(256))
                    case 2: body.insert(body[position], at: position)
                    default: body = Array(body.prefix(position))
                    }
                    if body.isEmpty { body = [0x7B] }
                }
                let response = try await client.execute(uri: "/v1/batch", method: .post, headers: harness.basicAuth, body: ByteBuffer(bytes: body))
                statuses[Int(response.status.code), default: 0] += 1
                #expect(response.status.code < 500, "status \(response.status.code) for \(String(decoding: body, as: UTF8.self))")
                #expect(response.json != .null, "a non-JSON answer for \(String(decoding: body, as: UTF8.self))")
            }
            // Most mangled bodies are refused; the server still answers a valid request afterwards.
            #expect((statuses[400] ?? 0) > 200)
            let after = try await client.send("/v1/track", #"{"userId": "u", "event": "still here"}"#, harness)
            #expect(after.status == .ok)
        }
    }
}
