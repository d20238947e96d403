import Hummingbird
import SiyuCore

/// One entry of the console's main navigation.
public struct ConsoleNavItem: Sendable, Equatable {
    /// Names the page; a page passes it as `navId` to mark its entry as the current one.
    public var id: String
    public var path: String
    /// String-table key of the label (`nav.board`).
    public var labelKey: String
    /// Position in the bar: lower first. Leave gaps (10, 20, …) so later pages fit between.
    public var order: Int
    /// Users whose role cannot do this do not see the entry.
    public var requires: ConsoleAction

    public init(id: String, path: String, labelKey: String, order: Int, requires: ConsoleAction = .read) {
        self.id = id
        self.path = path
        self.labelKey = labelKey
        self.order = order
        self.requires = requires
    }
}

/// A console page (or group of pages): its navigation entries and its routes.
///
/// To add a page: write a type conforming to this protocol, list it in ``ConsoleModule/pages(_:)``,
/// add its template under `Resources/templates/` and its strings to both tables.
public protocol ConsolePage: Sendable {
    /// Entries this page adds to the navigation (none for pages reached only by links).
    var navigation: [ConsoleNavItem] { get }
    /// Registers the page's routes on the authenticated console group (paths relative to `/console`).
    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews)
}

/// The navigation bar: every registered page's entries, in order.
public struct ConsoleNavigation: Sendable {
    public let items: [ConsoleNavItem]

    public init(pages: [any ConsolePage]) {
        items = pages.flatMap(\.navigation).sorted { ($0.order, $0.id) < ($1.order, $1.id) }
    }

    /// The entries a role may see.
    public func items(for role: ConsoleRole) -> [ConsoleNavItem] { items.filter { role.can($0.requires) } }
}
