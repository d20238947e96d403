import SiyuCore
import SiyuStore

/// Who is using the console on this request: the user, their workspace and the session.
public struct ConsoleIdentity: Sendable {
    public var user: ConsoleUser
    public var workspace: Workspace
    public var session: ConsoleSession

    public var role: ConsoleRole { user.role }

    /// Throws a 403 page unless the user's role may perform `action`.
    public func require(_ action: ConsoleAction) throws {
        guard role.can(action) else { throw ConsolePageError.forbidden(action) }
    }
}
