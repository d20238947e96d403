import Hummingbird

extension ConsoleModule {
    /// `/favicon.ico`, which browsers ask for on their own: the console's SVG icon, so that no
    /// page load logs a 404 (pages link `/console/static/favicon.svg` themselves).
    func addFaviconRoute(to router: Router<AppRequestContext>) {
        let assets = views.resources.assets
        router.get("favicon.ico") { request, _ -> Response in
            guard let response = assets.response(name: "favicon.svg", request: request) else { throw HTTPError(.notFound) }
            return response
        }
    }
}
