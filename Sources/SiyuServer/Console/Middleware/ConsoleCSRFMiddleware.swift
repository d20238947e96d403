import HTTPTypes
import Hummingbird

/// Refuses every state-changing console request (POST, PUT, PATCH, DELETE) that does not carry the
/// session's CSRF token, as form field `_csrf` or header `X-CSRF-Token` (compared in constant time).
/// Runs after ``ConsoleAuthMiddleware``, so the session is known.
struct ConsoleCSRFMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let unsafeMethods: Set<HTTPRequest.Method> = [.post, .put, .patch, .delete]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.unsafeMethods.contains(request.method) else { return try await next(request, context) }
        guard let expected = context.console?.session.csrfToken else { throw ConsolePageError.csrf }
        var request = request
        let sent: String?
        if let header = request.headers[.xCSRFToken] {
            sent = header
        } else {
            sent = try await ConsoleForm.read(&request)["_csrf"]
        }
        guard let sent, ConstantTime.equals(sent, expected) else { throw ConsolePageError.csrf }
        return try await next(request, context)
    }
}
