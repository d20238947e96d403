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
