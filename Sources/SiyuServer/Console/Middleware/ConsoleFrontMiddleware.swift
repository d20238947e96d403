import Hummingbird

/// The outermost layer of every `/console` route: picks the request's language and turns any error
/// into an error page in that language.
///
/// The language: `?lang=` (which also sets the `siyu_lang` cookie), else that cookie, else — once
/// ``ConsoleAuthMiddleware`` knows the user — the user's saved language, else `Accept-Language`,
/// else Chinese.
struct ConsoleFrontMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: ConsoleViews

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let chosen = request.uri.queryParameters.get("lang").flatMap { ConsoleLocale(tag: $0) }
        if let locale = chosen ?? request.cookies[ConsoleCookies.language].flatMap({ ConsoleLocale(tag: $0.value) }) {
            context.locale = locale
            context.localeIsExplicit = true
        } else {
            context.locale = request.headers[.acceptLanguage].flatMap { ConsoleLocale.preferred(acceptLanguage: $0) } ?? .fallback
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = views.errorResponse(error, request: request, context: context)
        }
        if let chosen { response.setCookie(ConsoleCookies.language(chosen, request: request)) }
        return response
    }
}
