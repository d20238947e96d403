import Hummingbird
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// How the server runs; every field has a command-line option and an environment variable.
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    /// Ingestion requests per second allowed per workspace (0 disables the limit).
    public var rateLimitPerSecond: Double
    public var logLevel: Logger.Level
    /// bcrypt cost of console passwords: 12 in production, lower in tests (4 is bcrypt's least).
    public var passwordCost: UInt8
    /// Reverse proxies whose `X-Forwarded-For` is believed; none by default.
    public var trustedProxies: TrustedProxies
    /// A connection that sends nothing (no request head, no body part) for this long, and has no
    /// request in progress, is closed: half-open connections cannot pile up. Also the longest an
    /// ingestion request may take to send its body.
    public var idleTimeoutSeconds: Int
    /// How long an analytics request waits for the merge of events that arrived since the newest
    /// dataset version; after that it is answered from that version.
    public var analyticsFreshnessWait: Duration
    /// Where analytics datasets are saved so that a restart does not rebuild them (`nil`: not saved).
    public var analyticsSnapshotDirectory: String?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        rateLimitPerSecond: Double = 2000,
        logLevel: Logger.Level = .info,
        passwordCost: UInt8 = 12,
        trustedProxies: TrustedProxies = TrustedProxies(),
        idleTimeoutSeconds: Int = 30,
        analyticsFreshnessWait: Duration = .milliseconds(100),
        analyticsSnapshotDirectory: String? = nil
    ) {
        self.host = host
        self.port = port
        self.rateLimitPerSecond = rateLimitPerSecond
        self.logLevel = logLevel
        self.passwordCost = passwordCost
        self.trustedProxies = trustedProxies
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.analyticsFreshnessWait = analyticsFreshnessWait
        self.analyticsSnapshotDirectory = analyticsSnapshotDirectory
    }
}

/// The pieces a router needs; tests build them around an in-memory store.
public struct AppServices: Sendable {
    public let store: any SiyuStore
    public let directory: WorkspaceDirectory
    public let writer: EventWriter
    public let limiter: RateLimiter
    public let metrics: SiyuMetrics
    public let analytics: AnalyticsCache
    public let clock: @Sendable () -> Int64
    public let authenticator: ConsoleAuthenticator
    public let trustedProxies: TrustedProxies
    public let idleTimeoutSeconds: Int
    /// Merges the analytics datasets' news in the background (added to the service group).
    public let analyticsRefresher: AnalyticsRefresher

    public init(store: any SiyuStore, settings: ServerSettings, logger: Logger, clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis) {
        self.store = store
        self.directory = WorkspaceDirectory(store: store, clock: clock)
        self.limiter = RateLimiter(ratePerSecond: settings.rateLimitPerSecond, clock: clock)
        self.metrics = .process
        self.analytics = AnalyticsCache(
            store: store,
            clock: clock,
            logger: logger,
            configuration: AnalyticsCache.Configuration(
                freshnessWait: settings.analyticsFreshnessWait,
                snapshotDirectory: settings.analyticsSnapshotDirectory
            )
        )
        let (refresher, commits) = AnalyticsRefresher.make(cache: analytics, logger: logger)
        self.analyticsRefresher = refresher
        self.writer = EventWriter(store: store, logger: logger, commits: commits)
        self.clock = clock
        self.trustedProxies = settings.trustedProxies
        self.idleTimeoutSeconds = settings.idleTimeoutSeconds
        self.authenticator = ConsoleAuthenticator(
            store: store,
            hasher: PasswordHasher(cost: settings.passwordCost),
            throttle: LoginThrottle(),
            clock: clock
        )
    }
}

/// Builds the Siyu application: the router, the group-commit writer, and any store services
/// (the PostgreSQL client) in one service group with graceful shutdown. Fails when the console's
/// templates, strings or static files cannot be loaded.
public func buildApplication(
    store: any SiyuStore,
    settings: ServerSettings,
    storeServices: [any Service] = [],
    logger: Logger? = nil,
    clock: @escaping @Sendable () -> Int64 = SystemClock.nowMillis,
    beforeStart: @escaping @Sendable () async throws -> Void = {},
    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
    services extra: [any Service] = [],
    routes: (Router<AppRequestContext>) -> Void = { _ in }
) throws -> some ApplicationProtocol {
    var logger = logger ?? Logger(label: "siyu")
    logger.logLevel = settings.logLevel
    let services = AppServices(store: store, settings: settings, logger: logger, clock: clock)
    let router = try buildRouter(services, console: try ConsoleResources.bundled())
    routes(router)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .seconds(Int64(settings.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "siyu"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? settings.port) },
        logger: logger
    )
    app.beforeServerStarts(perform: beforeStart)
    // Services stop in reverse order: the HTTP server first (no new requests), then the writer
    // (commits what was acknowledged... and what is queued), then the store's connections.
    app.addServices(storeServices)
    app.addServices(services.writer)
    app.addServices(services.analyticsRefresher)
    app.addServices(PeriodicJob.segmentRefresh(store: store, cache: services.analytics, clock: clock, logger: logger))
    app.addServices(PeriodicJob.labelEvaluation(store: store, cache: services.analytics, clock: clock, logger: logger))
    app.addServices(PeriodicJob.journeys(store: store, cache: services.analytics, clock: clock, logger: logger))
    // The caller's own (the demo's traffic): started last, so stopped first.
    app.addServices(extra)
    return app
}

/// The routes: ingestion under `/v1`, the admin API under `/api/v1`, the web console under
/// `/console`, and operations.
public func buildRouter(_ services: AppServices, console: ConsoleResources) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: MetricsMiddleware())
    OperationsController(store: services.store, metrics: services.metrics).addRoutes(to: router)
    IngestController(
        directory: services.directory,
        writer: services.writer,
        limiter: services.limiter,
        clock: services.clock,
        bodyTimeout: .seconds(services.idleTimeoutSeconds)
    )
    .addRoutes(to: router.group("v1"))
    try AdminAPI.register(
        AdminAPI(store: services.store, cache: services.analytics, directory: services.directory, clock: services.clock),
        on: router
    )
    ConsoleModule(services: services, resources: console).addRoutes(to: router)
    UnsubscribeController(store: services.store, clock: services.clock).addRoutes(to: router)
    return router
}
