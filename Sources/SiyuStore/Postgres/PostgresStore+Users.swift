import PostgresNIO
import SiyuCore

extension PostgresStore: UserRepository {
    static let userColumns = "id, workspace_id, email, display_name, password_hash, role, locale, created_at, disabled"

    public func currentTime() -> Int64 { clock() }

    public func insertUser(_ new: ConsoleUser) async throws -> ConsoleUser {
        let workspaceId = new.workspaceId
        return try await transaction { connection in
            guard try await connection.value(Int64.self, "SELECT id FROM workspaces WHERE id = \(workspaceId)", logger: logger) != nil else {
                throw StoreError.notFound("no workspace \(workspaceId)")
            }
            // ON CONFLICT rather than a check first: the unique (workspace_id, email) key decides.
            let id = try await connection.value(
                Int64.self,
                """
                INSERT INTO users (workspace_id, email, display_name, password_hash, role, locale, created_at, disabled)
                VALUES (\(workspaceId), \(new.email), \(new.displayName), \(new.passwordHash), \(new.role.rawValue), \(new.locale),
                        \(new.createdAt), FALSE)
                ON CONFLICT (workspace_id, email) DO NOTHING RETURNING id
                """,
                logger: logger
            )
            guard let id else { throw StoreError.conflict("a user with e-mail `\(new.email)` already exists in this workspace") }
            var user = new
            user.id = id
            return user
        }
    }

    public func user(id: Int64) async throws -> ConsoleUser? {
        try await users("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id)").first
    }

    public func user(workspaceId: Int64, email: String) async throws -> ConsoleUser? {
        let email = ConsoleUser.normalizedEmail(email)
        return try await users("SELECT \(unescaped: Self.userColumns) FROM users WHERE workspace_id = \(workspaceId) AND email = \(email)").first
    }

    public func users(email: String) async throws -> [ConsoleUser] {
        let email = ConsoleUser.normalizedEmail(email)
        return try await users("SELECT \(unescaped: Self.userColumns) FROM users WHERE email = \(email) ORDER BY id")
    }

    public func users(workspaceId: Int64) async throws -> [ConsoleUser] {
        try await users("SELECT \(unescaped: Self.userColumns) FROM users WHERE workspace_id = \(workspaceId) ORDER BY email")
    }

    public func updateUser(_ user: ConsoleUser) async throws {
        try UserValidation.check(displayName: user.displayName, locale: user.locale)
        try await transaction { connection in
            let updated = try await connection.value(
                Int64.self,
                """
                UPDATE users SET display_name = \(user.displayName), password_hash = \(user.passwordHash), role = \(user.role.rawValue),
                    locale = \(user.locale), disabled = \(user.disabled)
                WHERE id = \(user.id) RETURNING id
                """,
                logger: logger
            )
            guard updated != nil else { throw StoreError.notFound("no user \(user.id)") }
            // A disabled user's sessions end with the change, not at their expiry.
            if user.disabled { try await connection.run("DELETE FROM console_sessions WHERE user_id = \(user.id)", logger: logger) }
        }
    }

    public func deleteUser(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await transaction { connection in
            try await connection.run("DELETE FROM console_sessions WHERE user_id = \(id)", logger: logger)
            return !(try await connection.rows("DELETE FROM users WHERE id = \(id) AND workspace_id = \(workspaceId) RETURNING 1", logger: logger))
                .isEmpty
        }
    }

    public func createSession(_ session: ConsoleSession) async throws {
        try await read { connection in
            try await connection.run(
                """
                INSERT INTO console_sessions (token_hash, user_id, workspace_id, csrf_token, created_at, expires_at, last_seen)
                VALUES (\(session.tokenHash), \(session.userId), \(session.workspaceId), \(session.csrfToken), \(session.createdAt),
                        \(session.expiresAt), \(session.lastSeen))
                """,
                logger: logger
            )
        }
    }

    public func session(tokenHash: String) async throws -> ConsoleSession? {
        try await read { connection in
            try await connection.rows(
                """
                SELECT token_hash, user_id, workspace_id, csrf_token, created_at, expires_at, last_seen
                FROM console_sessions WHERE token_hash = \(tokenHash)
                """,
                logger: logger
            ).first.map { row in
                let (hash, user, workspace, csrf, created, expires, seen) = try row.decode((String, Int64, Int64, String, Int64, Int64, Int64).self)
                return ConsoleSession(
                    tokenHash: hash,
                    userId: user,
                    workspaceId: workspace,
                    csrfToken: csrf,
                    createdAt: created,
                    expiresAt: expires,
                    lastSeen: seen
                )
            }
        }
    }

    public func touchSession(tokenHash: String, lastSeen: Int64, expiresAt: Int64) async throws {
        try await read { connection in
            try await connection.run(
                "UPDATE console_sessions SET last_seen = \(lastSeen), expires_at = \(expiresAt) WHERE token_hash = \(tokenHash)",
                logger: logger
            )
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await read { connection in
            try await connection.run("DELETE FROM console_sessions WHERE token_hash = \(tokenHash)", logger: logger)
        }
    }

    public func deleteSessions(userId: Int64) async throws {
        try await read { connection in try await connection.run("DELETE FROM console_sessions WHERE user_id = \(userId)", logger: logger) }
    }

    public func deleteExpiredSessions(now: Int64) async throws -> Int {
        try await read { connection in
            try await connection.rows("DELETE FROM console_sessions WHERE expires_at <= \(now) RETURNING 1", logger: logger).count
        }
    }

    /// The users a query selects (``userColumns`` in order); rows with a role this build does not know are skipped.
    private func users(_ query: PostgresQuery) async throws -> [ConsoleUser] {
        try await read { connection in
            try await connection.rows(query, logger: logger).compactMap { row in
                let (id, workspace, email, name, hash, role, locale, created, disabled) =
                    try row.decode((Int64, Int64, String, String, String, String, String?, Int64, Bool).self)
                guard let role = ConsoleRole(rawValue: role) else { return nil }
                return ConsoleUser(
                    id: id,
                    workspaceId: workspace,
                    email: email,
                    displayName: name,
                    passwordHash: hash,
                    role: role,
                    locale: locale,
                    createdAt: created,
                    disabled: disabled
                )
            }
        }
    }
}
