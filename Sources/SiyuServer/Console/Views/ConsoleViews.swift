import HTTPTypes
import Hummingbird
import Mustache
import SiyuCore

/// What a handler asks the console to show: a template, its title and its view model.
public struct ConsoleView {
    /// Template name (`board` for `Resources/templates/board.mustache`).
    public var template: String
    /// String-table key of the page title.
    public var titleKey: String
    /// The navigation entry to mark as current.
    public var navId: String?
    /// The page's view model (`XxxPage.Model`): its stored properties are what the template sees at
    /// the top level beside the layout's (`t`, `user`, `nav`, …); a `nil` one is absent, and nested
    /// structs and arrays of them render through swift-mustache's reflection.
    var model: Any
    /// A message after an action, shown above the page (`notice`, `noticeIsError`).
    var notice: ConsoleNotice?

    init(template: String, titleKey: String, navId: String? = nil, model: some Any, notice: ConsoleNotice? = nil) {
        self.template = template
        self.titleKey = titleKey
        self.navId = navId
        self.model = model
        self.notice = notice
    }
}

/// Renders console pages: the page's template inside the layout, with the strings of the request's
/// language, the navigation the user's role may see and the session's CSRF token.
public struct ConsoleViews: Sendable {
    public let resources: ConsoleResources
    public let navigation: ConsoleNavigation

    public init(resources: ConsoleResources, navigation: ConsoleNavigation) {
        self.resources = resources
        self.navigation = navigation
    }

    public func strings(_ context: AppRequestContext) -> StringTable { resources.strings(context.locale) }

    /// An HTML response for a page.
    public func page(
        _ view: ConsoleView,
        request: Request,
        context: AppRequestContext,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let html = try self.html(view, request: request, context: context)
        return Self.htmlResponse(html, status: status)
    }

    /// The HTML of a page.
    public func html(_ view: ConsoleView, request: Request, context: AppRequestContext) throws -> String {
        let layout = self.layout(view, request: request, context: context)
        return try render(view.template, ConsoleTemplateValues(layers: [view.model, layout]))
    }

    /// A piece of HTML from a template without the layout (rows refreshed by a script): the
    /// template sees `model`'s properties and the strings `t`.
    func fragment(_ template: String, model: some Any, locale: ConsoleLocale) throws -> String {
        try render(template, ConsoleTemplateValues(layers: [model, ConsoleLayout.Strings(t: resources.strings(locale).tree)]))
    }

    private func render(_ template: String, _ values: ConsoleTemplateValues) throws -> String {
        guard let html = resources.templates.render(values, withTemplate: template) else {
            throw ConsoleResourceError("no console template named `\(template)`")
        }
        return html
    }

    /// The values every page's layout reads.
    private func layout(_ view: ConsoleView, request: Request, context: AppRequestContext) -> ConsoleLayout {
        let strings = resources.strings(context.locale)
        let here = Self.pathWithoutLanguage(request)
        let identity = context.console
        return ConsoleLayout(
            t: strings.tree,
            lang: context.locale.htmlLang,
            assetVersion: resources.assets.version,
            signedIn: identity != nil,
            locales: ConsoleLocale.allCases.map { locale in
                ConsoleLayout.Language(
                    code: locale.rawValue,
                    name: locale.nativeName,
                    current: locale == context.locale,
                    href: here + (here.contains("?") ? "&" : "?") + "lang=" + locale.rawValue
                )
            },
            here: here,
            workspaceName: identity?.workspace.name,
            csrf: identity?.session.csrfToken,
            user: identity.map { identity in
                ConsoleLayout.User(
                    displayName: identity.user.displayName,
                    email: identity.user.email,
                    roleLabel: strings.text("roles." + identity.role.rawValue)
                )
            },
            title: strings.text(view.titleKey),
            nav: (identity.map { navigation.items(for: $0.role) } ?? []).map { item in
                ConsoleLayout.NavLink(href: item.path, label: strings.text(item.labelKey), active: item.id == view.navId)
            },
            notice: view.notice?.text,
            noticeIsError: view.notice?.isError ?? false
        )
    }

    /// The request's path and query without `lang=…`, for the language switch to come back to.
    static func pathWithoutLanguage(_ request: Request) -> String {
        let uri = request.uri
        let kept = (uri.query ?? "").split(separator: "&").filter { !$0.isEmpty && $0 != "lang" && !$0.hasPrefix("lang=") }
        return uri.path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// An HTML response with the headers every console page carries.
    static func htmlResponse(_ html: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: securityHeaders(contentType: "text/html; charset=utf-8"), body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Private pages are not cached; pages may not be framed; scripts and styles come only from Siyu.
    static func securityHeaders(contentType: String) -> HTTPFields {
        [
            .contentType: contentType, .cacheControl: "no-store", .xContentTypeOptions: "nosniff", .xFrameOptions: "DENY",
            .referrerPolicy: "same-origin",
            .contentSecurityPolicy:
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ]
    }
}
