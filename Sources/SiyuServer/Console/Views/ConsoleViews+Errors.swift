import Hummingbird
import SiyuCore

extension ConsoleViews {
    /// The error page for `error`, in the console layout and the request's language.
    func errorResponse(_ error: any Error, request: Request, context: AppRequestContext) -> Response {
        let page = ConsolePageError.from(error)
        if page == .internalError {
            context.logger.error("console request failed", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
        }
        let strings = resources.strings(context.locale)
        var model = ErrorModel(
            status: Int(page.status.code),
            errorTitle: strings.text("errors.\(page.key).title"),
            errorMessage: strings.text("errors.\(page.key).message")
        )
        switch page {
        case .badRequest(let detail): model.detail = detail
        case .forbidden(let action):
            model.detail = strings.text(
                "errors.forbidden.detail",
                [
                    "role": strings.text("roles." + (context.console?.role.rawValue ?? "viewer")),
                    "needed": strings.text("roles." + action.minimumRole.rawValue),
                ]
            )
        default: break
        }
        let view = ConsoleView(template: "error", titleKey: "errors.\(page.key).title", model: model)
        do {
            return try self.page(view, request: request, context: context, status: page.status)
        } catch {
            // The error template itself failed: plain text still tells the user what happened.
            return Response(
                status: page.status,
                headers: Self.securityHeaders(contentType: "text/plain; charset=utf-8"),
                body: .init(byteBuffer: ByteBuffer(string: "\(page.status.code) \(page.status.reasonPhrase)\n"))
            )
        }
    }
}

/// What `error.mustache` shows.
struct ErrorModel {
    var status: Int
    var errorTitle: String
    var errorMessage: String
    /// What was wrong with the request, or which role the action needs.
    var detail: String?
}
