import Mustache

/// What the layout template reads around every page: the strings, the language switch, the
/// signed-in user, the navigation and the notice after an action.
struct ConsoleLayout {
    /// The strings of the reader's language (`{{t.board.title}}`).
    var t: TextTree
    var lang: String
    var assetVersion: String
    var signedIn: Bool
    var locales: [Language]
    /// The request's path without `lang=`, for the language switch to come back to.
    var here: String
    var workspaceName: String?
    var csrf: String?
    var user: User?
    var title: String
    var nav: [NavLink]
    var notice: String?
    var noticeIsError: Bool

    struct Language {
        var code: String
        var name: String
        var current: Bool
        var href: String
    }

    struct User {
        var displayName: String
        var email: String
        var roleLabel: String
    }

    struct NavLink {
        var href: String
        var label: String
        var active: Bool
    }

    /// All a fragment sees besides its model.
    struct Strings {
        var t: TextTree
    }
}

/// The top level a console template sees: each layer's stored properties, the first layer that
/// has a (non-`nil`) value of a name winning — the page's model before the layout.
struct ConsoleTemplateValues: MustacheParent {
    let layers: [Any]

    func child(named name: String) -> Any? {
        for layer in layers {
            if let value = Self.property(name, of: layer) { return value }
        }
        return nil
    }

    /// The stored property `name` of `value` (its wrapped value when optional; `nil` when absent or `nil`).
    static func property(_ name: String, of value: Any) -> Any? {
        if let parent = value as? MustacheParent { return parent.child(named: name) }
        guard let child = Mirror(reflecting: value).children.first(where: { $0.label == name }) else { return nil }
        let mirror = Mirror(reflecting: child.value)
        guard mirror.displayStyle == .optional else { return child.value }
        return mirror.children.first?.value
    }
}
