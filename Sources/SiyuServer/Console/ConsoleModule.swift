import Hummingbird
import SiyuCore
import SiyuStore

/// The web console under `/console`: static files, login, and every page behind the login.
///
/// Routing layers, outside in: ``ConsoleFrontMiddleware`` (language, error pages) → the public
/// routes (static files, login) → ``ConsoleAuthMiddleware`` (session, user, role) →
/// ``ConsoleCSRFMiddleware`` (token on every post) → the pages.
public struct ConsoleModule: Sendable {
    public let views: ConsoleViews
    public let authenticator: ConsoleAuthenticator
    let pages: [any ConsolePage]
    let store: any SiyuStore
    let trustedProxies: TrustedProxies

    public init(services: AppServices, resources: ConsoleResources) {
        let pages = Self.pages(services)
        self.pages = pages
        self.store = services.store
        self.trustedProxies = services.trustedProxies
        self.views = ConsoleViews(resources: resources, navigation: ConsoleNavigation(pages: pages))
        self.authenticator = services.authenticator
    }

    /// Every console page, in no particular order (the navigation sorts by each entry's `order`).
    /// A new page is added here.
    static func pages(_ services: AppServices) -> [any ConsolePage] {
        [
            BoardPage(store: services.store, cache: services.analytics, clock: services.clock),
            PeoplePage(store: services.store),
            SegmentsPage(store: services.store, cache: services.analytics, clock: services.clock),
            SettingsPage(store: services.store, directory: services.directory, clock: services.clock),
            FunnelPage(store: services.store, cache: services.analytics, clock: services.clock),
            RetentionPage(store: services.store, cache: services.analytics, clock: services.clock),
            LifecyclePage(store: services.store, cache: services.analytics, clock: services.clock),
            ReportsPage(store: services.store, cache: services.analytics, clock: services.clock),
            CampaignPage(store: services.store, cache: services.analytics, clock: services.clock),
            RFMPage(store: services.store, cache: services.analytics, clock: services.clock),
            TiersPage(store: services.store, cache: services.analytics, clock: services.clock),
            ConcentrationPage(store: services.store, cache: services.analytics, clock: services.clock),
            CustomerValuePage(store: services.store, cache: services.analytics, clock: services.clock),
            TeamPage(store: services.store, admin: ConsoleUserAdmin(store: services.store, hasher: services.authenticator.hasher)),
            JourneysPage(store: services.store, clock: services.clock),
            OutboxPage(store: services.store, clock: services.clock),
            TasksPage(store: services.store, clock: services.clock),
        ]
    }

    public func addRoutes(to router: Router<AppRequestContext>) {
        addFaviconRoute(to: router)
        let console = router.group("console").add(middleware: ConsoleFrontMiddleware(views: views))
        let assets = views.resources.assets
        console.get("static/{name}") { request, context in
            guard let name = context.parameters.get("name"), let response = assets.response(name: name, request: request) else {
                throw ConsolePageError.notFound
            }
            return response
        }
        let login = LoginPage(authenticator: authenticator, store: store, views: views, trustedProxies: trustedProxies)
        login.addPublicRoutes(to: console)
        let pagesGroup = console.group().add(middleware: ConsoleAuthMiddleware(authenticator: authenticator, views: views))
            .add(middleware: ConsoleCSRFMiddleware())
        login.addSessionRoutes(to: pagesGroup)
        for page in pages { page.addRoutes(to: pagesGroup, views: views) }
        // Anything else under /console, once logged in, is a page that does not exist.
        pagesGroup.get("**") { _, _ -> Response in throw ConsolePageError.notFound }
        pagesGroup.post("**") { _, _ -> Response in throw ConsolePageError.notFound }
    }
}
