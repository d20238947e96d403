/// Builds the SVG text of one chart: the root element with its accessible label, theme font and
/// background, then one element per line, every attribute and text escaped.
struct SVGWriter {
    /// Where a text's `x` sits: its start, middle or end.
    enum Anchor: String {
        case start, middle, end
    }

    /// Stroke dash patterns.
    enum Dash: String {
        /// Comparison series.
        case long = "6 4"
        /// Reference lines such as the Lorenz equality diagonal.
        case short = "3 3"
    }

    let theme: ChartTheme
    private var output: String

    /// Opens `<svg>` of `width` × `height` user units labelled `label` for screen readers.
    init(width: Double, height: Double, label: String, theme: ChartTheme) {
        self.theme = theme
        output = ""
        open(
            "svg",
            [
                ("xmlns", "http://www.w3.org/2000/svg"), ("width", SVGNumber.format(width)), ("height", SVGNumber.format(height)),
                ("viewBox", "0 0 \(SVGNumber.format(width)) \(SVGNumber.format(height))"), ("role", "img"), ("aria-label", label),
                ("font-family", theme.fontFamily), ("font-size", SVGNumber.format(theme.fontSize)),
            ]
        )
        if let background = theme.background {
            element("rect", [("width", SVGNumber.format(width)), ("height", SVGNumber.format(height)), ("fill", background.hex)])
        }
    }

    /// The whole document, closed.
    func finished() -> String {
        output + "</svg>\n"
    }

    /// A complete chart that only says `message` (centred, muted): what every chart draws for empty data.
    static func noData(width: Double, height: Double, label: String, message: String, theme: ChartTheme) -> String {
        var writer = SVGWriter(width: width, height: height, label: label, theme: theme)
        if !message.isEmpty {
            let size = min(theme.fontSize, max(height - 4, 6))
            writer.text(
                message,
                x: width / 2,
                y: height / 2 + size * 0.35,
                anchor: .middle,
                color: theme.mutedText,
                size: size,
                maxWidth: width - 8
            )
        }
        return writer.finished()
    }

    /// `<name a="v" …>` with the attributes whose value is not `nil`.
    private static func tag(_ name: String, _ attributes: [(String, String?)]) -> String {
        var text = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            text += " " + key + "=\"" + ChartText.escaped(value) + "\""
        }
        return text
    }

    /// An element with no content (`/>`), or with only a `<title>` tooltip when `title` is given.
    mutating func element(_ name: String, _ attributes: [(String, String?)], title: String? = nil) {
        output += Self.tag(name, attributes)
        if let title {
            output += "><title>" + ChartText.escaped(title) + "</title></" + name + ">\n"
        } else {
            output += "/>\n"
        }
    }

    /// Opens a container element such as `<g>` or `<a>`; close it with ``close(_:)``.
    mutating func open(_ name: String, _ attributes: [(String, String?)]) {
        output += Self.tag(name, attributes) + ">\n"
    }

    /// Closes a container opened with ``open(_:_:)``.
    mutating func close(_ name: String) {
        output += "</" + name + ">\n"
    }

    /// Opens `<a href>` when `href` is a safe link (see ``ChartLink``); returns whether it did.
    mutating func openLink(_ href: String?) -> Bool {
        guard let href, let safe = ChartLink.safe(href) else { return false }
        open("a", [("href", safe)])
        return true
    }

    /// A rectangle; negative sizes are drawn as zero.
    mutating func rect(
        x: Double,
        y: Double,
        width: Double,
        height: Double,
        fill: ChartColor,
        opacity: Double? = nil,
        title: String? = nil
    ) {
        element(
            "rect",
            [
                ("x", SVGNumber.format(x)), ("y", SVGNumber.format(y)), ("width", SVGNumber.format(max(width, 0))),
                ("height", SVGNumber.format(max(height, 0))), ("fill", fill.hex), ("fill-opacity", opacity.map(Self.opacity)),
            ],
            title: title
        )
    }

    /// A straight line of `width` in `color`, optionally dashed.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, color: ChartColor, width: Double = 1, dash: Dash? = nil) {
        element(
            "line",
            [
                ("x1", SVGNumber.format(x1)), ("y1", SVGNumber.format(y1)), ("x2", SVGNumber.format(x2)), ("y2", SVGNumber.format(y2)),
                ("stroke", color.hex), ("stroke-width", SVGNumber.format(width)), ("stroke-dasharray", dash?.rawValue),
            ]
        )
    }

    /// A filled area (`fill`) or a stroked line (`stroke`), with round joins and caps.
    mutating func path(
        _ path: SVGPath,
        fill: ChartColor? = nil,
        fillOpacity: Double? = nil,
        stroke: ChartColor? = nil,
        strokeWidth: Double = 2,
        dash: Dash? = nil,
        title: String? = nil
    ) {
        guard !path.isEmpty else { return }
        var attributes: [(String, String?)] = [("d", path.data), ("fill", fill?.hex ?? "none"), ("fill-opacity", fillOpacity.map(Self.opacity))]
        if let stroke {
            attributes += [
                ("stroke", stroke.hex), ("stroke-width", SVGNumber.format(strokeWidth)), ("stroke-linejoin", "round"),
                ("stroke-linecap", "round"), ("stroke-dasharray", dash?.rawValue),
            ]
        }
        element("path", attributes, title: title)
    }

    /// A filled dot; `opacity` 0 makes an invisible hover target that still shows its `title`.
    mutating func circle(x: Double, y: Double, radius: Double, fill: ChartColor, opacity: Double? = nil, title: String? = nil) {
        element(
            "circle",
            [
                ("cx", SVGNumber.format(x)), ("cy", SVGNumber.format(y)), ("r", SVGNumber.format(radius)), ("fill", fill.hex),
                ("fill-opacity", opacity.map(Self.opacity)),
            ],
            title: title
        )
    }

    /// One line of text with its baseline at `y`. With `maxWidth`, text too wide is cut with `…`
    /// and the full text becomes the tooltip (unless `title` is given).
    mutating func text(
        _ content: String,
        x: Double,
        y: Double,
        anchor: Anchor = .start,
        color: ChartColor,
        size: Double? = nil,
        bold: Bool = false,
        maxWidth: Double? = nil,
        title: String? = nil
    ) {
        var shown = content
        var tooltip = title
        if let maxWidth {
            let fitted = ChartText.fitted(content, maxWidth: max(maxWidth, 0), fontSize: size ?? theme.fontSize)
            shown = fitted.text
            if fitted.truncated && tooltip == nil { tooltip = content }
        }
        output += Self.tag(
            "text",
            [
                ("x", SVGNumber.format(x)), ("y", SVGNumber.format(y)), ("text-anchor", anchor == .start ? nil : anchor.rawValue),
                ("fill", color.hex), ("font-size", size.map(SVGNumber.format)), ("font-weight", bold ? "bold" : nil),
            ]
        )
        output += ">" + ChartText.escaped(shown)
        if let tooltip { output += "<title>" + ChartText.escaped(tooltip) + "</title>" }
        output += "</text>\n"
    }

    /// A chart dimension the caller asked for, made finite and at least `minimum`.
    static func size(_ value: Double, minimum: Double) -> Double {
        value.isFinite ? max(value, minimum) : minimum
    }

    /// An opacity with two decimals at most (`0.18`, `0.5`, `1`).
    private static func opacity(_ value: Double) -> String {
        ChartFormat.decimal(min(max(value, 0), 1), fractionDigits: 2, separator: "")
    }
}
