import Foundation
import Hummingbird

/// Requires a console session: puts the user, workspace and role on the context, slides the
/// session's expiry, and sends anyone without a session to the login page (`?next=` brings them back).
struct ConsoleAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let authenticator: ConsoleAuthenticator
    let views: ConsoleViews

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = request.cookies[ConsoleCookies.session]?.value ?? ""
        guard let (identity, renewed) = try await authenticator.identity(token: token) else {
            var response = Response.redirect(to: Self.loginLocation(for: request))
            if !token.isEmpty { response.setCookie(ConsoleCookies.expired(ConsoleCookies.session, request: request)) }
            return response
        }
        var context = context
        context.console = identity
        if !context.localeIsExplicit, let saved = identity.user.locale.flatMap({ ConsoleLocale(tag: $0) }) { context.locale = saved }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Rendered here, where the page knows the user (navigation, user menu, language).
            response = views.errorResponse(error, request: request, context: context)
        }
        if renewed { response.setCookie(ConsoleCookies.session(token, request: request)) }
        return response
    }

    /// `/console/login?next=<where the user wanted to go>` (pages only: a form post comes back to the board).
    static func loginLocation(for request: Request) -> String {
        guard request.method == .get || request.method == .head else { return "/console/login" }
        var wanted = request.uri.path
        if let query = request.uri.query, !query.isEmpty { wanted += "?" + query }
        guard wanted != "/console" && wanted != "/console/" else { return "/console/login" }
        return "/console/login?next=" + (wanted.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "/console")
    }
}

extension CharacterSet {
    /// Characters that may stand unescaped in a query value.
    static let urlQueryValueAllowed = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+?#"))
}
