import Foundation
import SiyuCore

/// A person who logs in to the web console of one workspace.
public struct ConsoleUser: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    /// Lower-cased and trimmed; unique within the workspace.
    public var email: String
    public var displayName: String
    /// A bcrypt hash (`$2b$…`); the password itself is never stored.
    public var passwordHash: String
    public var role: ConsoleRole
    /// The console language the user chose (`zh-CN`, `en`), if any.
    public var locale: String?
    public var createdAt: Int64
    /// A disabled user cannot log in and their sessions stop working.
    public var disabled: Bool

    public init(
        id: Int64,
        workspaceId: Int64,
        email: String,
        displayName: String,
        passwordHash: String,
        role: ConsoleRole,
        locale: String? = nil,
        createdAt: Int64,
        disabled: Bool = false
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.email = email
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.role = role
        self.locale = locale
        self.createdAt = createdAt
        self.disabled = disabled
    }

    /// The form in which e-mail addresses are stored and looked up: trimmed and lower-cased.
    public static func normalizedEmail(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Whether an address looks like one: something, `@`, something with a dot, no spaces, at most 254 characters.
    public static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".")
        else { return false }
        return !email.contains { $0.isWhitespace }
    }
}

/// A logged-in browser: the server keeps only the SHA-256 of the session token the cookie carries.
public struct ConsoleSession: Sendable, Equatable {
    /// Hex SHA-256 of the token (``Secrets/hashToken(_:)``).
    public var tokenHash: String
    public var userId: Int64
    public var workspaceId: Int64
    /// Sent back with every state-changing request (form field `_csrf` or header `X-CSRF-Token`).
    public var csrfToken: String
    public var createdAt: Int64
    public var expiresAt: Int64
    public var lastSeen: Int64

    public init(tokenHash: String, userId: Int64, workspaceId: Int64, csrfToken: String, createdAt: Int64, expiresAt: Int64, lastSeen: Int64) {
        self.tokenHash = tokenHash
        self.userId = userId
        self.workspaceId = workspaceId
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeen = lastSeen
    }
}
