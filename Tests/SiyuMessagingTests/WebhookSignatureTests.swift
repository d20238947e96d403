import Foundation
import SiyuMessaging
import Testing

@Suite struct WebhookSignatureTests {
    let secret = "whsec_test_secret_0123456789"
    let body = Array(#"{"event":"journey.step","person":"p_1"}"#.utf8)

    @Test func signatureMatchesOpenSSL() {
        // Computed independently:
        // printf '%s' '1700000000.{"event":"journey.step","person":"p_1"}' | openssl dgst -sha256 -hmac 'whsec_test_secret_0123456789'
        // SHA2-256(stdin)= beddccad36189089baf4e9c6ec8398dabc20bd348f36f5b7221608dc52c9eda7
        let header = WebhookSignature.header(body: body, secret: secret, timestamp: 1_700_000_000)
        #expect(header == "t=1700000000,v1=beddccad36189089baf4e9c6ec8398dabc20bd348f36f5b7221608dc52c9eda7")
    }

    @Test func verificationChecksBodySecretAndTime() {
        let header = "t=1700000000,v1=beddccad36189089baf4e9c6ec8398dabc20bd348f36f5b7221608dc52c9eda7"
        #expect(WebhookSignature.verify(header: header, body: body, secrets: [secret], now: 1_700_000_100))
        // Within five minutes either way, not beyond.
        #expect(WebhookSignature.verify(header: header, body: body, secrets: [secret], now: 1_700_000_300))
        #expect(!WebhookSignature.verify(header: header, body: body, secrets: [secret], now: 1_700_000_301))
        #expect(!WebhookSignature.verify(header: header, body: body, secrets: [secret], now: 1_699_999_699))
        // One byte changed in the body, or the timestamp moved: refused.
        var tampered = body
        tampered[tampered.count - 3] = UInt8(ascii: "2")
        #expect(!WebhookSignature.verify(header: header, body: tampered, secrets: [secret], now: 1_700_000_000))
        let moved = header.replacingOccurrences(of: "t=1700000000", with: "t=1700000100")
        #expect(!WebhookSignature.verify(header: moved, body: body, secrets: [secret], now: 1_700_000_100))
        // Another secret fails; during a rotation the old and new secrets are both tried.
        #expect(!WebhookSignature.verify(header: header, body: body, secrets: ["whsec_another_secret_000000"], now: 1_700_000_000))
        #expect(WebhookSignature.verify(header: header, body: body, secrets: ["whsec_another_secret_000000", secret], now: 1_700_000_000))
        // Garbage headers are refused, not crashed on.
        for garbage in ["", "t=,v1=", "v1=beddcc", "t=1700000000", "t=1700000000,v1=zz", "t=99999999999999999999,v1=00"] {
            #expect(!WebhookSignature.verify(header: garbage, body: body, secrets: [secret], now: 1_700_000_000))
        }
    }
}
