import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// Admin API for a workspace's credentials: list, issue and revoke write keys and admin tokens.
/// A revocation takes effect at once in this server (its caches are cleared); another server on
/// the same store stops accepting the key within 10 seconds.
struct KeysController: Sendable {
    let store: any SiyuStore
    let directory: WorkspaceDirectory
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("keys", use: list)
        group.post("keys/write", use: issueWriteKey)
        group.delete("keys/write/:id", use: revokeWriteKey)
        group.post("keys/admin", use: issueAdminToken)
        group.delete("keys/admin/:id", use: revokeAdminToken)
    }

    /// `GET /api/v1/keys`: live write keys (masked, with an id) and admin tokens (name and id; never the token).
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let keys = try await store.writeKeys(workspaceId: workspace.id)
        let tokens = try await store.adminTokens(workspaceId: workspace.id)
        return JSONResponse.make([
            "writeKeys": .array(keys.map { ["id": .string(Secrets.writeKeyId($0)), "key": .string(Secrets.maskedKey($0))] }),
            "adminTokens": .array(
                tokens.map { ["id": .int($0.id), "name": .string($0.name), "createdAt": .string(Timestamp.iso8601($0.createdAt))] }
            ),
        ])
    }

    /// `POST /api/v1/keys/write`: a new write key, answered in full once.
    @Sendable func issueWriteKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let key = try await store.createWriteKey(workspaceId: workspace.id)
        return JSONResponse.make(["id": .string(Secrets.writeKeyId(key)), "writeKey": .string(key)], status: .created)
    }

    /// `DELETE /api/v1/keys/write/:id` (the id from the list, or the key itself).
    @Sendable func revokeWriteKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let given = context.parameters.get("id") ?? ""
        let keys = try await store.writeKeys(workspaceId: workspace.id)
        guard let key = keys.first(where: { $0 == given || Secrets.writeKeyId($0) == given }) else {
            throw APIError.notFound("no live write key \(given) in this workspace")
        }
        _ = try await store.revokeWriteKey(key, workspaceId: workspace.id)
        directory.invalidate(workspaceId: workspace.id)
        return JSONResponse.make(["revoked": .string(Secrets.writeKeyId(key))])
    }

    /// `POST /api/v1/keys/admin {"name": "erp-sync"}`: a new admin token, answered in full once (stored hashed).
    @Sendable func issueAdminToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let body = try await JSONBody.read(request)
        guard let name = body["name"]?.stringValue?.trimmingCharacters(in: .whitespaces), (1...64).contains(name.count) else {
            throw APIError.badRequest("name the token: 1 to 64 characters, e.g. erp-sync", field: "name")
        }
        let token = try await store.createAdminToken(workspaceId: workspace.id, name: name, replacing: false)
        let id = try await store.adminTokens(workspaceId: workspace.id).last { $0.name == name }?.id
        return JSONResponse.make(["id": id.map(JSONValue.int) ?? .null, "name": .string(name), "adminToken": .string(token)], status: .created)
    }

    /// `DELETE /api/v1/keys/admin/:id`; revoking the token of the request itself is allowed (it stops working at once).
    @Sendable func revokeAdminToken(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        guard let id = context.parameters.get("id", as: Int64.self) else { throw APIError.badRequest("token id must be a number", field: "id") }
        guard try await store.revokeAdminToken(id: id, workspaceId: workspace.id) else {
            throw APIError.notFound("no live admin token \(id) in this workspace")
        }
        directory.invalidate(workspaceId: workspace.id)
        return JSONResponse.make(["revoked": .int(id)])
    }
}
