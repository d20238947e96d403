import SiyuCore
import SiyuStore

/// Creating console users from the command line and the demo.
public struct ConsoleUserAdmin: Sendable {
    let store: any UserRepository & WorkspaceRepository
    let hasher: PasswordHasher

    public init(store: any UserRepository & WorkspaceRepository, passwordCost: UInt8 = 12) {
        self.init(store: store, hasher: PasswordHasher(cost: passwordCost))
    }

    public init(store: any UserRepository & WorkspaceRepository, hasher: PasswordHasher) {
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

    /// What an admin can do to a console user.
    public enum Change: String, Sendable, CaseIterable {
        case disable, enable, remove, resetPassword
    }

    /// Applies `change` to a user of the workspace. `actor` is the console user making the change
    /// (`nil` from the command line): nobody changes their own account this way, nor one whose role
    /// is above their own, and the last enabled owner stays. Disabling, removing and a new
    /// password end the user's sessions at once. Answers the user as changed and, for
    /// `resetPassword`, the new password (to be shown once).
    public func apply(
        _ change: Change,
        to userId: Int64,
        workspaceId: Int64,
        by actor: ConsoleUser?,
        password given: String? = nil
    ) async throws
        -> (user: ConsoleUser, password: String?)
    {
        guard var user = try await store.user(id: userId), user.workspaceId == workspaceId else {
            throw StoreError.notFound("no user \(userId) in this workspace")
        }
        if let actor {
            guard actor.id != user.id else { throw StoreError.invalid("you cannot \(Self.words(change)) your own account") }
            guard user.role <= actor.role else { throw StoreError.invalid("\(user.email) has a role above yours") }
        }
        if change == .disable || change == .remove, user.role == .owner, !user.disabled {
            let owners = try await store.users(workspaceId: workspaceId).filter { $0.role == .owner && !$0.disabled }
            guard owners.count > 1 else {
                throw StoreError.conflict("\(user.email) is the last owner of the workspace; make someone else owner first")
            }
        }
        switch change {
        case .disable, .enable:
            user.disabled = change == .disable
            try await store.updateUser(user)
            return (user, nil)
        case .remove:
            _ = try await store.deleteUser(id: user.id, workspaceId: workspaceId)
            return (user, nil)
        case .resetPassword:
            let password = given ?? Self.generatedPassword()
            guard password.count >= PasswordHasher.minimumLength else {
                throw StoreError.invalid("a password has at least \(PasswordHasher.minimumLength) characters")
            }
            user.passwordHash = try await hasher.hash(password)
            try await store.updateUser(user)
            try await store.deleteSessions(userId: user.id)
            return (user, password)
        }
    }

    static func words(_ change: Change) -> String {
        switch change {
        case .disable: return "disable"
        case .enable: return "enable"
        case .remove: return "remove"
        case .resetPassword: return "reset the password of"
        }
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
