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
/// has a (non-`nil`) value of a name winning — the page's model before the layout. The layers are
/// reflected once, when the page is rendered, not at every name a template looks up.
struct ConsoleTemplateValues: MustacheParent {
    /// Each layer's properties by name, or a layer that answers names itself.
    private enum Layer {
        case properties([String: Any])
        case parent(any MustacheParent)
    }

    private let layers: [Layer]

    init(layers: [Any]) {
        self.layers = layers.map { layer in
            if let parent = layer as? any MustacheParent { return .parent(parent) }
            var properties: [String: Any] = [:]
            for child in Mirror(reflecting: layer).children {
                guard let name = child.label, properties[name] == nil, let value = Self.unwrapped(child.value) else { continue }
                properties[name] = value
            }
            return .properties(properties)
        }
    }

    func child(named name: String) -> Any? {
        for layer in layers {
            switch layer {
            case .properties(let properties): if let value = properties[name] { return value }
            case .parent(let parent): if let value = parent.child(named: name) { return value }
            }
        }
        return nil
    }

    /// An optional's wrapped value (`nil` when it is `nil`); any other value as it is.
    static func unwrapped(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }
}
