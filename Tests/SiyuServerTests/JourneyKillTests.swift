import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuCore
import SiyuStore
import SiyuTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real binary, killed with `kill -9` again and again while a journey sends webhooks and, with
/// Python's aiosmtpd at hand (scripts/test installs it), e-mails to a local SMTP server.
@Suite(.serialized) struct JourneyKillTests {
    /// Every order's messages arrive (none lost), each order has one outbox row per message (never
    /// asked for twice), and a message arrives more than once only when a kill fell between its sending
    /// and the record of it: at most the rows in flight at each kill, all with the same idempotency key
    /// (webhooks) or Message-ID (e-mail), which a receiver uses to drop the repeat (docs/webhooks.md).
    @Test func killMinus9NeitherLosesNorDuplicatesJourneyMessages() async throws {
        let directory = temporaryDirectory("siyu-journey-kill9")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try JSONParser.parse(try ServerProcess.run(["workspace", "create", "shop", "--data-dir", directory, "--json"]))
        let writeKey = try #require(credentials["writeKey"]?.stringValue)
        let adminToken = try #require(credentials["adminToken"]?.stringValue)
        let keys = Locked<[String]>([])
        let router = Router()
        router.post("**") { request, _ -> Response in
            keys.withLock { $0.append(request.headers[HTTPField.Name("X-Siyu-Idempotency-Key")!] ?? "") }
            // A slow receiver (50 ms an answer) keeps deliveries in flight when the kills come.
            try await Task.sleep(for: .milliseconds(50))
            return Response(status: .ok)
        }
        let mail = TestPython.isEnabled ? try await SMTPReceiverProcess.start(tls: "starttls", auth: "required", ehlo: true) : nil
        defer { mail?.stop() }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            let receiver = "http://127.0.0.1:\(try #require(client.port))/orders"
            var server = try ServerProcess(dataDirectory: directory, extraArguments: ["--rate-limit", "0"])
            // With the SMTP server: a transactional e-mail after the webhook, to each customer's loaded address.
            var mailNode = ""
            if let mail {
                let smtp = "smtp://\(SMTPReceiverProcess.username):\(SMTPReceiverProcess.password)@127.0.0.1:\(mail.port)?ca=\(mail.caPath)"
                _ = try await Self.admin(
                    server.baseURL + "/api/v1/messaging/settings",
                    #"{"email": {"smtp": "\#(smtp)", "from": "shop@example.com"}}"#,
                    token: adminToken,
                    method: "PUT"
                )
                let template = try JSONParser.parse(
                    try await Self.admin(
                        server.baseURL + "/api/v1/templates",
                        #"{"name": "receipt", "channel": "email", "transactional": true, "defaultLanguage": "en", "variants": {"en": {"subject": "Order {{event.order_id}}", "text": "Thanks"}}}"#,
                        token: adminToken
                    )
                )
                mailNode = #", {"id": "mail", "action": {"message": {"template": \#(try #require(template["id"]?.int64Value))}}, "next": "done"}"#
            }
            let journey = #"""
                {"name": "thanks", "definition": {"entry": {"event": {"event": "Order Completed"}, "key": "order_id"}, "start": "thanks",
                 "nodes": [{"id": "thanks", "action": {"webhook": {"url": "\#(receiver)"}}, "next": "\#(mail == nil ? "done" : "mail")"},
                   {"id": "done", "exit": {}}\#(mailNode)]}}
                """#
            let created = try JSONParser.parse(try await Self.admin(server.baseURL + "/api/v1/journeys", journey, token: adminToken))
            let id = try #require(created["id"]?.int64Value)
            _ = try await Self.admin(server.baseURL + "/api/v1/journeys/\(id)/publish", "", token: adminToken)

            // 300 orders in six batches by 40 customers, all acknowledged before the kills begin.
            let orders = 300
            if mail != nil {
                let identify = (0..<40).map { #"{"type":"identify","userId":"u\#($0)","messageId":"i\#($0)"}"# }
                _ = try await HTTP.post(
                    server.baseURL + "/v1/batch",
                    body: Data(("{\"batch\":[" + identify.joined(separator: ",") + "]}").utf8),
                    writeKey: writeKey
                )
                let contacts = (0..<40).map { #"{"userId": "u\#($0)", "email": "u\#($0)@example.com"}"# }
                let saved = try JSONParser.parse(
                    try await Self.admin(
                        server.baseURL + "/api/v1/contacts",
                        #"{"contacts": [\#(contacts.joined(separator: ","))]}"#,
                        token: adminToken
                    )
                )
                #expect(saved["saved"] == 40)
            }
            for batch in 0..<6 {
                let items = (0..<50).map { index in
                    let order = batch * 50 + index
                    return
                        #"{"type":"track","event":"Order Completed","userId":"u\#(order % 40)","messageId":"m\#(order)","properties":{"order_id":"\#(order)"}}"#
                }
                let (status, _) = try await HTTP.post(
                    server.baseURL + "/v1/batch",
                    body: Data(("{\"batch\":[" + items.joined(separator: ",") + "]}").utf8),
                    writeKey: writeKey
                )
                #expect(status == 200)
            }
            // Kill the server eight times, each time once it has sent some 25 more messages (so with
            // deliveries in flight), restarting it each time.
            var kills = 0
            var beforeKills: [Int] = []
            for _ in 0..<8 {
                let start = Set(keys.withLock { $0 }).count
                for _ in 0..<300 where Set(keys.withLock { $0 }).count < min(orders, start + 25) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let now = Set(keys.withLock { $0 }).count
                guard now < orders else { break }
                beforeKills.append(now)
                server.kill9()
                kills += 1
                server = try ServerProcess(dataDirectory: directory, extraArguments: ["--rate-limit", "0"])
            }
            // Then let it finish: rows a killed server held go again when their 30 s lease ends (at most
            // 120 s in all: a hang guard, not a speed check).
            for _ in 0..<1200 {
                let delivered = try JSONParser.parse(
                    try await Self.admin(server.baseURL + "/api/v1/outbox?status=delivered&limit=1000", nil, token: adminToken)
                )
                if delivered["messages"]?.arrayValue?.count == orders * (mail == nil ? 1 : 2) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(server.terminate() == 0)

            // The kills came while messages were still going out.
            #expect(kills >= 4 && beforeKills.allSatisfy { $0 > 0 && $0 < orders }, "\(beforeKills)")
            let received = keys.withLock { $0 }
            let distinct = Set(received)
            #expect(distinct.count == orders, "\(distinct.count) of \(orders) orders' messages arrived")
            #expect(distinct.allSatisfy { $0.hasPrefix("journey:\(id):v1:") })
            // A repeat only for a row in flight at a kill (16 are delivered at once).
            #expect(received.count - orders <= kills * 16, "\(received.count) deliveries for \(orders) messages over \(kills) kills")
            print("journey kill -9: \(orders) messages, \(received.count) deliveries over \(kills) kills; delivered before each kill: \(beforeKills)")

            // Every order's e-mail arrived, to its customer; repeats carry the Message-ID of a row in flight at a kill.
            if let mail {
                let mails = try mail.messages()
                let ids = Set(mails.compactMap(\.message_id))
                #expect(ids.count == orders, "\(ids.count) of \(orders) orders' e-mails arrived")
                #expect(Set(mails.map(\.subject)).count == orders)
                #expect(mails.count - orders <= kills * 16, "\(mails.count) e-mails for \(orders) messages over \(kills) kills")
                #expect(mails.allSatisfy { $0.rcpt_tos.count == 1 && $0.rcpt_tos[0].hasSuffix("@example.com") })
                print("journey kill -9: \(orders) e-mails, \(mails.count) received over \(kills) kills")
            }

            // One row per order and message in the outbox, every one delivered; one instance per order.
            let store = try SQLiteStore(directory: directory)
            let workspace = try #require(try await store.workspace(named: "shop"))
            let rows = try await store.outboxMessages(workspaceId: workspace.id, status: nil, limit: 1000)
            let perOrder = mail == nil ? 1 : 2
            #expect(rows.count == orders * perOrder && Set(rows.map(\.key)).count == orders * perOrder)
            #expect(rows.allSatisfy { $0.status == .delivered }, "\(rows.filter { $0.status != .delivered }.prefix(3))")
            #expect(try await store.journeyGoalCounts(journeyId: id, workspaceId: workspace.id).treated == orders)
        }
    }

    /// POSTs JSON to the admin API (GETs without a body); the answer's body.
    static func admin(_ url: String, _ json: String?, token: String, method: String? = nil) async throws -> String {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method ?? (json == nil ? "GET" : "POST")
        request.httpBody = json.map { Data($0.utf8) }
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer " + token, forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        return String(decoding: data, as: UTF8.self)
    }
}
