import Testing

@testable import SiyuCore

@Suite struct TrackingRequestTests {
    /// 2024-05-01T00:00:00Z.
    let now: Int64 = 1_714_521_600_000

    func decode(_ json: String, _ endpoint: TrackingRequest.Endpoint = .batch) throws(IngestError) -> TrackingRequest {
        var counter = 0
        return try TrackingRequest.decode(body: Array(json.utf8), endpoint: endpoint, receivedAt: now) {
            counter += 1
            return "generated-\(counter)"
        }
    }

    func accepted(_ request: TrackingRequest) -> [Message] {
        request.items.compactMap { if case .accepted(let m) = $0 { return m } else { return nil } }
    }

    func rejected(_ request: TrackingRequest) -> [IngestError] {
        request.items.compactMap { if case .rejected(let e) = $0 { return e } else { return nil } }
    }

    @Test func singleTrackCallWithEverySegmentField() throws {
        let request = try decode(
            #"""
            {"userId": "u1", "anonymousId": null, "event": "Order Completed", "properties": {"revenue": 10},
             "context": {"ip": "203.0.113.1", "campaign": {"source": "douyin"}}, "integrations": {"All": true},
             "messageId": "m-1", "timestamp": "2024-04-30T23:00:00Z", "writeKey": "wk"}
            """#,
            .single(.track)
        )
        let message = try #require(accepted(request).first)
        #expect(request.writeKey == "wk")
        #expect(message.type == .track && message.userId == "u1" && message.anonymousId == nil)
        #expect(message.event == "Order Completed" && message.messageId == "m-1")
        #expect(message.properties["revenue"] == .int(10))
        #expect(message.integrations["All"] == .bool(true))
        // No sentAt: the client's timestamp is used as is (one hour before receipt).
        #expect(message.timestamp == now - 3_600_000)
        #expect(message.flags.isEmpty)
    }

    @Test func clockSkewIsCorrectedOncePerRequestKeepingOrder() throws {
        // The device clock is 10 minutes fast: it says it sent at 00:10 while we received at 00:00.
        let request = try decode(
            #"""
            {"sentAt": "2024-05-01T00:10:00Z", "batch": [
              {"type": "track", "event": "a", "anonymousId": "x", "originalTimestamp": "2024-05-01T00:09:00Z"},
              {"type": "track", "event": "b", "anonymousId": "x", "originalTimestamp": "2024-05-01T00:09:30Z"}]}
            """#
        )
        let messages = accepted(request)
        // timestamp = receivedAt − (sentAt − originalTimestamp): 00:00 − 60 s and 00:00 − 30 s.
        #expect(messages.map(\.timestamp) == [now - 60_000, now - 30_000])
        #expect(messages.allSatisfy { $0.flags.contains(.skewCorrected) })
        #expect(messages.map(\.originalTimestamp) == [now + 540_000, now + 570_000])
    }

    @Test func itemLevelSentAtIsUsedWhenTheBatchHasNone() throws {
        let request = try decode(
            #"""
            {"batch": [{"type": "page", "anonymousId": "x", "timestamp": "2024-05-01T01:00:00Z", "sentAt": "2024-05-01T01:00:05Z"},
                       {"type": "page", "anonymousId": "x", "timestamp": "2024-05-01T01:00:01Z"}]}
            """#
        )
        // Offset = receivedAt − first sentAt = −1 h 5 s for both items.
        #expect(accepted(request).map(\.timestamp) == [now - 5000, now - 4000])
    }

    @Test func futureTimestampsAreClampedAndFlagged() throws {
        let request = try decode(
            #"""
            {"batch": [{"type": "track", "event": "a", "userId": "u", "timestamp": "2024-05-02T00:00:01Z"},
                       {"type": "track", "event": "b", "userId": "u", "timestamp": "2024-05-01T22:59:59Z"}]}
            """#
        )
        let messages = accepted(request)
        // 24 h + 1 s ahead is beyond the 23 h tolerance; 22 h 59 min 59 s ahead is not.
        #expect(messages[0].timestamp == now && messages[0].flags.contains(.clampedFuture))
        #expect(messages[1].timestamp == now + 82_799_000 && !messages[1].flags.contains(.clampedFuture))
    }

    @Test func batchSharesTopLevelContextAndIntegrations() throws {
        let request = try decode(
            #"""
            {"context": {"library": {"name": "analytics-python"}, "ip": "1.1.1.1"}, "integrations": {"All": false},
             "batch": [{"type": "identify", "userId": "u", "context": {"ip": "2.2.2.2", "traits": {"plan": "pro", "name": "old"}},
                        "traits": {"name": "new"}}]}
            """#
        )
        let message = try #require(accepted(request).first)
        #expect(message.context["ip"] == .string("2.2.2.2"))
        #expect(message.context["library"]?["name"] == .string("analytics-python"))
        #expect(message.integrations["All"] == .bool(false))
        // identify reads context.traits (RudderStack) and lets top-level traits win.
        #expect(message.traits["plan"] == .string("pro") && message.traits["name"] == .string("new"))
    }

    @Test func invalidItemsAreReportedWithTheirFields() throws {
        let request = try decode(
            #"""
            {"batch": [
              {"type": "track", "userId": "u"},
              {"type": "track", "event": "x"},
              {"type": "track", "event": "x", "userId": "undefined"},
              {"type": "track", "event": "x", "userId": {"id": 1}},
              {"type": "launch", "userId": "u"},
              {"type": "track", "event": "x", "userId": "u", "timestamp": "yesterday"},
              {"type": "track", "event": "x", "userId": "u", "properties": [1]},
              {"type": "alias", "userId": "u"},
              {"type": "group", "userId": "u"},
              "not an object",
              {"type": "screen", "userId": 42, "anonymousId": "0", "name": "Home"},
              {"type": "track", "event": "a\u0000b", "userId": "u"},
              {"type": "track", "event": "x", "userId": "u\u0000"},
              {"type": "track", "event": "ok", "anonymousId": "a"}
            ]}
            """#
        )
        let codes = request.items.map { item -> String in
            switch item {
            case .accepted: return "ok"
            case .rejected(let error): return error.code + "@" + (error.field ?? "")
            }
        }
        #expect(
            codes == [
                "missing_field@batch[0].event", "missing_id@batch[1].userId", "invalid_id@batch[2].userId", "wrong_type@batch[3].userId",
                "unknown_type@batch[4].type", "invalid_timestamp@batch[5].timestamp", "wrong_type@batch[6].properties",
                "missing_field@batch[7].previousId", "missing_field@batch[8].groupId", "wrong_type@batch[9]", "invalid_id@batch[10].anonymousId",
                "invalid_field@batch[11].event", "invalid_id@batch[12].userId", "ok",
            ]
        )
    }

    @Test func pageCategoryIsKeptWithTheProperties() throws {
        let request = try decode(#"{"anonymousId": "a", "name": "Oolong", "category": "Teas", "properties": {"path": "/t/1"}}"#, .single(.page))
        #expect(accepted(request).first?.properties == ["path": "/t/1", "category": "Teas"])
    }

    @Test func numericUserIdsAreAcceptedAsText() throws {
        let request = try decode(#"{"type": "track", "event": "x", "userId": 42}"#, .single(.track))
        #expect(accepted(request).first?.userId == "42")
    }

    @Test func missingMessageIdIsAssigned() throws {
        let request = try decode(#"{"batch": [{"type": "page", "anonymousId": "a"}, {"type": "page", "anonymousId": "a"}]}"#)
        #expect(accepted(request).map(\.messageId) == ["generated-1", "generated-2"])
        #expect(accepted(request).allSatisfy { $0.flags.contains(.generatedMessageId) })
    }

    @Test func requestLevelErrors() {
        for (json, code) in [
            ("{", "invalid_json"), ("[]", "invalid_body"), (#"{"batch": {}}"#, "wrong_type"), ("{}", "missing_field"),
            (#"{"writeKey": 5, "batch": []}"#, "wrong_type"),
        ] {
            do {
                _ = try decode(json)
                Issue.record("\(json) was accepted")
            } catch {
                #expect(error.code == code)
            }
        }
    }

    @Test func batchLimits() throws {
        let item = #"{"type":"track","event":"x","anonymousId":"a"}"#
        let tooMany = "{\"batch\":[" + Array(repeating: item, count: 2501).joined(separator: ",") + "]}"
        do {
            _ = try decode(tooMany)
            Issue.record("2501 items accepted")
        } catch {
            #expect(error.code == "batch_too_large")
        }
        let justEnough = "{\"batch\":[" + Array(repeating: item, count: 2500).joined(separator: ",") + "]}"
        #expect(try accepted(decode(justEnough)).count == 2500)

        // One event of 33,000 bytes of properties in a batch: over the 32 KB per-event limit.
        let big = #"{"type":"track","event":"x","anonymousId":"a","properties":{"p":""# + String(repeating: "x", count: 33_000) + #""}}"#
        do {
            _ = try decode("{\"batch\":[" + item + "," + big + "]}")
            Issue.record("oversized event accepted")
        } catch {
            #expect(error.code == "event_too_large" && error.field == "batch[1]")
        }
        do {
            _ = try decode(big, .single(.track))
            Issue.record("oversized single event accepted")
        } catch {
            #expect(error.code == "event_too_large")
        }
    }
}
