import SiyuCore

/// Workspaces, their keys and channels.
public protocol WorkspaceRepository: Sendable {
    /// Creates a workspace with the default channels, a write key and an admin token.
    func createWorkspace(name: String, timeZone: String, currency: String) async throws -> WorkspaceCredentials
    func workspace(named name: String) async throws -> Workspace?
    func workspace(id: Int64) async throws -> Workspace?
    func workspaces() async throws -> [Workspace]
    /// The workspace a live (not revoked) write key belongs to.
    func workspace(writeKey: String) async throws -> Workspace?
    /// The workspace a live admin token belongs to (the token is hashed before lookup).
    func workspace(adminToken: String) async throws -> Workspace?
    func writeKeys(workspaceId: Int64) async throws -> [String]
    func createWriteKey(workspaceId: Int64) async throws -> String
    /// Issues a token under `name`; with `replacing`, earlier live tokens of that name are revoked.
    func createAdminToken(workspaceId: Int64, name: String, replacing: Bool) async throws -> String
    /// The live admin tokens of a workspace, oldest first.
    func adminTokens(workspaceId: Int64) async throws -> [AdminTokenInfo]
    /// Revokes a live write key of the workspace; whether there was one.
    func revokeWriteKey(_ key: String, workspaceId: Int64) async throws -> Bool
    /// Revokes a live admin token of the workspace; whether there was one.
    func revokeAdminToken(id: Int64, workspaceId: Int64) async throws -> Bool
    func channels(workspaceId: Int64) async throws -> [Channel]
    func saveChannel(_ channel: Channel, workspaceId: Int64) async throws
    /// Deletes a workspace with all its data and keys (used by `siyu demo --reset`).
    func deleteWorkspace(id: Int64) async throws
    /// Moves a workspace to another IANA time zone; its currency stays. ``StoreError/invalid(_:)``
    /// for an unknown zone, ``StoreError/notFound(_:)`` for an unknown workspace.
    func updateWorkspaceTimeZone(id: Int64, timeZone: String) async throws
}

/// The event log: append (with identity resolution), scan, export.
public protocol EventRepository: Sendable {
    /// Resolves identities and appends the events of several workspaces in ONE durable transaction.
    func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult]
    /// Events of a workspace in insertion order, after `afterSeq`, at most `limit`.
    func events(workspaceId: Int64, afterSeq: Int64, since: Int64?, limit: Int) async throws -> [StoredEvent]
    func eventCount(workspaceId: Int64) async throws -> Int
    /// The newest events that happened at or before `until`, newest first (the console's live stream).
    func recentEvents(workspaceId: Int64, until: Int64, limit: Int) async throws -> [StoredEvent]
    /// Events with `from <= timestamp < to`, optionally only the given names, as columns
    /// sorted by (canonical person, timestamp).
    func scanEvents(workspaceId: Int64, from: Int64, to: Int64, names: [String]?) async throws -> EventFrame
    /// Whether the store answers.
    func ping() async throws
}

/// People: profiles, identities, tags, merges and erasure.
public protocol PeopleRepository: Sendable {
    /// The profile of a person; asking for a merged-away id gives the survivor's profile.
    func person(id: Int64, workspaceId: Int64) async throws -> PersonProfile?
    func searchPeople(workspaceId: Int64, query: PeopleQuery) async throws -> Page<PersonProfile>
    /// People in id order after `afterId`, canonical only, with their identities and tags (for
    /// export: three queries a page, each reading only that page's people). With `seenSince`, only
    /// people seen at or after that instant.
    func exportPeople(workspaceId: Int64, afterId: Int64, limit: Int, seenSince: Int64?) async throws -> [ExportedPerson]
    func peopleCount(workspaceId: Int64) async throws -> Int
    func identities(personId: Int64, workspaceId: Int64) async throws -> [IdentityRecord]
    /// The person an identity belongs to (canonical).
    func personId(identity: IdentityKey, workspaceId: Int64) async throws -> Int64?
    /// A person's events, newest first, before an opaque cursor.
    func timeline(personId: Int64, workspaceId: Int64, limit: Int, cursor: String?) async throws -> Page<StoredEvent>
    func tags(personId: Int64, workspaceId: Int64) async throws -> [String]
    func setTags(personId: Int64, workspaceId: Int64, add: [String], remove: [String]) async throws -> [String]
    /// Deletes a person with every merged person, identity, tag and event, and puts their message
    /// ids and identities (hashed) on the suppression list.
    func erasePerson(id: Int64, workspaceId: Int64) async throws -> ErasureSummary
    /// How many message ids and identities of erased people are on the suppression list, by kind.
    func suppressionCounts(workspaceId: Int64) async throws -> [String: Int]
    /// Takes an identity off the suppression list, so that its events are stored again; whether it was on it.
    func liftSuppression(identity: IdentityKey, workspaceId: Int64) async throws -> Bool
    func merges(workspaceId: Int64, personId: Int64?, limit: Int) async throws -> [MergeLogEntry]
    /// Splits a merge: the loser's identities and events go back to it and both profiles are rebuilt.
    func undoMerge(id: Int64, workspaceId: Int64, at: Int64) async throws -> MergeLogEntry
    func conflicts(workspaceId: Int64, limit: Int) async throws -> [ConflictLogEntry]
}

/// Console users of a workspace and their browser sessions.
public protocol UserRepository: Sendable {
    /// Adds a user; the e-mail is normalised and must be new in the workspace (else ``StoreError/conflict(_:)``).
    func createUser(
        workspaceId: Int64,
        email: String,
        displayName: String,
        passwordHash: String,
        role: ConsoleRole,
        locale: String?
    ) async throws -> ConsoleUser
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

/// Everything Siyu keeps, behind one value the server and the command line share.
public typealias SiyuStore = WorkspaceRepository & EventRepository & PeopleRepository & AnalyticsRepository & SegmentRepository
    & LabelRepository & AttributeRepository
    & SettingsRepository & UserRepository
