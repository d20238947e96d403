import Hummingbird
import NIOCore
import SiyuStore

/// The request context of every route: Hummingbird's core context plus the workspace an
/// admin token authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AdminAuthMiddleware``.
    public var workspace: Workspace?
    /// The logged-in console user, set by ``ConsoleAuthMiddleware``.
    public var console: ConsoleIdentity?
    /// The console language of the request, set by ``ConsoleFrontMiddleware``.
    public var locale: ConsoleLocale = .fallback
    /// Whether the language was chosen explicitly (`?lang=` or the switch's cookie), which beats the user's saved language.
    public var localeIsExplicit = false

    /// The peer's address (nil in router tests, which have no socket).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.workspace = nil
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Ingestion collects bodies itself with its own limits; admin uploads (CSV) may be larger.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }

    /// The authenticated workspace; routes behind ``AdminAuthMiddleware`` always have one.
    func requireWorkspace() throws -> Workspace {
        guard let workspace else { throw APIError(.unauthorized, code: "unauthorized", message: "an admin token is required") }
        return workspace
    }
}
