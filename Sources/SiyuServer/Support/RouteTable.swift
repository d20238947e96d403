import SiyuAPI
import SiyuCore

/// The contract's paths and the methods each takes, so that a request for a path that exists with
/// another method is answered 405 with `Allow` (the router alone answers 404 for both).
struct RouteTable: Sendable {
    /// A path's segments (nil for a `{parameter}`) and its methods, upper-case.
    let routes: [(segments: [String?], methods: [String])]

    /// The served contract's routes.
    static let contract = RouteTable(document: (try? JSONParser.parse(APIDocument.json)) ?? .null)

    init(document: JSONValue) {
        let verbs = ["get", "put", "post", "delete", "patch", "head", "options"]
        var routes: [(segments: [String?], methods: [String])] = []
        for (path, item) in document["paths"]?.objectValue ?? [:] {
            let methods = verbs.filter { item[$0] != nil }.map { $0.uppercased() }
            guard !methods.isEmpty else { continue }
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") && $0.hasSuffix("}") ? nil : String($0) }
            routes.append((segments, methods))
        }
        self.routes = routes
    }

    /// The methods the contract lists for `path`, nil when it has no such path.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == parts.count && zip(route.segments, parts).allSatisfy { segment, part in segment.map { $0 == part } ?? true }
        }
        guard !matching.isEmpty else { return nil }
        var methods: [String] = []
        for route in matching { for method in route.methods where !methods.contains(method) { methods.append(method) } }
        return methods
    }
}
