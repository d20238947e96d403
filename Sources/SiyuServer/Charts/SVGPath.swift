/// The `d` attribute of an SVG `<path>`, built from absolute move and line commands.
struct SVGPath: Sendable, Equatable {
    /// The commands so far, e.g. `M10 20L30 40Z`.
    private(set) var data = ""

    var isEmpty: Bool { data.isEmpty }

    /// Starts a new sub-path at `(x, y)`.
    mutating func move(_ x: Double, _ y: Double) {
        data += "M" + SVGNumber.format(x) + " " + SVGNumber.format(y)
    }

    /// A straight line to `(x, y)`.
    mutating func line(_ x: Double, _ y: Double) {
        data += "L" + SVGNumber.format(x) + " " + SVGNumber.format(y)
    }

    /// Closes the current sub-path.
    mutating func close() {
        data += "Z"
    }
}
