import Hummingbird
import SiyuStore

/// The request context of every route: Hummingbird's core context plus the workspace an
/// admin token authenticated.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AdminAuthMiddleware``.
    public var workspace: Workspace?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.workspace = nil
    }

    /// Ingestion collects bodies itself with its own limits; admin uploads (CSV) may be larger.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }

    /// The authenticated workspace; routes behind ``AdminAuthMiddleware`` always have one.
    func requireWorkspace() throws -> Workspace {
        guard let workspace else { throw APIError(.unauthorized, code: "unauthorized", message: "an admin token is required") }
        return workspace
    }
}
