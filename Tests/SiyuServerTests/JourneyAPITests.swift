import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuAPI
import SiyuCore
import SiyuMessaging
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// Requests a local webhook receiver got.
actor WebhookLog {
    private(set) var requests: [(headers: [String: String], body: [UInt8])] = []
    func append(_ headers: [String: String], _ body: [UInt8]) { requests.append((headers, body)) }
}

/// Journeys through the admin API, run by the server's own journey job (entries, walks and the outbox
/// delivery four times a second), with a clock the test moves.
@Suite struct JourneyAPITests {
    let shop = TrackingAPITests()

    /// Runs `body` with a local webhook receiver's base URL.
    func withReceiver(_ body: @escaping @Sendable (String, WebhookLog) async throws -> Void) async throws {
        let log = WebhookLog()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
            await log.append(headers, Array(bytes.readableBytesView))
            return Response(status: request.uri.path.hasSuffix("/fail") ? .serviceUnavailable : .ok)
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            try await body("http://127.0.0.1:\(try #require(client.port))", log)
        }
    }

    static func careJourney(_ url: String) -> String {
        #"""
        {"name": "下单关怀", "definition": {
            "entry": {"event": {"event": "Order Completed"}, "key": "order_id"},
            "start": "thanks",
            "nodes": [
                {"id": "thanks", "action": {"webhook": {"url": "\#(url)/thanks"}}, "next": "wait"},
                {"id": "wait", "delay": {"value": 1, "unit": "day"}, "next": "vip"},
                {"id": "vip", "condition": {"orders": {"op": "gte", "value": 2}}, "yes": "tagVip", "no": "done"},
                {"id": "tagVip", "action": {"addTag": "复购"}, "next": "done"},
                {"id": "done", "exit": {}}
            ],
            "goal": {"event": "Review Submitted", "withinDays": 7}
        }}
        """#
    }

    @Test(arguments: TestStoreKind.available)
    func anOrderRunsThroughTheJourneyOnceWithASignedWebhook(_ kind: TestStoreKind) async throws {
        let clock = ManagedClock(serverNow)
        try await withReceiver { url, log in
            try await ServerHarness.run(store: kind, clock: clock.read) { client, harness in
                let created = try await shop.post(client, harness, "/api/v1/journeys", Self.careJourney(url))
                #expect(created.status == .created, "\(created.json)")
                #expect(created.json["problems"] == [])
                let id = try #require(created.json["id"]?.int64Value)
                let published = try await shop.post(client, harness, "/api/v1/journeys/\(id)/publish", "")
                #expect(published.json["status"] == "active" && published.json["version"] == 1)

                // The server's own journey job (four passes a second) runs what follows; the test waits for
                // each state it expects, at most 30 s (a hang guard, not a speed check).
                func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
                    for _ in 0..<300 {
                        if try await condition() { return true }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    return false
                }
                // Publishing marked where the journey's events start: what comes from now on enters.
                // u1 orders twice (order 1 sent twice with different message ids, then order 2): two entries, not three.
                func order(_ message: String, _ order: String) -> String {
                    #"{"type": "track", "userId": "u1", "event": "Order Completed", "messageId": "\#(message)", "timestamp": "2024-05-01T00:00:00Z", "properties": {"order_id": "\#(order)", "revenue": 100}}"#
                }
                let sent = try await client.send(
                    "/v1/batch",
                    #"{"batch": [\#(order("m1", "1")), \#(order("m2", "1")), \#(order("m3", "2"))]}"#,
                    harness
                )
                #expect(sent.json["stored"] == 3)
                #expect(try await eventually { await log.requests.count >= 2 })
                // Two signed POSTs, one per order, each verifiable with the workspace's secret.
                let secret = try #require(try await harness.store.settings(workspaceId: harness.workspace.id)[OutboxDelivery.secretKey]?.stringValue)
                try await Task.sleep(for: .seconds(1))
                let requests = await log.requests
                #expect(requests.count == 2)
                for request in requests {
                    let header = try #require(request.headers["x-siyu-signature"])
                    #expect(WebhookSignature.verify(header: header, body: request.body, secrets: [secret], now: Int64(Date().timeIntervalSince1970)))
                    #expect(request.headers["x-siyu-idempotency-key"]?.hasPrefix("journey:\(id):v1:") == true)
                }
                let instances = try await harness.store.dueJourneyInstances(now: serverNow + 86_400_000, limit: 10)
                #expect(instances.map(\.node) == ["wait", "wait"])

                // A day later both move on; u1 has two orders, so both tag (the tag is set once).
                clock.value = serverNow + 86_400_000
                let person = try #require(
                    try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: harness.workspace.id)
                )
                #expect(try await eventually { try await harness.store.tags(personId: person, workspaceId: harness.workspace.id) == ["复购"] })
                #expect(try await eventually { try await harness.store.dueJourneyInstances(now: .max, limit: 10).isEmpty })

                // The goal: a review within 7 days converts both entries.
                let review =
                    #"{"type": "track", "userId": "u1", "event": "Review Submitted", "messageId": "r1", "timestamp": "2024-05-02T01:00:00Z"}"#
                _ = try await client.send("/v1/batch", #"{"batch": [\#(review)]}"#, harness)
                #expect(
                    try await eventually {
                        try await harness.store.journeyGoalCounts(journeyId: id, workspaceId: harness.workspace.id).treatedConverted == 2
                    }
                )
                let report = try await shop.get(client, harness, "/api/v1/journeys/\(id)/report")
                #expect(report.json["goal"]?["treated"] == 2 && report.json["goal"]?["treatedConverted"] == 2)
                // No holdout: no difference to show.
                #expect(report.json["goal"]?["difference"] == nil)
                // Per node: thanks passed 2, wait waiting 2 then passed 2, vip passed 2, tagVip passed 2, done exited 2.
                let counts = (report.json["counts"]?.arrayValue ?? []).map {
                    "\($0["node"]?.stringValue ?? "") \($0["outcome"]?.stringValue ?? "") \($0["people"]?.int64Value ?? 0)"
                }
                #expect(Set(counts) == ["thanks passed 2", "wait waiting 2", "wait passed 2", "vip passed 2", "tagVip passed 2", "done exited 2"])
                // The outbox: two webhook rows and two tag rows, all delivered.
                #expect(
                    try await eventually {
                        try await harness.store.outboxMessages(workspaceId: harness.workspace.id, status: .delivered, limit: 10).count == 4
                    }
                )
                let outbox = try await shop.get(client, harness, "/api/v1/outbox")
                #expect((outbox.json["messages"]?.arrayValue ?? []).map { $0["status"] } == ["delivered", "delivered", "delivered", "delivered"])
            }
        }
    }

    @Test func problemsAreNamedAndAPublishWithProblemsIsRefused() async throws {
        try await ServerHarness.run { client, harness in
            let broken = #"""
                {"name": "broken", "definition": {"entry": {"segment": 1}, "start": "a", "nodes": [
                    {"id": "a", "delay": {"value": 2, "unit": "hour"}, "next": "nowhere"},
                    {"id": "b", "condition": {"tag": "vip"}, "yes": "b2"},
                    {"id": "c", "delay": {"value": 1, "unit": "day"}, "action": {"addTag": "x"}, "next": "a"}
                ]}}
                """#
            let created = try await shop.post(client, harness, "/api/v1/journeys", broken)
            #expect(created.status == .created)
            let fields = Set((created.json["problems"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            // b lacks `no`; c is two kinds at once; a links to a node that does not exist (found once the nodes read).
            #expect(fields == ["definition.nodes[1].no", "definition.nodes[2]"])
            let id = try #require(created.json["id"]?.int64Value)
            let refused = try await shop.post(client, harness, "/api/v1/journeys/\(id)/publish", "")
            #expect(refused.status == .badRequest)
            #expect(fields.contains(refused.json["error"]?["field"]?.stringValue ?? ""))
            // Fixed nodes, but a link to nowhere and a loop that never waits.
            let loop = #"""
                {"definition": {"entry": {"segment": 1}, "start": "a", "nodes": [
                    {"id": "a", "condition": {"tag": "vip"}, "yes": "b", "no": "nowhere"},
                    {"id": "b", "action": {"addTag": "x"}, "next": "a"}
                ]}}
                """#
            let edited = try await client.execute(
                uri: "/api/v1/journeys/\(id)",
                method: .patch,
                headers: harness.bearer + [.contentType: "application/json"],
                body: ByteBuffer(string: loop)
            )
            let messages = (edited.json["problems"]?.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
            #expect(messages.contains { $0.contains("`nowhere`, which does not exist") })
            #expect(messages.contains { $0.contains("never waits") })
            // An unfinished shape is saved with its problems; a value the contract does not allow is refused.
            let unfinished = try await shop.post(
                client,
                harness,
                "/api/v1/journeys",
                #"{"name": "x", "definition": {"entry": {}, "start": "a", "nodes": [{"id": "a", "exit": {}}]}}"#
            )
            #expect(unfinished.status == .created)
            #expect((unfinished.json["problems"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue } == ["definition.entry"])
            for (definition, field) in [
                (#"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "exit": {}}], "holdout": 2}"#, "definition.holdout"),
                (#"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a b", "exit": {}}]}"#, "definition.nodes[0].id"),
                (
                    #"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "action": {"addTag": "\#(String(repeating: "长", count: 65))"}, "exit": {}}]}"#,
                    "definition.nodes[0].action.addTag"
                ),
                (#"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "delay": 200000, "next": "a"}]}"#, "definition.nodes[0].delay"),
                (
                    #"{"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "split": [{"weight": 1, "next": "a"}]}]}"#,
                    "definition.nodes[0].split"
                ),
            ] {
                let refused = try await shop.post(client, harness, "/api/v1/journeys", #"{"name": "bad", "definition": \#(definition)}"#)
                #expect(refused.status == .badRequest && refused.json["error"]?["field"] == .string(field), "\(definition): \(refused.json)")
            }
            let unknown = try await shop.post(
                client,
                harness,
                "/api/v1/journeys",
                #"{"name": "y", "definition": {"entry": {"segment": 1}, "start": "a", "nodes": [{"id": "a", "exit": {}, "sleep": 1}]}}"#
            )
            #expect(unknown.status == .badRequest && unknown.json["error"]?["field"] == "definition.nodes[0].sleep")
            // Status moves: a draft cannot be paused; an unknown journey is a 404.
            #expect(try await shop.post(client, harness, "/api/v1/journeys/\(id)/pause", "").status == .conflict)
            #expect(try await shop.post(client, harness, "/api/v1/journeys/999/pause", "").status == .notFound)
        }
    }

    /// The demo brand's four journeys read without a problem, each entering the way its comment says.
    @Test func theDemoJourneysReadWithoutProblems() throws {
        let workspace = Workspace(id: 1, name: "demo", timeZone: "Asia/Shanghai", currency: "CNY", salt: "s", createdAt: 0)
        let reader = JourneyReader(context: try QueryContext(workspace: workspace, now: serverNow))
        var entries: [String] = []
        for (name, json) in DemoSetup.journeys(.init(thanks: 1, vipAlert: 2, winBack: 3, birthday: 4)) {
            let definition = try JSONDecoder().decode(Components.Schemas.JourneyDefinition.self, from: Data(json.utf8))
            let read = reader.read(definition, id: 1, version: 1)
            #expect(read.problems.isEmpty, "\(name): \(read.problems)")
            let entry = try #require(read.journey).entry
            switch entry {
            case .event(let matcher, _): entries.append("event " + (matcher.event ?? ""))
            case .label(let scheme, let values): entries.append("label \(scheme) \(values.joined(separator: ","))")
            case .segment(let id): entries.append("segment \(id)")
            }
        }
        #expect(entries == ["event Order Completed", "label rfm8 importantWinBack", "label value.churn red", "label journey purchase,loyalty"])
    }

    @Test func aDryRunShowsThePathAndTheActions() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)  // u1 has two orders, u3 one
            let created = try await shop.post(client, harness, "/api/v1/journeys", Self.careJourney("http://127.0.0.1:1"))
            let id = try #require(created.json["id"]?.int64Value)
            let people = try #require(
                try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: harness.workspace.id)
            )
            let test = try await shop.post(client, harness, "/api/v1/journeys/\(id)/test", #"{"personId": \#(people)}"#)
            #expect(test.status == .ok, "\(test.json)")
            #expect((test.json["steps"]?.arrayValue ?? []).map { $0["node"] } == ["thanks", "wait", "wait", "vip", "tagVip", "done"])
            #expect((test.json["actions"]?.arrayValue ?? []).compactMap { $0["node"]?.stringValue } == ["thanks", "tagVip"])
            #expect(test.json["heldOut"] == false)
            // Nothing was stored or sent.
            #expect(try await harness.store.outboxMessages(workspaceId: harness.workspace.id, status: nil, limit: 10).isEmpty)
            #expect(try await shop.post(client, harness, "/api/v1/journeys/\(id)/test", #"{"personId": 987654}"#).status == .notFound)
        }
    }
}
