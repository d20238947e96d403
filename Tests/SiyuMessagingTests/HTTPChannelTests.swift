import AsyncHTTPClient
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuTestSupport
import Testing

@testable import SiyuMessaging

/// The webhook, SMS and WeCom senders against a local receiver with scripted answers (TestReceivers.swift).
@Suite struct HTTPChannelTests {
    let secret = "whsec_live_test_secret_42"
    let sentAt = Date(timeIntervalSince1970: 1_700_000_000)

    /// Runs `body` with the receiver's base URL and its log.
    func withReceiver(_ body: @escaping @Sendable (String, RequestLog) async throws -> Void) async throws {
        let log = RequestLog()
        try await buildReceiver(log: log).test(.live) { client in
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)", log)
        }
    }

    /// A sender to the local receiver; its time limit is generous (a loaded machine answers slowly), and the
    /// tests of the limit give their own.
    func webhook(_ url: String, timeout: Duration = .seconds(30)) -> WebhookSender {
        let sentAt = self.sentAt
        return WebhookSender(endpoint: WebhookEndpoint(url: url, secret: secret, timeout: timeout), now: { sentAt })
    }

    let event = WebhookMessage(event: "journey.step", body: Array(#"{"journey":"welcome","person":"p_1","step":2,"name":"张伟"}"#.utf8))

    @Test func webhooksAreSignedAndCarryTheirIds() async throws {
        let secret = self.secret
        let event = self.event
        try await withReceiver { base, log in
            let attempt = DeliveryAttempt(idempotencyKey: "outbox-17", deliveryId: "d-0001")
            let outcome = await webhook(base + "/hook").send(event, attempt: attempt)
            #expect(outcome == .delivered(ProviderResponse(code: 200, text: "ok")))
            let request = try #require(await log.requests.first)
            #expect(request.body == event.body)
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("X-Siyu-Idempotency-Key") == "outbox-17")
            #expect(request.header("X-Siyu-Delivery") == "d-0001")
            #expect(request.header("X-Siyu-Event") == "journey.step")
            // The signature, recomputed here from what arrived: HMAC-SHA-256 of "1700000000." + body under the secret.
            let signed = Array("1700000000.".utf8) + request.body
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
            let hex = mac.map { String(format: "%02x", $0) }.joined()
            let header = try #require(request.header("X-Siyu-Signature"))
            #expect(header == "t=1700000000,v1=\(hex)")
            // And by the Python snippet docs/webhooks.md gives receivers (Tests/Clients/verify_webhook.py), when there
            // is a Python: valid at the time it was sent, refused ten minutes later (the replay window).
            if TestPython.executable == nil, ProcessInfo.processInfo.environment["SIYU_TEST_REQUIRE_SDKS"] == "1" {
                Issue.record("SIYU_TEST_PYTHON is not set: the Python verification of the signature did not run")
            }
            if TestPython.executable != nil {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-webhook-\(UUID().uuidString).json")
                try Data(request.body).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                #expect(try TestPython.run("verify_webhook.py", [secret, header, file.path, "1700000060"]) == 0)
                #expect(try TestPython.run("verify_webhook.py", [secret, header, file.path, "1700000600"]) == 1)
                #expect(try TestPython.run("verify_webhook.py", ["another-secret-of-some-length", header, file.path, "1700000060"]) == 1)
            }
        }
    }

    @Test func statusesAreClassified() async throws {
        let event = self.event
        try await withReceiver { base, _ in
            func send(_ status: Int) async -> DeliveryOutcome {
                await webhook(base + "/status/\(status)").send(event, attempt: DeliveryAttempt(idempotencyKey: "s\(status)"))
            }
            // 500, 503, 408: retryable; 429: retryable, rate limited, with the receiver's Retry-After of 7 s.
            for status in [500, 503, 408] {
                let outcome = await send(status)
                #expect(outcome.isRetryable && outcome.failure?.response == ProviderResponse(code: status, text: "scripted \(status)"))
            }
            let slowDown = await send(429)
            #expect(slowDown.isRetryable && slowDown.failure?.cause == .rateLimited && slowDown.failure?.retryAfter == .seconds(7))
            // 400, 404, 410: permanent; a redirect is not followed and is permanent too.
            for status in [400, 404, 410] {
                let outcome = await send(status)
                guard case .permanentFailure(let failure) = outcome else {
                    Issue.record("\(status): expected a permanent failure, got \(outcome)")
                    continue
                }
                #expect(failure.cause == .rejected && failure.response?.code == status)
            }
            let moved = await send(301)
            #expect(moved.failure?.cause == .configuration && !moved.isRetryable)
        }
    }

    @Test func timeoutsRefusalsAndLargeAnswersAreBounded() async throws {
        let event = self.event
        try await withReceiver { base, _ in
            // The receiver takes 2 s; the sender gives up after 0.3 s.
            let started = ContinuousClock.now
            let late = await webhook(base + "/slow", timeout: .milliseconds(300)).send(event, attempt: DeliveryAttempt(idempotencyKey: "t"))
            #expect(late.isRetryable && late.failure?.cause == .timeout, "\(late)")
            // The cause proves the time limit ended the wait (the answer would have come at 2 s); a loaded
            // machine may take longer to get there, so this is a hang guard, not a speed check.
            #expect(ContinuousClock.now - started < .seconds(60))
            // 100,000 bytes answered, 4,096 kept.
            let big = await webhook(base + "/big").send(event, attempt: DeliveryAttempt(idempotencyKey: "b"))
            #expect(big == .delivered(ProviderResponse(code: 200, text: String(repeating: "x", count: 4_096))))
        }
        let port = try await closedPort()
        // The client retries a refused connection until the deadline, then reports the refusal.
        let refused = await webhook("http://127.0.0.1:\(port)/hook", timeout: .seconds(1)).send(event, attempt: DeliveryAttempt(idempotencyKey: "r"))
        // Refused until the deadline: reported as the refusal, or (on a loaded machine) as the deadline.
        #expect(refused.isRetryable && [.connection, .timeout].contains(refused.failure?.cause), "\(refused)")
        // Bad configuration and bad messages are permanent, before any connection.
        let ftp = await webhook("ftp://127.0.0.1/hook").send(event, attempt: DeliveryAttempt(idempotencyKey: "f"))
        #expect(ftp.failure?.cause == .configuration && !ftp.isRetryable)
        let weak = await WebhookSender(endpoint: WebhookEndpoint(url: "http://127.0.0.1:\(port)/", secret: "short")).send(
            event,
            attempt: DeliveryAttempt(idempotencyKey: "w")
        )
        #expect(weak.failure?.cause == .configuration)
        let injected = await webhook("http://127.0.0.1:\(port)/").send(event, attempt: DeliveryAttempt(idempotencyKey: "x\r\nX-Evil: 1"))
        #expect(injected.failure?.cause == .invalidMessage)
    }

    @Test func weComRobotErrcodesAreClassified() async throws {
        try await withReceiver { base, log in
            func send(
                _ path: String,
                _ message: WeComRobotMessage = .markdown(content: "**本周** 新增会员 <font color=\"info\">1,234</font>")
            ) async
                -> DeliveryOutcome
            {
                await WeComRobotSender(robot: WeComRobot(url: base + path)).send(message, attempt: DeliveryAttempt(idempotencyKey: "w"))
            }
            let text = WeComRobotMessage.text(content: "广州今日天气：29度", mentionedUserIds: ["wangqing"], mentionedMobiles: ["13800001111", "@all"])
            let ok = await send("/wecom/0", text)
            #expect(ok == .delivered(ProviderResponse(code: 200, text: #"{"errcode":0,"errmsg":"ok"}"#)))
            // The document is the robot's, as its documentation shows it.
            let sent = try #require(await log.requests.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(sent.body)) as? NSDictionary)
            let expected: NSDictionary = [
                "msgtype": "text",
                "text": ["content": "广州今日天气：29度", "mentioned_list": ["wangqing"], "mentioned_mobile_list": ["13800001111", "@all"]],
            ]
            #expect(json == expected)

            let markdown = await send("/wecom/0")
            #expect(markdown.isDelivered)
            let markdownJSON = try #require(try JSONSerialization.jsonObject(with: Data(await log.requests[1].body)) as? NSDictionary)
            #expect(
                markdownJSON == ["msgtype": "markdown", "markdown": ["content": "**本周** 新增会员 <font color=\"info\">1,234</font>"]] as NSDictionary
            )

            let limited = await send("/wecom/45009")
            #expect(limited.isRetryable && limited.failure?.cause == .rateLimited)
            let busy = await send("/wecom/-1")
            #expect(busy.isRetryable)
            let badKey = await send("/wecom/93000")
            #expect(!badKey.isRetryable && badKey.failure?.cause == .rejected && badKey.failure?.reason.contains("93000") == true)
            let notARobot = await send("/html")
            #expect(!notARobot.isRetryable && notARobot.failure?.cause == .configuration)
            let gateway = await send("/status/502")
            #expect(gateway.isRetryable)
            let tooLong = await send("/wecom/0", .text(content: String(repeating: "营", count: 683)))
            #expect(tooLong.failure?.cause == .invalidMessage)
            #expect(await log.requests.count == 7)
        }
    }

    @Test func smsGoesToTheProviderSigned() async throws {
        let secret = self.secret
        let sentAt = self.sentAt
        try await withReceiver { base, log in
            let provider = SMSProvider(url: base + "/sms", secret: secret, bearerToken: "tok-123", sender: "品牌")
            let sender = SMSSender(provider: provider, now: { sentAt })
            let message = SMSMessage(to: "+8613800138000", templateId: "SMS_20240101", templateParameters: ["code": "4821"])
            let outcome = await sender.send(message, attempt: DeliveryAttempt(idempotencyKey: "sms-1", deliveryId: "d-9"))
            #expect(outcome.isDelivered)
            let request = try #require(await log.requests.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? NSDictionary)
            let expected: NSDictionary = [
                "to": "+8613800138000", "sender": "品牌", "template": ["id": "SMS_20240101", "parameters": ["code": "4821"]],
            ]
            #expect(json == expected)
            #expect(request.header("Authorization") == "Bearer tok-123")
            #expect(request.header("X-Siyu-Idempotency-Key") == "sms-1")
            let header = try #require(request.header("X-Siyu-Signature"))
            #expect(WebhookSignature.verify(header: header, body: request.body, secrets: [secret], now: 1_700_000_000))

            let failing = SMSSender(provider: SMSProvider(url: base + "/status/503"))
            #expect(await failing.send(message, attempt: DeliveryAttempt(idempotencyKey: "sms-2")).isRetryable)
            let refusing = SMSSender(provider: SMSProvider(url: base + "/status/422"))
            #expect(!(await refusing.send(message, attempt: DeliveryAttempt(idempotencyKey: "sms-3")).isRetryable))
            let badNumber = await sender.send(SMSMessage(to: "138 0013 8000", text: "hi"), attempt: DeliveryAttempt(idempotencyKey: "sms-4"))
            #expect(badNumber.failure?.cause == .invalidMessage)
        }
    }
}
