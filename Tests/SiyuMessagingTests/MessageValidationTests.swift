import Foundation
import Testing

@testable import SiyuMessaging

@Suite struct MessageValidationTests {
    let from = EmailAddress("news@brand.example", displayName: "Brand")

    func email(to: [EmailAddress] = [EmailAddress("a@example.com")], subject: String = "Hello") -> EmailMessage {
        EmailMessage(from: from, to: to, subject: subject, textBody: "Hello")
    }

    @Test func addressesAreValidated() {
        for good in ["a@example.com", "first.last+tag@mail.example.co", "o'neil@example.org", "x_y-z@sub-domain.example.cn"] {
            #expect(EmailAddress(good).problem == nil, "\(good)")
        }
        let bad = [
            "", "example.com", "@example.com", "a@", "a@localhost", "a..b@example.com", ".a@example.com", "a.@example.com",
            "a b@example.com", "\"a\"@example.com", "a@[192.0.2.1]", "a@1.2.3.4", "a@-example.com", "a@example-.com",
            "张伟@example.com", "a@example..com", String(repeating: "a", count: 65) + "@example.com", "a@b@example.com",
        ]
        for address in bad {
            #expect(EmailAddress(address).problem != nil, "\(address)")
        }
    }

    @Test func lineBreaksInHeadersAreRefusedWithAClearReason() {
        let injected = email(subject: "Hi\r\nBcc: everyone@example.com")
        #expect(injected.problem?.contains("line break") == true)
        let address = email(to: [EmailAddress("a@example.com\r\nRCPT TO:<b@example.com>")])
        #expect(address.problem?.contains("line break") == true)
        let name = email(to: [EmailAddress("a@example.com", displayName: "A\nBcc: b@example.com")])
        #expect(name.problem?.contains("line break") == true)
        var unsubscribe = email()
        unsubscribe.unsubscribeURL = "https://brand.example/u\r\nX-Evil: 1"
        #expect(unsubscribe.problem?.contains("line break") == true)
        unsubscribe.unsubscribeURL = "http://brand.example/u"
        #expect(unsubscribe.problem?.contains("https") == true)
        #expect(email(subject: "nul\u{0}").problem?.contains("control character") == true)
    }

    @Test func aSenderRefusesAnInvalidMessageBeforeConnecting() async {
        // Nothing listens on port 9 here: had the sender tried to connect, the outcome would be retryable.
        let sender = SMTPSender(configuration: SMTPConfiguration(host: "127.0.0.1", port: 9, security: .none))
        let outcome = await sender.send(email(subject: "Hi\r\nBcc: x@example.com"), attempt: DeliveryAttempt(idempotencyKey: "k"))
        guard case .permanentFailure(let failure) = outcome else {
            Issue.record("expected a permanent failure, got \(outcome)")
            return
        }
        #expect(failure.cause == .invalidMessage)
        #expect(failure.reason.contains("line break"))
        let badKey = await sender.send(email(), attempt: DeliveryAttempt(idempotencyKey: "k\r\nX: y"))
        #expect(badKey.failure?.cause == .invalidMessage)
    }

    @Test func weComLimitsAreTheRobotsDocumentedBytes() {
        // 682 Chinese characters are 2,046 bytes of UTF-8; 683 are 2,049, one more than the robot takes.
        #expect(WeComRobotMessage.text(content: String(repeating: "营", count: 682)).problem == nil)
        #expect(WeComRobotMessage.text(content: String(repeating: "营", count: 683)).problem?.contains("2049 bytes") == true)
        #expect(WeComRobotMessage.text(content: String(repeating: "a", count: 2_048)).problem == nil)
        #expect(WeComRobotMessage.markdown(content: String(repeating: "a", count: 4_096)).problem == nil)
        #expect(WeComRobotMessage.markdown(content: String(repeating: "a", count: 4_097)).problem != nil)
        #expect(WeComRobotMessage.text(content: "hi", mentionedMobiles: ["13800001111", "@all"]).problem == nil)
        #expect(WeComRobotMessage.text(content: "hi", mentionedMobiles: ["138-0000"]).problem != nil)
    }

    @Test func smsAndWebhookMessagesAreValidated() {
        #expect(SMSMessage(to: "+8613800138000", text: "验证码 1234").problem == nil)
        #expect(SMSMessage(to: "13800138000", text: "x").problem != nil)
        #expect(SMSMessage(to: "+0613800138000", text: "x").problem != nil)
        #expect(SMSMessage(to: "+8613800138000").problem != nil)
        #expect(SMSMessage(to: "+8613800138000", text: String(repeating: "字", count: 501)).problem != nil)
        #expect(SMSMessage(to: "+8613800138000", templateId: "SMS_1", templateParameters: ["code": "1234"]).problem == nil)

        #expect(WebhookMessage(event: "journey.step", body: Array(#"{"a":1}"#.utf8)).problem == nil)
        #expect(WebhookMessage(event: "journey.step", body: Array("{not json".utf8)).problem != nil)
        #expect(WebhookMessage(event: "bad event\r\nX: 1", body: Array("{}".utf8)).problem != nil)
        #expect(WebhookMessage(event: "big", body: Array(("[" + String(repeating: "1,", count: 140_000) + "1]").utf8)).problem != nil)
    }

    @Test func smtpURLsConfigureTheRelay() throws {
        let starttls = try #require(SMTPConfiguration(url: "smtp://user%40brand:p%3Ass@smtp.example.com:2525?ca=/etc/ca.pem&helo=siyu.brand"))
        #expect(starttls.host == "smtp.example.com" && starttls.port == 2_525 && starttls.security == .startTLS)
        #expect(starttls.username == "user@brand" && starttls.password == "p:ss")
        #expect(starttls.trustRoots == .pemFile("/etc/ca.pem") && starttls.clientName == "siyu.brand")
        let implicit = try #require(SMTPConfiguration(url: "smtps://smtp.example.com"))
        #expect(implicit.port == 465 && implicit.security == .implicitTLS)
        #expect(SMTPConfiguration(url: "smtp://localhost:25?starttls=off")?.security == SMTPConfiguration.Security.none)
        #expect(SMTPConfiguration(url: "http://smtp.example.com") == nil)
        #expect(SMTPConfiguration(url: "smtp://smtp.example.com?unknown=1") == nil)
    }
}
