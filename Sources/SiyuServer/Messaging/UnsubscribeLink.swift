import Crypto
import Foundation

/// The one-click unsubscribe link of a message: `/u/<workspace>.<group>.<person>.<signature>`, the
/// signature an HMAC-SHA-256 (first 16 bytes, hex) of the three numbers under the workspace's
/// unsubscribe secret, so a link cannot be made for someone else nor changed to another group.
enum UnsubscribeLink {
    /// The settings key of a workspace's unsubscribe secret (made on first use, never shown).
    static let secretKey = "messaging.unsubscribeSecret"

    struct Target: Equatable {
        var workspaceId: Int64
        var groupId: Int64
        var personId: Int64
    }

    static func token(_ target: Target, secret: String) -> String {
        "\(target.workspaceId).\(target.groupId).\(target.personId).\(signature(target, secret: secret))"
    }

    static func url(base: String, _ target: Target, secret: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/u/" + token(target, secret: secret)
    }

    /// The target a token names, before its signature is checked.
    static func target(_ token: String) -> Target? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 120, parts.count == 4, let workspace = Int64(parts[0]), let group = Int64(parts[1]), let person = Int64(parts[2])
        else { return nil }
        return Target(workspaceId: workspace, groupId: group, personId: person)
    }

    /// Whether the token's signature is right (compared in constant time).
    static func verify(_ token: String, secret: String) -> Target? {
        guard let target = target(token), let given = token.split(separator: ".").last else { return nil }
        let expected = signature(target, secret: secret)
        guard given.utf8.count == expected.utf8.count else { return nil }
        let difference = zip(given.utf8, expected.utf8).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) }
        return difference == 0 ? target : nil
    }

    static func signature(_ target: Target, secret: String) -> String {
        let key = SymmetricKey(data: Data(secret.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(target.workspaceId).\(target.groupId).\(target.personId)".utf8), using: key)
        return mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
