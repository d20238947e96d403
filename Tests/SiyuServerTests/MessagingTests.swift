import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import SiyuCore
import SiyuMessaging
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// Messages from templates through the outbox, delivered by the server's own job on a clock the
/// test moves: the person's language and data, quiet hours in each person's zone, caps that skip
/// or defer, subscription groups with the unsubscribe page and the `Unsubscribed` event.
@Suite struct MessagingTests {
    let shop = TrackingAPITests()

    func call(
        _ client: some TestClientProtocol,
        _ harness: ServerHarness,
        _ method: HTTPRequest.Method,
        _ path: String,
        _ json: String = ""
    ) async throws -> TestResponse {
        var headers = harness.bearer
        headers[.contentType] = "application/json"
        return try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: json))
    }

    /// At most 30 s for a state the server's job reaches (a hang guard, not a speed check).
    func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<300 {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    static let hour: Int64 = 3_600_000

    @Test(arguments: TestStoreKind.available)
    func smsMessagesWaitForQuietHoursToEndInEachPersonsZoneAndCapsSkipOrDefer(_ kind: TestStoreKind) async throws {
        // 2024-05-01T13:30Z: 21:30 in Shanghai (UTC+8) and 06:30 in Los Angeles (UTC−7 in May) — quiet in both.
        let clock = ManagedClock(serverNow + 27 * Self.hour / 2)
        let test = JourneyAPITests()
        try await test.withReceiver { url, log in
            try await ServerHarness.run(store: kind, clock: clock.read) { client, harness in
                let people = #"""
                    {"batch": [
                      {"type": "identify", "userId": "u1", "messageId": "i1", "timestamp": "2024-04-01T00:00:00Z",
                       "traits": {"name": "王芳", "phone": "13800000001", "timezone": "Asia/Shanghai", "language": "zh-CN"}},
                      {"type": "identify", "userId": "u2", "messageId": "i2", "timestamp": "2024-04-01T00:00:00Z",
                       "traits": {"name": "Ann", "phone": "+12065550100", "timezone": "America/Los_Angeles", "language": "en-US"}}
                    ]}
                    """#
                #expect(try await client.send("/v1/batch", people, harness).json["stored"] == 2)
                // Profiles keep phones masked (138****0001); messages read them from the contact vault, in E.164
                // form (a mainland mobile number gets +86).
                let contacts = try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/contacts",
                    #"{"contacts": [{"userId": "u1", "phone": "138 0000 0001"}, {"userId": "u2", "phone": "+1 206-555-0100"}, {"userId": "nobody", "phone": "1"}]}"#
                )
                #expect(contacts.status == .badRequest && contacts.json["error"]?["field"] == "contacts[2].phone")
                let loaded = try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/contacts",
                    #"{"contacts": [{"userId": "u1", "phone": "138 0000 0001"}, {"userId": "u2", "phone": "+1 206-555-0100"}, {"userId": "nobody", "phone": "+86 139 0000 0000"}]}"#
                )
                #expect(loaded.json["saved"] == 2 && loaded.json["unknownSample"] == ["nobody"])
                let settings = try await call(
                    client,
                    harness,
                    .put,
                    "/api/v1/messaging/settings",
                    #"{"sms": {"url": "\#(url)/sms", "bearerToken": "t0ken"}, "caps": {"sms": {"perDay": 1}}, "publicURL": "https://siyu.example.com/"}"#
                )
                #expect(settings.status == .ok, "\(settings.json)")
                // The token is a secret: answered masked.
                #expect(settings.json["sms"]?["bearerToken"] == "****")
                let group = try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/subscription-groups",
                    #"{"name": "促销", "channel": "sms", "optIn": false}"#
                )
                #expect(group.status == .created)
                let groupId = try #require(group.json["id"]?.int64Value)
                let created = try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/templates",
                    #"""
                    {"name": "发货", "channel": "sms", "group": \#(groupId), "defaultLanguage": "zh-CN", "variants": {
                      "zh-CN": {"text": "{{traits.name}}，您的订单 {{event.order_id}} 已发货"},
                      "en": {"text": "Hi {{traits.name}}, order {{event.order_id}} shipped"}}}
                    """#
                )
                #expect(created.status == .created, "\(created.json)")
                let template = try #require(created.json["id"]?.int64Value)
                let store = harness.store
                let workspace = harness.workspace.id
                let u1 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: workspace))
                let u2 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u2"), workspaceId: workspace))
                func enqueue(_ key: String, _ person: Int64, whenCapped: String = "skip") async throws {
                    let payload = #"{"template": \#(template), "event": {"order_id": "A1"}, "whenCapped": "\#(whenCapped)"}"#
                    try await store.enqueueOutbox(
                        workspaceId: workspace,
                        [OutboxDraft(key: key, channel: "sms", payload: payload, notBefore: 0, journeyId: nil, personId: person)],
                        now: clock.value
                    )
                }
                func row(_ key: String) async throws -> OutboxMessage? {
                    try await store.outboxMessages(workspaceId: workspace, status: nil, limit: 100).first { $0.key == key }
                }

                // Quiet hours (21:00–09:00 by default) hold both: until 09:00 Shanghai = 01:00Z on 2 May, and 09:00 in
                // Los Angeles = 16:00Z on 1 May. A deferral is not an attempt.
                try await enqueue("a", u1)
                try await enqueue("b", u2)
                let may2 = serverNow + 24 * Self.hour
                #expect(try await eventually { try await row("a")?.dueAt == may2 + Self.hour })
                #expect(try await eventually { try await row("b")?.dueAt == serverNow + 16 * Self.hour })
                let held = try await row("a")
                #expect(held?.attempts == 0 && held?.status == .pending)
                #expect(await log.requests.isEmpty)

                // 16:00Z: Ann's goes, in English, with her data and the entering event's order id.
                clock.value = serverNow + 16 * Self.hour
                #expect(try await eventually { try await row("b")?.status == .delivered })
                var requests = await log.requests
                #expect(requests.count == 1)
                let first = try JSONParser.parse(requests[0].body)
                #expect(first["to"] == "+12065550100" && first["text"] == "Hi Ann, order A1 shipped")
                #expect(requests[0].headers["authorization"] == "Bearer t0ken")
                #expect(try await row("a")?.status == .pending)

                // 01:00Z on 2 May: 王芳's goes, in Chinese.
                clock.value = may2 + Self.hour
                let sentA = try await eventually { try await row("a")?.status == .delivered }
                let stateA = try await row("a")
                #expect(sentA, "\(String(describing: stateA))")
                requests = await log.requests
                #expect(requests.count == 2)
                try #require(requests.count == 2)
                let second = try JSONParser.parse(requests[1].body)
                #expect(second["to"] == "+8613800000001" && second["text"] == "王芳，您的订单 A1 已发货")

                // A second message the same local day passes the cap of 1 a day: skipped (said why, never sent).
                try await enqueue("c", u1)
                #expect(try await eventually { try await row("c")?.status == .skipped })
                #expect(try await row("c")?.response?.contains("cap") == true)
                // For Ann it is 18:00 on 1 May, the day her first went: deferred to her next midnight (07:00Z on 2 May)…
                try await enqueue("d", u2, whenCapped: "defer")
                #expect(try await eventually { try await row("d")?.dueAt == may2 + 7 * Self.hour })
                // … which is inside her quiet hours: held again until 09:00 there, 16:00Z.
                clock.value = may2 + 7 * Self.hour
                #expect(try await eventually { try await row("d")?.dueAt == may2 + 16 * Self.hour })
                clock.value = may2 + 16 * Self.hour
                #expect(try await eventually { try await row("d")?.status == .delivered })
                #expect(await log.requests.count == 3)

                // The unsubscribe page: the link is signed for this person and group; another person's id fails.
                let secret = try #require(try await store.settings(workspaceId: workspace)[UnsubscribeLink.secretKey]?.stringValue)
                let token = UnsubscribeLink.token(.init(workspaceId: workspace, groupId: groupId, personId: u1), secret: secret)
                let page = try await client.execute(uri: "/u/\(token)", method: .get, headers: [.acceptLanguage: "zh-CN"])
                #expect(page.status == .ok)
                #expect(String(buffer: page.body).contains("您正在接收「促销」"))
                let forged = token.replacingOccurrences(of: ".\(u1).", with: ".\(u2).")
                #expect(try await client.execute(uri: "/u/\(forged)", method: .post, headers: [:]).status == .notFound)
                // A mail client's one-click POST (RFC 8058).
                let oneClick = try await client.execute(
                    uri: "/u/\(token)",
                    method: .post,
                    headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "List-Unsubscribe=One-Click")
                )
                #expect(oneClick.status == .ok)
                #expect(String(buffer: oneClick.body).contains("您将不再收到「促销」"))
                // The next day (10:00 Shanghai, 3 May), a new message for 王芳 is skipped: she left the group.
                clock.value = may2 + 26 * Self.hour
                try await enqueue("e", u1)
                #expect(try await eventually { try await row("e")?.status == .skipped })
                #expect(try await row("e")?.response == "not subscribed to 促销")
                // Ann unsubscribes by event, naming the group.
                let unsubscribed =
                    #"{"type": "track", "userId": "u2", "event": "Unsubscribed", "messageId": "un1", "timestamp": "2024-05-03T02:00:00Z", "properties": {"group": "促销"}}"#
                #expect(try await client.send("/v1/batch", #"{"batch": [\#(unsubscribed)]}"#, harness).json["stored"] == 1)
                #expect(
                    try await eventually {
                        try await call(client, harness, .get, "/api/v1/people/\(u2)/subscriptions").json["subscriptions"]?.arrayValue?.first?[
                            "admitted"
                        ] == false
                    }
                )
                let after = try await call(client, harness, .get, "/api/v1/people/\(u2)/subscriptions")
                #expect(after.json["subscriptions"]?.arrayValue?.first?["source"] == "event")
                #expect(await log.requests.count == 3)
            }
        }
    }

    @Test(arguments: TestStoreKind.available)
    func templatesAreCheckedPreviewedWithARealPersonAndKeepTheirChannel(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let person =
                #"{"type": "identify", "userId": "u9", "messageId": "i9", "timestamp": "2024-04-01T00:00:00Z", "traits": {"name": "<Li>", "email": "li@example.com"}}"#
            #expect(try await client.send("/v1/batch", #"{"batch": [\#(person)]}"#, harness).json["stored"] == 1)
            let id = try #require(
                try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, "u9"), workspaceId: harness.workspace.id)
            )
            // An e-mail needs a subject; a template must parse; sections nest at most three deep.
            for (body, field) in [
                (#"{"name": "x", "channel": "email", "defaultLanguage": "en", "variants": {"en": {"text": "hi"}}}"#, nil as String?),
                (#"{"name": "x", "channel": "sms", "defaultLanguage": "en", "variants": {"en": {"text": "{{#a}}unclosed"}}}"#, "variants.en"),
                (
                    #"{"name": "x", "channel": "sms", "defaultLanguage": "en", "variants": {"en": {"text": "{{#a}}{{#b}}{{#c}}{{#d}}x{{/d}}{{/c}}{{/b}}{{/a}}"}}}"#,
                    "variants.en"
                ),
                (#"{"name": "x", "channel": "sms", "defaultLanguage": "zh-CN", "variants": {"en": {"text": "hi"}}}"#, nil),
            ] {
                let refused = try await call(client, harness, .post, "/api/v1/templates", body)
                #expect(refused.status == .badRequest, "\(body)")
                if let field { #expect(refused.json["error"]?["field"] == .string(field)) }
            }
            let created = try await call(
                client,
                harness,
                .post,
                "/api/v1/templates",
                #"""
                {"name": "Welcome", "channel": "email", "defaultLanguage": "en", "variants": {"en": {
                  "subject": "Welcome, {{traits.name}}", "text": "Hello {{traits.name}}{{#tags}} [{{.}}]{{/tags}}",
                  "html": "<p>Hello {{traits.name}}, order {{event.order_id}}</p>"}}}
                """#
            )
            #expect(created.status == .created, "\(created.json)")
            let template = try #require(created.json["id"]?.int64Value)
            _ = try await harness.store.setTags(personId: id, workspaceId: harness.workspace.id, add: ["vip"], remove: [])
            let preview = try await call(
                client,
                harness,
                .post,
                "/api/v1/templates/\(template)/preview",
                #"{"personId": \#(id), "event": {"order_id": "A&1"}}"#
            )
            // Text is not escaped; HTML escapes every variable: < > & become entities.
            #expect(preview.json["subject"] == "Welcome, <Li>")
            #expect(preview.json["text"] == "Hello <Li> [vip]")
            #expect(preview.json["html"] == "<p>Hello &lt;Li&gt;, order A&amp;1</p>")
            // The profile holds the address masked; without a loaded contact there is no recipient.
            #expect(preview.json["to"] == nil)
            _ = try await call(client, harness, .post, "/api/v1/contacts", #"{"contacts": [{"personId": \#(id), "email": "li@example.com"}]}"#)
            let sealed = try #require(try await harness.store.contacts(personId: id, workspaceId: harness.workspace.id)["email"])
            #expect(!sealed.contains("li@example.com"))
            let again = try await call(client, harness, .post, "/api/v1/templates/\(template)/preview", #"{"personId": \#(id)}"#)
            #expect(again.json["to"] == "li@example.com")
            // The channel stays; another workspace's person is not found.
            let moved = try await call(
                client,
                harness,
                .put,
                "/api/v1/templates/\(template)",
                #"{"name": "Welcome", "channel": "sms", "defaultLanguage": "en", "variants": {"en": {"text": "hi"}}}"#
            )
            #expect(moved.status == .conflict)
            #expect(try await call(client, harness, .post, "/api/v1/templates/\(template)/preview", #"{"personId": 999999}"#).status == .notFound)
            // An unsubscribe list as a CSV: u9 is matched and leaves the opt-out group; an unknown user id is counted.
            let group = try await call(
                client,
                harness,
                .post,
                "/api/v1/subscription-groups",
                #"{"name": "Newsletter", "channel": "email", "optIn": false}"#
            )
            let groupId = try #require(group.json["id"]?.int64Value)
            var headers = harness.bearer
            headers[.contentType] = "text/csv"
            let imported = try await client.execute(
                uri: "/api/v1/subscription-groups/\(groupId)/import?subscribed=false",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "userId\nu9\nghost\n")
            )
            #expect(imported.json["matched"] == 1 && imported.json["changed"] == 1 && imported.json["unknownSample"] == ["ghost"])
            let choices = try await call(client, harness, .get, "/api/v1/people/\(id)/subscriptions")
            #expect(choices.json["subscriptions"]?.arrayValue?.first?["admitted"] == false)
            #expect(choices.json["subscriptions"]?.arrayValue?.first?["source"] == "csv")
            // A group a template uses cannot be deleted.
            _ = try await call(
                client,
                harness,
                .post,
                "/api/v1/templates",
                #"{"name": "News", "channel": "email", "group": \#(groupId), "defaultLanguage": "en", "variants": {"en": {"subject": "N", "text": "n"}}}"#
            )
            #expect(try await call(client, harness, .delete, "/api/v1/subscription-groups/\(groupId)").status == .conflict)
            // Settings: a bad SMTP address names its field; secrets are masked and kept when sent back masked.
            let bad = try await call(client, harness, .put, "/api/v1/messaging/settings", #"{"email": {"smtp": "ftp://x", "from": "a@b.c"}}"#)
            #expect(bad.status == .badRequest && bad.json["error"]?["field"] == "email.smtp")
            let saved = try await call(
                client,
                harness,
                .put,
                "/api/v1/messaging/settings",
                #"{"email": {"smtp": "smtp://u:s3cret@mail.example.com:587", "from": "Brand <no-reply@example.com>"}}"#
            )
            #expect(saved.json["email"]?["smtp"] == "smtp://u:****@mail.example.com:587")
            _ = try await call(client, harness, .put, "/api/v1/messaging/settings", JSONWriter.string(saved.json))
            let kept = try await harness.store.settings(workspaceId: harness.workspace.id)[MessagingSettings.key]?["email"]?["smtp"]
            #expect(kept == "smtp://u:s3cret@mail.example.com:587")
            #expect(
                try await call(client, harness, .get, "/api/v1/messaging/settings").json["email"]?["smtp"] == "smtp://u:****@mail.example.com:587"
            )
        }
    }
}

extension MessagingTests {
    /// A journey's message action sent as e-mail to a real local SMTP server (aiosmtpd, STARTTLS and AUTH):
    /// the template's zh-CN variant with the person's data and the order that started the journey, a
    /// working one-click unsubscribe link, and the row kept under the template's channel.
    @Test(.enabled(if: TestPython.isEnabled), arguments: TestStoreKind.available)
    func aJourneysMessageGoesByEmailWithAnUnsubscribeLink(_ kind: TestStoreKind) async throws {
        let receiver = try await SMTPReceiverProcess.start(tls: "starttls", auth: "required", ehlo: true)
        defer { receiver.stop() }
        // 02:00Z is 10:00 in Shanghai: outside quiet hours.
        let clock = ManagedClock(serverNow + 2 * Self.hour)
        try await ServerHarness.run(store: kind, clock: clock.read) { client, harness in
            let smtp =
                "smtp://\(SMTPReceiverProcess.username):\(SMTPReceiverProcess.password)@127.0.0.1:\(receiver.port)?starttls=required&ca=\(receiver.caPath)"
            let settings = try await call(
                client,
                harness,
                .put,
                "/api/v1/messaging/settings",
                #"{"email": {"smtp": "\#(smtp)", "from": "品牌 <brand@example.com>"}, "publicURL": "https://siyu.example.com"}"#
            )
            #expect(settings.status == .ok, "\(settings.json)")
            let group = try await call(
                client,
                harness,
                .post,
                "/api/v1/subscription-groups",
                #"{"name": "会员通知", "channel": "email", "optIn": false}"#
            )
            let groupId = try #require(group.json["id"]?.int64Value)
            let template = try #require(
                try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/templates",
                    #"""
                    {"name": "订单确认", "channel": "email", "group": \#(groupId), "defaultLanguage": "en", "variants": {
                      "zh-CN": {"subject": "订单 {{event.order_id}} 已确认", "text": "{{traits.name}}，感谢您的订单。退订：{{unsubscribeURL}}"},
                      "en": {"subject": "Order {{event.order_id}} confirmed", "text": "Thanks, {{traits.name}}."}}}
                    """#
                ).json["id"]?.int64Value
            )
            let journey = try await call(
                client,
                harness,
                .post,
                "/api/v1/journeys",
                #"""
                {"name": "订单确认", "definition": {"entry": {"event": {"event": "Order Completed"}, "key": "order_id"}, "start": "mail",
                  "nodes": [{"id": "mail", "action": {"message": {"template": \#(template)}}}]}}
                """#
            )
            #expect(journey.json["problems"] == [], "\(journey.json)")
            let id = try #require(journey.json["id"]?.int64Value)
            #expect(try await call(client, harness, .post, "/api/v1/journeys/\(id)/publish").json["status"] == "active")
            let identify =
                #"{"type": "identify", "userId": "u1", "messageId": "i1", "timestamp": "2024-04-01T00:00:00Z", "traits": {"name": "王芳", "language": "zh-CN"}}"#
            _ = try await client.send("/v1/batch", #"{"batch": [\#(identify)]}"#, harness)
            _ = try await call(client, harness, .post, "/api/v1/contacts", #"{"contacts": [{"userId": "u1", "email": "wang.fang@example.com"}]}"#)
            let order =
                #"{"type": "track", "userId": "u1", "event": "Order Completed", "messageId": "o1", "timestamp": "2024-05-01T02:00:00Z", "properties": {"order_id": "A9"}}"#
            _ = try await client.send("/v1/batch", #"{"batch": [\#(order)]}"#, harness)

            #expect(try await eventually { try receiver.messages().count == 1 })
            let mail = try #require(try receiver.messages().first)
            #expect(mail.rcpt_tos == ["wang.fang@example.com"] && mail.tls && mail.authenticated)
            #expect(mail.subject == "订单 A9 已确认" && mail.from_name == "品牌")
            #expect(mail.list_unsubscribe_post == "List-Unsubscribe=One-Click")
            let link = try #require(mail.list_unsubscribe?.dropFirst().dropLast())
            #expect(link.hasPrefix("https://siyu.example.com/u/\(harness.workspace.id).\(groupId)."))
            #expect(mail.text?.contains("王芳，感谢您的订单。退订：\(link)") == true)
            // The row is marked delivered once the server's reply is in (just after the receiver logged the mail).
            #expect(
                try await eventually {
                    try await !harness.store.outboxMessages(workspaceId: harness.workspace.id, status: .delivered, limit: 10).isEmpty
                }
            )
            let rows = try await harness.store.outboxMessages(workspaceId: harness.workspace.id, status: .delivered, limit: 10)
            #expect(rows.map(\.channel) == ["email"])
            // The link works on this server: one POST and the person has left the group.
            let path = String(link.dropFirst("https://siyu.example.com".count))
            #expect(try await client.execute(uri: path, method: .post, headers: [:]).status == .ok)
            let person = try #require(rows.first?.personId)
            let choices = try await harness.store.subscriptions(personId: person, workspaceId: harness.workspace.id)
            #expect(choices.map(\.subscribed) == [false] && choices.map(\.source) == ["link"])
        }
    }
}

extension MessagingTests {
    /// A journey's message to a WeCom group robot: the robot's documented text JSON with the person and
    /// the order, and the robot's `{"errcode":0}` taken as delivered.
    @Test(arguments: TestStoreKind.available)
    func aJourneysMessageGoesToAWeComRobot(_ kind: TestStoreKind) async throws {
        let bodies = Locked<[[UInt8]]>([])
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            bodies.withLock { $0.append(Array(body.readableBytesView)) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"errcode":0,"errmsg":"ok"}"#))
            )
        }
        // 02:00Z is 10:00 in Shanghai: outside quiet hours.
        let clock = ManagedClock(serverNow + 2 * Self.hour)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { robot in
            let url = "http://127.0.0.1:\(try #require(robot.port))/cgi-bin/webhook/send?key=test"
            try await ServerHarness.run(store: kind, clock: clock.read) { client, harness in
                _ = try await call(client, harness, .put, "/api/v1/messaging/settings", #"{"wecomRobot": {"url": "\#(url)"}}"#)
                let template = try #require(
                    try await call(
                        client,
                        harness,
                        .post,
                        "/api/v1/templates",
                        #"{"name": "大额订单", "channel": "wecomRobot", "defaultLanguage": "zh-CN", "variants": {"zh-CN": {"text": "大额订单：{{person.userId}} 下单 {{event.order_id}}"}}}"#
                    ).json["id"]?.int64Value
                )
                let journey = try await call(
                    client,
                    harness,
                    .post,
                    "/api/v1/journeys",
                    #"""
                    {"name": "门店提醒", "definition": {"entry": {"event": {"event": "Order Completed"}, "key": "order_id"}, "start": "alert",
                      "nodes": [{"id": "alert", "action": {"message": {"template": \#(template)}}}]}}
                    """#
                )
                let id = try #require(journey.json["id"]?.int64Value)
                #expect(try await call(client, harness, .post, "/api/v1/journeys/\(id)/publish").json["status"] == "active")
                let order =
                    #"{"type": "track", "userId": "u1", "event": "Order Completed", "messageId": "o7", "timestamp": "2024-05-01T02:00:00Z", "properties": {"order_id": "A7"}}"#
                _ = try await client.send("/v1/batch", #"{"batch": [\#(order)]}"#, harness)
                #expect(try await eventually { bodies.withLock { $0.count } == 1 })
                let posted = try JSONParser.parse(try #require(bodies.withLock { $0.first }))
                #expect(posted["msgtype"] == "text")
                #expect(posted["text"]?["content"] == "大额订单：u1 下单 A7")
                #expect(
                    try await eventually {
                        try await harness.store.outboxMessages(workspaceId: harness.workspace.id, status: .delivered, limit: 10).map(\.channel)
                            == ["wecomRobot"]
                    }
                )
            }
        }
    }
}

extension MessagingTests {
    /// What the contract bounds but the generated decoder does not check is refused by the server,
    /// naming the field, and nothing is stored.
    @Test func inputsOutsideTheContractsBoundsAreRefused() async throws {
        try await ServerHarness.run { client, harness in
            let rows = (0..<1001).map { #"{"userId": "u\#($0)", "phone": "13800000001"}"# }.joined(separator: ",")
            let many = try await call(client, harness, .post, "/api/v1/contacts", #"{"contacts": [\#(rows)]}"#)
            #expect(many.status == .badRequest && many.json["error"]?["field"] == "contacts")
            let long = try await call(
                client,
                harness,
                .post,
                "/api/v1/contacts",
                #"{"contacts": [{"userId": "\#(String(repeating: "u", count: 201))", "phone": "13800000001"}]}"#
            )
            #expect(long.status == .badRequest && long.json["error"]?["field"] == "contacts[0].userId")
            for (body, field) in [
                (#"{"caps": {"sms": {"perDay": 0}}}"#, "caps.sms"),
                (#"{"publicURL": "https://\#(String(repeating: "a", count: 600)).example.com"}"#, "publicURL"),
            ] {
                let refused = try await call(client, harness, .put, "/api/v1/messaging/settings", body)
                #expect(refused.status == .badRequest && refused.json["error"]?["field"] == .string(field), "\(body)")
            }
            #expect(try await harness.store.settings(workspaceId: harness.workspace.id)[MessagingSettings.key] == nil)
        }
    }
}
