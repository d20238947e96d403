/// A parsed SVG (or any XML) element, for checking chart output.
struct SVGElement {
    var name: String
    var attributes: [String: String]
    var children: [SVGElement]
    /// Direct character data, entities decoded.
    var text: String

    /// This element and all its descendants named `name`, in document order.
    func all(_ name: String) -> [SVGElement] {
        (self.name == name ? [self] : []) + children.flatMap { $0.all(name) }
    }

    /// The text of the `<title>` child (the tooltip), if any.
    var title: String? { children.first { $0.name == "title" }?.text }

    /// A numeric attribute.
    func number(_ key: String) -> Double? { attributes[key].flatMap { Double($0) } }
}
