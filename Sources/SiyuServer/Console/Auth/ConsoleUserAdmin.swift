import SiyuCore
import SiyuStore

/// Creating console users from the command line and the demo.
public struct ConsoleUserAdmin: Sendable {
    let store: any SiyuStore
    let hasher: PasswordHasher

    public init(store: any SiyuStore, passwordCost: UInt8 = 12) {
        self.init(store: store, hasher: PasswordHasher(cost: passwordCost))
    }

    public init(store: any SiyuStore, hasher: PasswordHasher) {
        self.store = store
        self.hasher = hasher
    }

    /// A new password for someone who did not choose one: 16 characters of letters and digits (~95 bits).
    public static func generatedPassword() -> String { Secrets.random(length: 16) }

    /// Adds a user to the workspace named `workspaceName`; the display name defaults to the address's local part.
    public func add(workspaceName: String, email: String, role: ConsoleRole, displayName: String?, password: String) async throws -> ConsoleUser {
        guard let workspace = try await store.workspace(named: workspaceName) else {
            throw StoreError.notFound("no workspace named `\(workspaceName)`")
        }
        guard password.count >= PasswordHasher.minimumLength else {
            throw StoreError.invalid("a password has at least \(PasswordHasher.minimumLength) characters")
        }
        let name = displayName ?? String(ConsoleUser.normalizedEmail(email).split(separator: "@").first ?? "user")
        return try await store.createUser(
            workspaceId: workspace.id,
            email: email,
            displayName: name,
            passwordHash: try await hasher.hash(password),
            role: role,
            locale: nil
        )
    }

    /// Makes sure `email` can log in to the workspace with `password` and `role`: creates the user, or
    /// resets an existing one's password, role and enabled state (the demo's logins stay as printed).
    public func ensure(workspaceId: Int64, email: String, displayName: String, role: ConsoleRole, password: String) async throws -> ConsoleUser {
        if var user = try await store.user(workspaceId: workspaceId, email: email) {
            if try await !hasher.verify(password, hash: user.passwordHash) { user.passwordHash = try await hasher.hash(password) }
            user.role = role
            user.disabled = false
            try await store.updateUser(user)
            return user
        }
        return try await store.createUser(
            workspaceId: workspaceId,
            email: email,
            displayName: displayName,
            passwordHash: try await hasher.hash(password),
            role: role,
            locale: nil
        )
    }
}
