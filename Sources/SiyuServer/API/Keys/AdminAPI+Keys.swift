import Foundation
import SiyuAPI
import SiyuCore
import SiyuStore

/// A workspace's credentials: list, issue and revoke write keys and admin tokens. A revocation
/// takes effect at once in this server (its caches are cleared); another server on the same store
/// stops accepting the key within 10 seconds.
extension AdminAPI {
    /// `GET /api/v1/keys`: live write keys (masked, with an id) and admin tokens (name and id; never the token).
    func listKeys(_ input: Operations.ListKeys.Input) async throws -> Operations.ListKeys.Output {
        let workspace = try workspace
        let keys = try await workspaces.writeKeys(workspaceId: workspace.id)
        let tokens = try await workspaces.adminTokens(workspaceId: workspace.id)
        return .ok(
            .init(
                body: .json(
                    .init(
                        writeKeys: keys.map { .init(id: Secrets.writeKeyId($0), key: Secrets.maskedKey($0)) },
                        adminTokens: tokens.map { .init(id: $0.id, name: $0.name, createdAt: Timestamp.iso8601($0.createdAt)) }
                    )
                )
            )
        )
    }

    /// `POST /api/v1/keys/write`: a new write key, answered in full once.
    func createWriteKey(_ input: Operations.CreateWriteKey.Input) async throws -> Operations.CreateWriteKey.Output {
        let key = try await workspaces.createWriteKey(workspaceId: try workspace.id)
        return .created(.init(body: .json(.init(id: Secrets.writeKeyId(key), writeKey: key))))
    }

    /// `DELETE /api/v1/keys/write/{id}` (the id from the list, or the key itself).
    func revokeWriteKey(_ input: Operations.RevokeWriteKey.Input) async throws -> Operations.RevokeWriteKey.Output {
        let workspace = try workspace
        let given = input.path.id
        let keys = try await workspaces.writeKeys(workspaceId: workspace.id)
        guard let key = keys.first(where: { $0 == given || Secrets.writeKeyId($0) == given }) else {
            throw APIError.notFound("no live write key \(given) in this workspace")
        }
        _ = try await workspaces.revokeWriteKey(key, workspaceId: workspace.id)
        directory.invalidate(workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(revoked: Secrets.writeKeyId(key)))))
    }

    /// `POST /api/v1/keys/admin {"name": "erp-sync"}`: a new admin token, answered in full once (stored hashed).
    func createAdminToken(_ input: Operations.CreateAdminToken.Input) async throws -> Operations.CreateAdminToken.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("name the token: 1 to 64 characters, e.g. erp-sync") }
        let name = body.name.trimmingCharacters(in: .whitespaces)
        guard (1...64).contains(name.count) else {
            throw APIError.badRequest("name the token: 1 to 64 characters, e.g. erp-sync", field: "name")
        }
        let token = try await workspaces.createAdminToken(workspaceId: workspace.id, name: name, replacing: false)
        let id = try await workspaces.adminTokens(workspaceId: workspace.id).last { $0.name == name }?.id
        return .created(.init(body: .json(.init(id: id, name: name, adminToken: token))))
    }

    /// `DELETE /api/v1/keys/admin/{id}`; revoking the token of the request itself is allowed (it stops working at once).
    func revokeAdminToken(_ input: Operations.RevokeAdminToken.Input) async throws -> Operations.RevokeAdminToken.Output {
        let workspace = try workspace
        let id = input.path.id
        guard try await workspaces.revokeAdminToken(id: id, workspaceId: workspace.id) else {
            throw APIError.notFound("no live admin token \(id) in this workspace")
        }
        directory.invalidate(workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(revoked: id))))
    }
}
