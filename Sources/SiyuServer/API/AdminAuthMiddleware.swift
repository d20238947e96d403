import Hummingbird
import SiyuStore

/// Authenticates admin API calls by `Authorization: Bearer <admin token>` and puts the token's
/// workspace on the context. Every admin route reads and writes only that workspace.
struct AdminAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let directory: WorkspaceDirectory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(
                .unauthorized,
                code: "unauthorized",
                message: "an admin token is required: Authorization: Bearer <token>",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(
                .unauthorized,
                code: "unauthorized",
                message: "use Authorization: Bearer <admin token>",
                headers: [.wwwAuthenticate: "Bearer"]
            )
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard let workspace = try await directory.workspace(adminToken: token) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "unknown or revoked admin token", headers: [.wwwAuthenticate: "Bearer"])
        }
        var context = context
        context.workspace = workspace
        return try await next(request, context)
    }
}
