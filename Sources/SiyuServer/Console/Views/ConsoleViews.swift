import HTTPTypes
import Hummingbird
import Mustache
import SiyuCore

/// What a handler asks the console to show: a template, its title and its data.
public struct ConsoleView {
    /// Template name (`board` for `Resources/templates/board.mustache`).
    public var template: String
    /// String-table key of the page title.
    public var titleKey: String
    /// The navigation entry to mark as current.
    public var navId: String?
    /// The page's own values; templates see them at the top level beside the layout's (`t`, `user`, `nav`, …).
    public var data: [String: Any]

    public init(template: String, titleKey: String, navId: String? = nil, data: [String: Any] = [:]) {
        self.template = template
        self.titleKey = titleKey
        self.navId = navId
        self.data = data
    }

    /// A page whose values are a view-model struct (`XxxPage.Model`): its stored properties are
    /// what the template sees at the top level (a `nil` one is absent); nested structs and arrays
    /// of them render through swift-mustache's reflection.
    init(template: String, titleKey: String, navId: String? = nil, model: some Any) {
        var values: [String: Any] = [:]
        for child in Mirror(reflecting: model).children {
            guard let label = child.label else { continue }
            let value = Mirror(reflecting: child.value)
            if value.displayStyle == .optional {
                guard let wrapped = value.children.first?.value else { continue }
                values[label] = wrapped
            } else {
                values[label] = child.value
            }
        }
        self.init(template: template, titleKey: titleKey, navId: navId, data: values)
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
        let strings = resources.strings(context.locale)
        var values = layoutValues(request: request, context: context, strings: strings)
        values["title"] = strings.text(view.titleKey)
        values["nav"] = (context.console.map { navigation.items(for: $0.role) } ?? []).map { item -> [String: Any] in
            ["href": item.path, "label": strings.text(item.labelKey), "active": item.id == view.navId]
        }
        for (key, value) in view.data { values[key] = value }
        return try render(view.template, values)
    }

    /// A piece of HTML from a template without the layout (rows refreshed by a script).
    public func fragment(_ template: String, data: [String: Any], locale: ConsoleLocale) throws -> String {
        var values = data
        values["t"] = resources.strings(locale).tree
        return try render(template, values)
    }

    private func render(_ template: String, _ values: [String: Any]) throws -> String {
        guard let html = resources.templates.render(values, withTemplate: template) else {
            throw ConsoleResourceError("no console template named `\(template)`")
        }
        return html
    }

    /// The values every page's layout reads.
    private func layoutValues(request: Request, context: AppRequestContext, strings: StringTable) -> [String: Any] {
        var values: [String: Any] = [
            "t": strings.tree,
            "lang": context.locale.htmlLang,
            "assetVersion": resources.assets.version,
            "signedIn": context.console != nil,
        ]
        let here = Self.pathWithoutLanguage(request)
        values["locales"] = ConsoleLocale.allCases.map { locale -> [String: Any] in
            [
                "code": locale.rawValue, "name": locale.nativeName, "current": locale == context.locale,
                "href": here + (here.contains("?") ? "&" : "?") + "lang=" + locale.rawValue,
            ]
        }
        values["here"] = here
        if let identity = context.console {
            values["workspaceName"] = identity.workspace.name
            values["csrf"] = identity.session.csrfToken
            values["user"] = [
                "displayName": identity.user.displayName, "email": identity.user.email,
                "roleLabel": strings.text("roles." + identity.role.rawValue),
            ]
        }
        return values
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
