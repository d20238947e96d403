import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/login` (form and check), `/console/logout` and `/console/locale` (the language switch).
struct LoginPage: Sendable {
    let authenticator: ConsoleAuthenticator
    let store: any UserRepository
    let views: ConsoleViews
    let trustedProxies: TrustedProxies

    /// Routes anyone may reach (the login form and its post).
    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("login") { request, context in try await self.form(request, context) }
        group.post("login") { request, context in try await self.login(request, context) }
    }

    /// Routes for a logged-in user; CSRF-checked like every post behind the login.
    func addSessionRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("logout") { request, context in try await self.logout(request, context) }
        group.post("locale") { request, context in try await self.switchLocale(request, context) }
    }

    /// The form; someone already logged in goes straight on.
    func form(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let next = ConsoleRedirect.safe(request.uri.queryParameters.get("next"))
        if let token = request.cookies[ConsoleCookies.session]?.value, try await authenticator.identity(token: token) != nil {
            return .redirect(to: next)
        }
        return try render(request, context, next: next, email: "", message: nil, status: .ok)
    }

    func login(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        let next = ConsoleRedirect.safe(form["next"])
        let email = String((form["email"] ?? "").prefix(254))
        let strings = views.strings(context)
        // Login CSRF: the form's token must match the cookie set with the form.
        guard let cookie = request.cookies[ConsoleCookies.login]?.value, let sent = form["_csrf"], !cookie.isEmpty, ConstantTime.equals(cookie, sent)
        else {
            return try render(request, context, next: next, email: email, message: strings.text("login.expired"), status: .forbidden)
        }
        let password = String((form["password"] ?? "").prefix(1024))
        switch try await authenticator.login(
            email: email,
            password: password,
            client: ConsoleClient.address(request, context, trusted: trustedProxies)
        ) {
        case .success(let user, let token):
            var response = Response.redirect(to: next)
            response.setCookie(ConsoleCookies.session(token, request: request))
            response.setCookie(ConsoleCookies.expired(ConsoleCookies.login, path: "/console/login", request: request))
            if !context.localeIsExplicit, let saved = user.locale.flatMap({ ConsoleLocale(tag: $0) }) {
                response.setCookie(ConsoleCookies.language(saved, request: request))
            }
            return response
        case .failure:
            return try render(request, context, next: next, email: email, message: strings.text("login.failed"), status: .unauthorized)
        case .throttled(let seconds):
            var response = try render(
                request,
                context,
                next: next,
                email: email,
                message: strings.text("login.throttled", ["seconds": String(seconds)]),
                status: .tooManyRequests
            )
            response.headers[.retryAfter] = String(seconds)
            return response
        }
    }

    func logout(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        if let token = request.cookies[ConsoleCookies.session]?.value { try await authenticator.logout(token: token) }
        var response = Response.redirect(to: "/console/login")
        response.setCookie(ConsoleCookies.expired(ConsoleCookies.session, request: request))
        return response
    }

    /// Saves the chosen language on the user and in the cookie, and goes back.
    func switchLocale(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        var request = request
        let form = try await ConsoleForm.read(&request)
        guard let locale = form["lang"].flatMap({ ConsoleLocale(tag: $0) }) else { throw ConsolePageError.badRequest("lang must be zh-CN or en") }
        if var user = context.console?.user {
            user.locale = locale.rawValue
            try await store.updateUser(user)
        }
        var response = Response.redirect(to: ConsoleRedirect.safe(form["next"]))
        response.setCookie(ConsoleCookies.language(locale, request: request))
        return response
    }

    /// The login page with a fresh login CSRF token (in the form and its cookie).
    private func render(
        _ request: Request,
        _ context: AppRequestContext,
        next: String,
        email: String,
        message: String?,
        status: HTTPResponse.Status
    ) throws -> Response {
        let token = Secrets.random(length: 32)
        let model = Model(loginToken: token, next: next, email: email, message: message)
        var response = try views.page(
            ConsoleView(template: "login", titleKey: "login.title", model: model),
            request: request,
            context: context,
            status: status
        )
        response.setCookie(ConsoleCookies.login(token, request: request))
        return response
    }
}

/// Where to send the browser after a login or a switch: only a path inside the console.
public enum ConsoleRedirect {
    public static func safe(_ next: String?) -> String {
        guard let next, next.hasPrefix("/console"), !next.hasPrefix("//"), !next.contains("\\"), next.count <= 2048,
            !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return "/console" }
        // "/consolefoo" is not inside the console.
        let rest = next.dropFirst("/console".count)
        guard rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("?") else { return "/console" }
        return next
    }
}
