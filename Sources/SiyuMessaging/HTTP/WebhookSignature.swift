import Crypto
import Foundation

/// The signature of a webhook body: `X-Siyu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256 of "<t>.<body>">`.
///
/// The key is the endpoint's secret as UTF-8 bytes. The timestamp is inside the signed text so a receiver can refuse
/// a body replayed later (docs/webhooks.md): an attacker who captured one request cannot change `t` without breaking
/// the signature.
public enum WebhookSignature {
    /// The header that carries the signature.
    public static let headerName = "X-Siyu-Signature"

    /// The header's value for `body` sent at `timestamp` (Unix seconds).
    public static func header(body: some Sequence<UInt8>, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(hexSignature(body: body, secret: secret, timestamp: timestamp))"
    }

    /// The lower-case hex HMAC-SHA-256 of `"<timestamp>.<body>"` under `secret`.
    public static func hexSignature(body: some Sequence<UInt8>, secret: String, timestamp: Int64) -> String {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: Array(body))
        return hmac.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` is a valid signature of `body` under one of `secrets` (several while a secret is rotated),
    /// made at most `tolerance` seconds away from `now`. Compares in constant time.
    public static func verify(
        header: String,
        body: some Sequence<UInt8>,
        secrets: [String],
        now: Int64,
        tolerance: Int64 = 300
    ) -> Bool {
        var timestamp: Int64?
        var candidates: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int64(pair[1]) }
            if pair[0] == "v1", let bytes = bytes(hex: pair[1]) { candidates.append(bytes) }
        }
        guard let timestamp, !candidates.isEmpty else { return false }
        let (distance, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, distance.magnitude <= tolerance.magnitude else { return false }
        let signed = Array("\(timestamp).".utf8) + Array(body)
        for secret in secrets {
            let key = SymmetricKey(data: Array(secret.utf8))
            for candidate in candidates where HMAC<SHA256>.isValidAuthenticationCode(candidate, authenticating: signed, using: key) {
                return true
            }
        }
        return false
    }

    /// The bytes of an even-length hex string, or nil.
    private static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2), digits.count <= 128 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
