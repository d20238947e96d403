import GRDB
import SiyuCore

extension SQLiteStore: UserRepository {
    public func currentTime() -> Int64 { clock() }

    public func insertUser(_ new: ConsoleUser) async throws -> ConsoleUser {
        let workspaceId = new.workspaceId
        return try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [workspaceId]) != nil else {
                throw StoreError.notFound("no workspace \(workspaceId)")
            }
            // INSERT OR IGNORE rather than a check first: the unique (workspace_id, email) key decides.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO users (workspace_id, email, display_name, password_hash, role, locale, created_at, disabled)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [workspaceId, new.email, new.displayName, new.passwordHash, new.role.rawValue, new.locale, new.createdAt]
            )
            guard db.changesCount == 1 else { throw StoreError.conflict("a user with e-mail `\(new.email)` already exists in this workspace") }
            var user = new
            user.id = db.lastInsertedRowID
            return user
        }
    }

    public func user(id: Int64) async throws -> ConsoleUser? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]).flatMap(Self.user) }
    }

    public func user(workspaceId: Int64, email: String) async throws -> ConsoleUser? {
        let email = ConsoleUser.normalizedEmail(email)
        return try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE workspace_id = ? AND email = ?", arguments: [workspaceId, email]).flatMap(Self.user)
        }
    }

    public func users(email: String) async throws -> [ConsoleUser] {
        let email = ConsoleUser.normalizedEmail(email)
        return try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users WHERE email = ? ORDER BY id", arguments: [email]).compactMap(Self.user)
        }
    }

    public func users(workspaceId: Int64) async throws -> [ConsoleUser] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users WHERE workspace_id = ? ORDER BY email", arguments: [workspaceId]).compactMap(Self.user)
        }
    }

    public func updateUser(_ user: ConsoleUser) async throws {
        try UserValidation.check(displayName: user.displayName, locale: user.locale)
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET display_name = ?, password_hash = ?, role = ?, locale = ?, disabled = ? WHERE id = ?",
                arguments: [user.displayName, user.passwordHash, user.role.rawValue, user.locale, user.disabled, user.id]
            )
            guard db.changesCount == 1 else { throw StoreError.notFound("no user \(user.id)") }
            // A disabled user's sessions end with the change, not at their expiry.
            if user.disabled { try db.execute(sql: "DELETE FROM console_sessions WHERE user_id = ?", arguments: [user.id]) }
        }
    }

    public func deleteUser(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE user_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM users WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
            return db.changesCount > 0
        }
    }

    public func createSession(_ session: ConsoleSession) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO console_sessions (token_hash, user_id, workspace_id, csrf_token, created_at, expires_at, last_seen)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.tokenHash, session.userId, session.workspaceId, session.csrfToken, session.createdAt, session.expiresAt,
                    session.lastSeen,
                ]
            )
        }
    }

    public func session(tokenHash: String) async throws -> ConsoleSession? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM console_sessions WHERE token_hash = ?", arguments: [tokenHash]).map {
                ConsoleSession(
                    tokenHash: $0["token_hash"],
                    userId: $0["user_id"],
                    workspaceId: $0["workspace_id"],
                    csrfToken: $0["csrf_token"],
                    createdAt: $0["created_at"],
                    expiresAt: $0["expires_at"],
                    lastSeen: $0["last_seen"]
                )
            }
        }
    }

    public func touchSession(tokenHash: String, lastSeen: Int64, expiresAt: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE console_sessions SET last_seen = ?, expires_at = ? WHERE token_hash = ?",
                arguments: [lastSeen, expiresAt, tokenHash]
            )
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM console_sessions WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func deleteSessions(userId: Int64) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM console_sessions WHERE user_id = ?", arguments: [userId]) }
    }

    public func deleteExpiredSessions(now: Int64) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM console_sessions WHERE expires_at <= ?", arguments: [now])
            return db.changesCount
        }
    }

    /// A user from a `users` row; nil for a role this build does not know.
    static func user(_ row: Row) -> ConsoleUser? {
        guard let role = ConsoleRole(rawValue: row["role"]) else { return nil }
        return ConsoleUser(
            id: row["id"],
            workspaceId: row["workspace_id"],
            email: row["email"],
            displayName: row["display_name"],
            passwordHash: row["password_hash"],
            role: role,
            locale: row["locale"],
            createdAt: row["created_at"],
            disabled: row["disabled"]
        )
    }
}
