import PostgresNIO
import SiyuCore

extension PostgresStore: WorkspaceRepository {
    public func createWorkspace(name: String, timeZone: String, currency: String) async throws -> WorkspaceCredentials {
        let new = try NewWorkspace(name: name, timeZone: timeZone, currency: currency, now: clock())
        let (now, writeKey, token, salt) = (new.now, new.writeKey, new.adminToken, new.salt)
        try await transaction { connection in
            // ON CONFLICT rather than a check first: two processes creating the same name at once both get an answer.
            let inserted = try await connection.value(
                Int64.self,
                """
                INSERT INTO workspaces (name, time_zone, currency, salt, created_at)
                VALUES (\(name), \(timeZone), \(currency.uppercased()), \(salt), \(now))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """,
                logger: logger
            )
            guard let id = inserted else { throw StoreError.conflict("a workspace named `\(name)` already exists") }
            try await insertWriteKey(writeKey, workspaceId: id, connection: connection, now: now)
            try await insertAdminToken(token, name: "default", workspaceId: id, connection: connection, now: now)
            for channel in SiyuCore.Channel.defaults { try await saveChannel(channel, workspaceId: id, connection: connection, now: now) }
        }
        return new.credentials
    }

    public func workspace(named name: String) async throws -> Workspace? {
        try await oneWorkspace("SELECT \(unescaped: Self.workspaceColumns) FROM workspaces w WHERE w.name = \(name)")
    }

    public func workspace(id: Int64) async throws -> Workspace? {
        try await oneWorkspace("SELECT \(unescaped: Self.workspaceColumns) FROM workspaces w WHERE w.id = \(id)")
    }

    public func workspaces() async throws -> [Workspace] {
        try await read { connection in
            try await connection.rows("SELECT \(unescaped: Self.workspaceColumns) FROM workspaces w ORDER BY w.id", logger: logger).map(
                Self.workspace
            )
        }
    }

    public func workspace(writeKey: String) async throws -> Workspace? {
        try await oneWorkspace(
            """
            SELECT \(unescaped: Self.workspaceColumns) FROM write_keys k JOIN workspaces w ON w.id = k.workspace_id
            WHERE k.key = \(writeKey) AND k.revoked_at IS NULL
            """
        )
    }

    public func workspace(adminToken: String) async throws -> Workspace? {
        try await oneWorkspace(
            """
            SELECT \(unescaped: Self.workspaceColumns) FROM admin_tokens t JOIN workspaces w ON w.id = t.workspace_id
            WHERE t.token_hash = \(Secrets.hashToken(adminToken)) AND t.revoked_at IS NULL
            """
        )
    }

    public func writeKeys(workspaceId: Int64) async throws -> [String] {
        try await read { connection in
            try await connection.values(
                String.self,
                "SELECT key FROM write_keys WHERE workspace_id = \(workspaceId) AND revoked_at IS NULL ORDER BY created_at, position",
                logger: logger
            )
        }
    }

    public func createWriteKey(workspaceId: Int64) async throws -> String {
        let key = Secrets.newWriteKey()
        let now = clock()
        try await read { connection in try await insertWriteKey(key, workspaceId: workspaceId, connection: connection, now: now) }
        return key
    }

    public func adminTokens(workspaceId: Int64) async throws -> [AdminTokenInfo] {
        try await read { connection in
            try await connection.rows(
                "SELECT id, name, created_at FROM admin_tokens WHERE workspace_id = \(workspaceId) AND revoked_at IS NULL ORDER BY id",
                logger: logger
            ).map { row in
                let (id, name, createdAt) = try row.decode((Int64, String, Int64).self)
                return AdminTokenInfo(id: id, name: name, createdAt: createdAt)
            }
        }
    }

    public func revokeWriteKey(_ key: String, workspaceId: Int64) async throws -> Bool {
        let now = clock()
        return try await transaction { connection in
            !(try await connection.rows(
                """
                UPDATE write_keys SET revoked_at = \(now) WHERE key = \(key) AND workspace_id = \(workspaceId) AND revoked_at IS NULL RETURNING 1
                """,
                logger: logger
            )).isEmpty
        }
    }

    public func revokeAdminToken(id: Int64, workspaceId: Int64) async throws -> Bool {
        let now = clock()
        return try await transaction { connection in
            !(try await connection.rows(
                """
                UPDATE admin_tokens SET revoked_at = \(now) WHERE id = \(id) AND workspace_id = \(workspaceId) AND revoked_at IS NULL RETURNING 1
                """,
                logger: logger
            )).isEmpty
        }
    }

    public func createAdminToken(workspaceId: Int64, name: String, replacing: Bool) async throws -> String {
        let token = Secrets.newAdminToken()
        let now = clock()
        try await transaction { connection in
            if replacing {
                try await connection.run(
                    "UPDATE admin_tokens SET revoked_at = \(now) WHERE workspace_id = \(workspaceId) AND name = \(name) AND revoked_at IS NULL",
                    logger: logger
                )
            }
            try await insertAdminToken(token, name: name, workspaceId: workspaceId, connection: connection, now: now)
        }
        return token
    }

    public func channels(workspaceId: Int64) async throws -> [SiyuCore.Channel] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT key, name, kind, tracking_codes::text, monthly_cost_minor FROM channels
                WHERE workspace_id = \(workspaceId) ORDER BY created_at, position
                """,
                logger: logger
            ).map { row in
                let (key, name, kind, trackingCodes, monthlyCostMinor) = try row.decode((String, String, String, String, Int64?).self)
                return try WorkspaceValidation.channel(
                    key: key,
                    name: name,
                    kind: kind,
                    trackingCodes: trackingCodes,
                    monthlyCostMinor: monthlyCostMinor
                )
            }
        }
    }

    public func saveChannel(_ channel: SiyuCore.Channel, workspaceId: Int64) async throws {
        try WorkspaceValidation.check(channel: channel)
        let now = clock()
        try await read { connection in try await saveChannel(channel, workspaceId: workspaceId, connection: connection, now: now) }
    }

    public func deleteWorkspace(id: Int64) async throws {
        try await serializedWrite { connection in
            for table in WorkspaceValidation.workspaceTables {
                try await connection.run("DELETE FROM \(unescaped: table) WHERE workspace_id = \(id)", logger: logger)
            }
            try await connection.run("DELETE FROM workspaces WHERE id = \(id)", logger: logger)
        }
    }

    public func updateWorkspaceTimeZone(id: Int64, timeZone: String) async throws {
        try WorkspaceValidation.check(timeZone: timeZone)
        let found = try await read { connection in
            try await !connection.rows("UPDATE workspaces SET time_zone = \(timeZone) WHERE id = \(id) RETURNING id", logger: logger).isEmpty
        }
        guard found else { throw StoreError.notFound("no workspace \(id)") }
    }

    /// Inserts a channel or updates the one with its key (keeping its place in the list).
    func saveChannel(_ channel: SiyuCore.Channel, workspaceId: Int64, connection: PostgresConnection, now: Int64) async throws {
        let trackingCodes = try WorkspaceValidation.trackingCodesText(channel.trackingCodes)
        try await connection.run(
            """
            INSERT INTO channels (workspace_id, key, name, kind, tracking_codes, monthly_cost_minor, created_at)
            VALUES (
                \(workspaceId), \(channel.key), \(channel.name), \(channel.kind.rawValue), \(trackingCodes)::json, \(channel.monthlyCostMinor), \(now)
            )
            ON CONFLICT (workspace_id, key) DO UPDATE SET
                name = excluded.name, kind = excluded.kind, tracking_codes = excluded.tracking_codes,
                monthly_cost_minor = excluded.monthly_cost_minor
            """,
            logger: logger
        )
    }

    /// Stores a new write key of a workspace.
    func insertWriteKey(_ key: String, workspaceId: Int64, connection: PostgresConnection, now: Int64) async throws {
        try await connection.run("INSERT INTO write_keys (key, workspace_id, created_at) VALUES (\(key), \(workspaceId), \(now))", logger: logger)
    }

    /// Stores a token under its hash (``Secrets/hashToken(_:)``), never the token itself.
    func insertAdminToken(_ token: String, name: String, workspaceId: Int64, connection: PostgresConnection, now: Int64) async throws {
        try await connection.run(
            """
            INSERT INTO admin_tokens (workspace_id, name, token_hash, created_at)
            VALUES (\(workspaceId), \(name), \(Secrets.hashToken(token)), \(now))
            """,
            logger: logger
        )
    }

    /// The workspace of the first row of `query`, if any.
    private func oneWorkspace(_ query: PostgresQuery) async throws -> Workspace? {
        try await read { connection in try await connection.rows(query, logger: logger).first.map(Self.workspace) }
    }
}
