import SiyuCore

/// Console users of a workspace and their browser sessions.
public protocol UserRepository: Sendable {
    /// Stores a user that ``createUser(workspaceId:email:displayName:passwordHash:role:locale:)``
    /// checked: the workspace must exist (else ``StoreError/notFound(_:)``) and the e-mail be new in
    /// it (else ``StoreError/conflict(_:)``); answers the user with its id.
    func insertUser(_ user: ConsoleUser) async throws -> ConsoleUser
    /// The store's clock, in milliseconds since 1970.
    func currentTime() -> Int64
    func user(id: Int64) async throws -> ConsoleUser?
    func user(workspaceId: Int64, email: String) async throws -> ConsoleUser?
    /// Every user with this e-mail, in any workspace, oldest first (login looks them up by address alone).
    func users(email: String) async throws -> [ConsoleUser]
    /// The users of a workspace, by e-mail.
    func users(workspaceId: Int64) async throws -> [ConsoleUser]
    /// Saves the display name, password hash, role, locale and disabled flag of an existing user.
    func updateUser(_ user: ConsoleUser) async throws
    /// Removes a user of the workspace and their sessions; whether there was one.
    func deleteUser(id: Int64, workspaceId: Int64) async throws -> Bool

    func createSession(_ session: ConsoleSession) async throws
    func session(tokenHash: String) async throws -> ConsoleSession?
    /// Records activity and slides the expiry.
    func touchSession(tokenHash: String, lastSeen: Int64, expiresAt: Int64) async throws
    func deleteSession(tokenHash: String) async throws
    /// Deletes every session of a user (after a password change or when the user is disabled).
    func deleteSessions(userId: Int64) async throws
    /// Deletes the sessions that expired before `now`; answers how many.
    func deleteExpiredSessions(now: Int64) async throws -> Int
}

extension UserRepository {
    /// Adds a user; the e-mail is normalised and must be new in the workspace (else
    /// ``StoreError/conflict(_:)``). The rules are ``UserValidation``'s, for every backend.
    public func createUser(
        workspaceId: Int64,
        email: String,
        displayName: String,
        passwordHash: String,
        role: ConsoleRole,
        locale: String?
    ) async throws -> ConsoleUser {
        let user = try UserValidation.newUser(
            workspaceId: workspaceId,
            email: email,
            displayName: displayName,
            passwordHash: passwordHash,
            role: role,
            locale: locale,
            now: currentTime()
        )
        return try await insertUser(user)
    }
}
