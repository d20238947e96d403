import Crypto
import Foundation
import SiyuCore

/// Random credentials and the hashes under which they are stored.
public enum Secrets {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A random string of `length` base-62 characters from the system's secure generator.
    public static func random(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }

    /// A new write key: `wk_` and 32 random characters.
    public static func newWriteKey() -> String { "wk_" + random(length: 32) }

    /// A new admin token: `sy_` and 40 random characters. Stored only as ``hashToken(_:)``.
    public static func newAdminToken() -> String { "sy_" + random(length: 40) }

    /// A write key's public id: the first 16 hex digits of its SHA-256, so that lists and revocation
    /// forms can name a key without showing it.
    public static func writeKeyId(_ key: String) -> String { String(hashToken(key).prefix(16)) }

    /// `wk_AbC…••••••` — enough to tell keys apart, never the secret.
    public static func maskedKey(_ key: String) -> String { String(key.prefix(7)) + "…" + String(repeating: "•", count: 6) }

    /// `bytes` random bytes from the system's secure generator, as hex (signing secrets, 32 bytes).
    public static func randomHex(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A new per-workspace salt for personal-data hashes.
    public static func newSalt() -> String { random(length: 32) }

    /// SHA-256 of a token, hex encoded: what the store keeps instead of the token.
    public static func hashToken(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// HMAC-SHA-256 of a normalised personal identifier under the workspace salt, hex encoded.
    public static func personalDataHash(salt: String, kind: String, normalized: String) -> String {
        let key = SymmetricKey(data: Data(salt.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data((kind + ":" + normalized).utf8), using: key)
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The identity extractor of a workspace, hashing with its salt.
    public static func extractor(for workspace: Workspace) -> IdentityExtractor {
        let salt = workspace.salt
        return IdentityExtractor { kind, normalized in personalDataHash(salt: salt, kind: kind, normalized: normalized) }
    }
}
