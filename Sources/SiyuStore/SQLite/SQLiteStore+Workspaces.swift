import Foundation
import GRDB
import SiyuCore

extension SQLiteStore: WorkspaceRepository {
    public func createWorkspace(name: String, timeZone: String, currency: String) async throws -> WorkspaceCredentials {
        let new = try NewWorkspace(name: name, timeZone: timeZone, currency: currency, now: clock())
        let (now, writeKey, token, salt) = (new.now, new.writeKey, new.adminToken, new.salt)
        try await write { db in
            if try Int64.fetchOne(db, sql: "SELECT id FROM workspaces WHERE name = ?", arguments: [name]) != nil {
                throw StoreError.conflict("a workspace named `\(name)` already exists")
            }
            try db.execute(
                sql: "INSERT INTO workspaces (name, time_zone, currency, salt, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [name, timeZone, currency.uppercased(), salt, now]
            )
            let id = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO write_keys (key, workspace_id, created_at) VALUES (?, ?, ?)", arguments: [writeKey, id, now])
            try db.execute(
                sql: "INSERT INTO admin_tokens (workspace_id, name, token_hash, created_at) VALUES (?, 'default', ?, ?)",
                arguments: [id, Secrets.hashToken(token), now]
            )
            for channel in Channel.defaults { try Self.saveChannel(channel, workspaceId: id, db: db, now: now) }
        }
        return new.credentials
    }

    public func workspace(named name: String) async throws -> Workspace? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE name = ?", arguments: [name]).map(Self.workspace) }
    }

    public func workspace(id: Int64) async throws -> Workspace? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE id = ?", arguments: [id]).map(Self.workspace) }
    }

    public func workspaces() async throws -> [Workspace] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM workspaces ORDER BY id").map(Self.workspace) }
    }

    public func workspace(writeKey: String) async throws -> Workspace? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT w.* FROM write_keys k JOIN workspaces w ON w.id = k.workspace_id WHERE k.key = ? AND k.revoked_at IS NULL",
                arguments: [writeKey]
            ).map(Self.workspace)
        }
    }

    public func workspace(adminToken: String) async throws -> Workspace? {
        let hash = Secrets.hashToken(adminToken)
        return try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT w.* FROM admin_tokens t JOIN workspaces w ON w.id = t.workspace_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                arguments: [hash]
            ).map(Self.workspace)
        }
    }

    public func writeKeys(workspaceId: Int64) async throws -> [String] {
        try await read { db in
            try String.fetchAll(
                db,
                sql: "SELECT key FROM write_keys WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY created_at",
                arguments: [workspaceId]
            )
        }
    }

    public func createWriteKey(workspaceId: Int64) async throws -> String {
        let key = Secrets.newWriteKey()
        let now = clock()
        try await write { db in
            try db.execute(sql: "INSERT INTO write_keys (key, workspace_id, created_at) VALUES (?, ?, ?)", arguments: [key, workspaceId, now])
        }
        return key
    }

    public func createAdminToken(workspaceId: Int64, name: String, replacing: Bool) async throws -> String {
        let token = Secrets.newAdminToken()
        let now = clock()
        try await write { db in
            if replacing {
                try db.execute(
                    sql: "UPDATE admin_tokens SET revoked_at = ? WHERE workspace_id = ? AND name = ? AND revoked_at IS NULL",
                    arguments: [now, workspaceId, name]
                )
            }
            try db.execute(
                sql: "INSERT INTO admin_tokens (workspace_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [workspaceId, name, Secrets.hashToken(token), now]
            )
        }
        return token
    }

    public func adminTokens(workspaceId: Int64) async throws -> [AdminTokenInfo] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, name, created_at FROM admin_tokens WHERE workspace_id = ? AND revoked_at IS NULL ORDER BY id",
                arguments: [workspaceId]
            ).map { AdminTokenInfo(id: $0[0], name: $0[1], createdAt: $0[2]) }
        }
    }

    public func revokeWriteKey(_ key: String, workspaceId: Int64) async throws -> Bool {
        let now = clock()
        return try await write { db in
            try db.execute(
                sql: "UPDATE write_keys SET revoked_at = ? WHERE key = ? AND workspace_id = ? AND revoked_at IS NULL",
                arguments: [now, key, workspaceId]
            )
            return db.changesCount > 0
        }
    }

    public func revokeAdminToken(id: Int64, workspaceId: Int64) async throws -> Bool {
        let now = clock()
        return try await write { db in
            try db.execute(
                sql: "UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL",
                arguments: [now, id, workspaceId]
            )
            return db.changesCount > 0
        }
    }

    public func channels(workspaceId: Int64) async throws -> [Channel] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM channels WHERE workspace_id = ? ORDER BY created_at, rowid", arguments: [workspaceId]).map {
                row in
                try WorkspaceValidation.channel(
                    key: row["key"],
                    name: row["name"],
                    kind: row["kind"],
                    trackingCodes: row["tracking_codes"],
                    monthlyCostMinor: row["monthly_cost_minor"]
                )
            }
        }
    }

    public func saveChannel(_ channel: Channel, workspaceId: Int64) async throws {
        try WorkspaceValidation.check(channel: channel)
        let now = clock()
        try await write { db in try Self.saveChannel(channel, workspaceId: workspaceId, db: db, now: now) }
    }

    public func deleteWorkspace(id: Int64) async throws {
        try await write { db in
            for table in WorkspaceValidation.workspaceTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE workspace_id = ?", arguments: [id])
            }
            try db.execute(sql: "DELETE FROM workspaces WHERE id = ?", arguments: [id])
        }
    }

    public func updateWorkspaceTimeZone(id: Int64, timeZone: String) async throws {
        try WorkspaceValidation.check(timeZone: timeZone)
        try await write { db in
            try db.execute(sql: "UPDATE workspaces SET time_zone = ? WHERE id = ?", arguments: [timeZone, id])
            guard db.changesCount == 1 else { throw StoreError.notFound("no workspace \(id)") }
        }
    }

    static func saveChannel(_ channel: Channel, workspaceId: Int64, db: Database, now: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO channels (workspace_id, key, name, kind, tracking_codes, monthly_cost_minor, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (workspace_id, key) DO UPDATE SET
                    name = excluded.name, kind = excluded.kind, tracking_codes = excluded.tracking_codes,
                    monthly_cost_minor = excluded.monthly_cost_minor
                """,
            arguments: [
                workspaceId, channel.key, channel.name, channel.kind.rawValue, try WorkspaceValidation.trackingCodesText(channel.trackingCodes),
                channel.monthlyCostMinor, now,
            ]
        )
    }

    static func workspace(_ row: Row) -> Workspace {
        Workspace(
            id: row["id"],
            name: row["name"],
            timeZone: row["time_zone"],
            currency: row["currency"],
            salt: row["salt"],
            createdAt: row["created_at"]
        )
    }
}

/// A workspace about to be created: its checked settings and its new secrets.
struct NewWorkspace {
    var name: String
    var timeZone: String
    var currency: String
    var now: Int64
    var writeKey = Secrets.newWriteKey()
    var adminToken = Secrets.newAdminToken()
    var salt = Secrets.newSalt()

    init(name: String, timeZone: String, currency: String, now: Int64) throws {
        try WorkspaceValidation.check(name: name, timeZone: timeZone, currency: currency)
        self.name = name
        self.timeZone = timeZone
        self.currency = currency.uppercased()
        self.now = now
    }

    var credentials: WorkspaceCredentials { WorkspaceCredentials(workspace: name, writeKey: writeKey, adminToken: adminToken) }
}

/// Checks shared by both stores before a workspace or channel is written.
enum WorkspaceValidation {
    /// Every table that holds rows of a workspace (besides `workspaces`), children first.
    static let workspaceTables = [
        "events", "identities", "person_tags", "merges", "merge_conflicts", "erasures", "persons", "channels", "admin_tokens", "write_keys",
        "workspace_state", "segments", "segment_members", "segment_sizes", "person_labels", "label_changes",
        "person_attributes", "value_fits", "console_sessions", "users",
    ]

    static func check(name: String, timeZone: String, currency: String) throws {
        guard Workspace.isValidName(name) else {
            throw StoreError.invalid("workspace name `\(name)` must be 1–64 letters, digits, `-`, `_` or `.`")
        }
        try check(timeZone: timeZone)
        guard Money.isCurrencyCode(currency) else { throw StoreError.invalid("currency `\(currency)` is not an ISO 4217 code such as CNY") }
    }

    static func check(timeZone: String) throws {
        guard TimeZone(identifier: timeZone) != nil else {
            throw StoreError.invalid("unknown time zone `\(timeZone)`; use an IANA name such as Asia/Shanghai")
        }
    }

    static func check(channel: Channel) throws {
        guard Channel.isValidKey(channel.key) else {
            throw StoreError.invalid("channel key `\(channel.key)` must be lower-case letters, digits, `_`, `-`, `.` with an optional `prefix:`")
        }
        guard !channel.name.isEmpty, channel.name.count <= 100 else { throw StoreError.invalid("channel name must be 1–100 characters") }
    }

    static func trackingCodesText(_ codes: [TrackingCode]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(codes), as: UTF8.self)
    }

    static func channel(key: String, name: String, kind: String, trackingCodes: String, monthlyCostMinor: Int64?) throws -> Channel {
        let codes = try JSONDecoder().decode([TrackingCode].self, from: Data(trackingCodes.utf8))
        return Channel(key: key, name: name, kind: ChannelKind(rawValue: kind) ?? .other, trackingCodes: codes, monthlyCostMinor: monthlyCostMinor)
    }
}
