import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SiyuCore
import SiyuMessaging
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// Staff tasks: an outbox row of the `task` channel becomes one task however often it is delivered;
/// the admin API lists and confirms them, only in their own workspace.
@Suite struct StaffTaskAPITests {
    /// A published journey with one person inside whose walk asked for a staff task: the outbox row,
    /// not yet delivered (2024-05-01T10:00Z is due, 10 hours after the clock's 00:00Z).
    static func taskRow(
        _ harness: ServerHarness,
        title: String = "回访：询问饮用体验",
        personId: Int64 = 42,
        journeyName: String = "下单关怀"
    ) async throws -> OutboxMessage {
        let store = harness.store
        let workspace = harness.workspace.id
        let definition = #"{"entry": {"segment": 1}, "start": "call", "nodes": [{"id": "call", "action": {"task": {"title": "x"}}}]}"#
        let journey = try await store.createJourney(workspaceId: workspace, name: journeyName, definition: definition)
        _ = try await store.publishJourney(id: journey.id, workspaceId: workspace)
        let instance = try #require(
            try await store.enterJourney(
                workspaceId: workspace,
                journeyId: journey.id,
                version: 1,
                start: "call",
                entrants: [JourneyEntrant(personId: personId, entryKey: "p\(personId)", heldOut: false)],
                oneAtATime: false,
                // Entered "in 30 days": not due for the server's own journey job, which would walk it and ask for a task of its own.
                now: serverNow + 30 * 86_400_000
            ).first
        )
        let payload: JSONObject = [
            "title": .string(title), "assignee": "客服组", "dueAt": "2024-05-01T10:00:00.000Z", "journey": .int(journey.id),
            "person": .int(personId),
        ]
        let key = "journey:\(journey.id):v1:i\(instance.id):s0:0:call"
        let advance = JourneyAdvance(
            instanceId: instance.id,
            fromStep: instance.step,
            node: "call",
            state: .exited,
            dueAt: nil,
            waitKey: nil,
            counts: [("call", "passed")],
            outbox: [
                OutboxDraft(
                    key: key,
                    channel: "task",
                    payload: JSONWriter.string(.object(payload)),
                    notBefore: serverNow,
                    journeyId: journey.id,
                    personId: personId
                )
            ],
            now: serverNow
        )
        #expect(try await store.advanceJourney(advance))
        return try #require(try await store.outboxMessages(workspaceId: workspace, status: nil, limit: 100).first { $0.key == key })
    }

    @Test(arguments: TestStoreKind.available)
    func aTaskRowDeliveredTwiceIsOneTaskThatIsConfirmedOnce(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let shop = TrackingAPITests()
            let row = try await Self.taskRow(harness)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let delivery = OutboxDelivery(store: harness.store, clock: { serverNow }, logger: logger)
            // Delivered twice (a row claimed again after its lease ran out; the server's own job may deliver it too).
            for _ in 0..<2 {
                guard case .delivered(let response) = await delivery.attempt(row, secret: nil) else {
                    Issue.record("a task row is delivered")
                    return
                }
                #expect(response.text.hasPrefix("staff task "))
            }
            let list = try await shop.get(client, harness, "/api/v1/tasks")
            #expect(list.status == .ok)
            let tasks = list.json["tasks"]?.arrayValue ?? []
            #expect(tasks.count == 1)
            let task = try #require(tasks.first)
            #expect(task["title"] == "回访：询问饮用体验" && task["assignee"] == "客服组" && task["status"] == "open")
            // The payload's due time, read back: 2024-05-01T10:00Z.
            #expect(task["dueAt"] == "2024-05-01T10:00:00.000Z")
            #expect(task["key"] == .string(row.key) && task["personId"] == 42 && task["journeyId"] == .int(row.journeyId ?? 0))
            let id = try #require(task["id"]?.int64Value)

            // Another workspace's token sees no such task.
            let beta = try await harness.store.createWorkspace(name: "beta", timeZone: "Asia/Shanghai", currency: "CNY")
            let betaHeaders: HTTPFields = [.authorization: "Bearer " + beta.adminToken, .contentType: "application/json"]
            let foreign = try await client.execute(
                uri: "/api/v1/tasks/\(id)/confirm",
                method: .post,
                headers: betaHeaders,
                body: ByteBuffer(string: #"{"status": "done"}"#)
            )
            #expect(foreign.status == .notFound)
            #expect((try await client.execute(uri: "/api/v1/tasks", method: .get, headers: betaHeaders)).json["tasks"] == [])

            // Bounds: a note past 1,000 characters, a status that is not a confirmation, an unknown field.
            let long = try await shop.post(
                client,
                harness,
                "/api/v1/tasks/\(id)/confirm",
                #"{"status": "done", "note": "\#(String(repeating: "长", count: 1001))"}"#
            )
            #expect(long.status == .badRequest && long.json["error"]?["field"] == "note")
            #expect(try await shop.post(client, harness, "/api/v1/tasks/\(id)/confirm", #"{"status": "open"}"#).status == .badRequest)
            #expect(try await shop.post(client, harness, "/api/v1/tasks/\(id)/confirm", #"{"status": "done", "x": 1}"#).status == .badRequest)
            #expect(try await shop.get(client, harness, "/api/v1/tasks?limit=0").status == .badRequest)

            let done = try await shop.post(client, harness, "/api/v1/tasks/\(id)/confirm", #"{"status": "done", "note": "已回访，客户满意"}"#)
            #expect(done.status == .ok)
            #expect(done.json["status"] == "done" && done.json["note"] == "已回访，客户满意" && done.json["confirmedBy"] == "admin API")
            #expect(done.json["confirmedAt"] == "2024-05-01T00:00:00.000Z")
            // Once only; the filter finds it among the done ones.
            #expect(try await shop.post(client, harness, "/api/v1/tasks/\(id)/confirm", #"{"status": "dismissed"}"#).status == .conflict)
            #expect((try await shop.get(client, harness, "/api/v1/tasks?status=open")).json["tasks"] == [])
            #expect(((try await shop.get(client, harness, "/api/v1/tasks?status=done")).json["tasks"]?.arrayValue ?? []).count == 1)
            #expect(try await shop.post(client, harness, "/api/v1/tasks/999999/confirm", #"{"status": "done"}"#).status == .notFound)
        }
    }
}
