import SiyuCore
import SiyuStore

/// Logs console users in and out and finds the user behind a session cookie.
public struct ConsoleAuthenticator: Sendable {
    /// How a login attempt ended.
    public enum LoginOutcome: Sendable {
        /// Logged in: `token` goes into the session cookie.
        case success(user: ConsoleUser, token: String)
        /// Wrong address or password (which of the two is not said).
        case failure
        /// Too many failures lately: try again after this many seconds.
        case throttled(seconds: Int)
    }

    let store: any WorkspaceRepository & UserRepository
    let hasher: PasswordHasher
    let throttle: LoginThrottle
    let clock: @Sendable () -> Int64

    /// A session's activity is written at most this often (and the expiry slid then).
    static let touchIntervalMillis: Int64 = 5 * 60_000
    static let lifetimeMillis = Int64(ConsoleCookies.sessionLifetimeSeconds) * 1000

    public init(
        store: any WorkspaceRepository & UserRepository,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        clock: @escaping @Sendable () -> Int64
    ) {
        self.store = store
        self.hasher = hasher
        self.throttle = throttle
        self.clock = clock
    }

    /// Checks an address and password; on success opens a session. `client` is the caller's address, for throttling.
    public func login(email: String, password: String, client: String) async throws -> LoginOutcome {
        let now = clock()
        // The attempt is reserved before the (slow) hash is checked, so that parallel guesses
        // count towards the limit while they are being checked.
        if let wait = await throttle.begin(email: email, client: client, now: now) {
            return .throttled(seconds: Int((wait + 999) / 1000))
        }
        let matched: ConsoleUser?
        do {
            matched = try await check(email: email, password: password)
        } catch {
            await throttle.end(email: email, client: client, succeeded: false, now: clock())
            throw error
        }
        await throttle.end(email: email, client: client, succeeded: matched != nil, now: clock())
        guard let user = matched else { return .failure }
        _ = try await store.deleteExpiredSessions(now: now)
        let token = Secrets.random(length: 43)
        try await store.createSession(
            ConsoleSession(
                tokenHash: Secrets.hashToken(token),
                userId: user.id,
                workspaceId: user.workspaceId,
                csrfToken: Secrets.random(length: 32),
                createdAt: now,
                expiresAt: now + Self.lifetimeMillis,
                lastSeen: now
            )
        )
        return .success(user: user, token: token)
    }

    /// The enabled account that `password` opens at `email`, checking a decoy hash when there is
    /// none so that the answer takes as long either way.
    private func check(email: String, password: String) async throws -> ConsoleUser? {
        let candidates = email.isEmpty ? [] : try await store.users(email: email).filter { !$0.disabled }
        if candidates.isEmpty {
            try await hasher.verifyDecoy(password)
            return nil
        }
        // The same address may belong to several workspaces; the password picks the account.
        for candidate in candidates where try await hasher.verify(password, hash: candidate.passwordHash) {
            return candidate
        }
        return nil
    }

    /// The identity of a session token, or nil when the session is unknown, expired, or its user disabled.
    /// `renewed` says the expiry was slid forward, so the cookie should be sent again.
    public func identity(token: String) async throws -> (identity: ConsoleIdentity, renewed: Bool)? {
        guard !token.isEmpty, token.count <= 128 else { return nil }
        let now = clock()
        guard var session = try await store.session(tokenHash: Secrets.hashToken(token)), session.expiresAt > now else { return nil }
        guard let user = try await store.user(id: session.userId), !user.disabled, user.workspaceId == session.workspaceId,
            let workspace = try await store.workspace(id: session.workspaceId)
        else { return nil }
        var renewed = false
        if now - session.lastSeen >= Self.touchIntervalMillis {
            session.lastSeen = now
            session.expiresAt = now + Self.lifetimeMillis
            try await store.touchSession(tokenHash: session.tokenHash, lastSeen: now, expiresAt: session.expiresAt)
            renewed = true
        }
        return (ConsoleIdentity(user: user, workspace: workspace, session: session), renewed)
    }

    public func logout(token: String) async throws {
        try await store.deleteSession(tokenHash: Secrets.hashToken(token))
    }
}
