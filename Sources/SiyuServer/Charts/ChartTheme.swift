/// The colours and font of a chart: `.light` for light pages and e-mails, `.dark` for dark pages.
///
/// Every colour is written as an SVG presentation attribute (no `<style>` element), so a chart
/// looks the same inline in HTML, as an `<img>` and in e-mail clients that strip CSS.
public struct ChartTheme: Sendable, Equatable {
    /// Fill of the whole chart; `nil` leaves it transparent (to sit on the page's own background).
    public var background: ChartColor?
    /// Labels, values and legend text.
    public var text: ChartColor
    /// Secondary text: axis tick labels, percentages, the "no data" message.
    public var mutedText: ChartColor
    /// Grid lines.
    public var grid: ChartColor
    /// Axis and zero lines, the Lorenz equality diagonal.
    public var axis: ChartColor
    /// Series and slice colours, used in order and repeated when there are more series.
    public var categorical: [ChartColor]
    /// Heat-map colour of the lowest value (0 % by default).
    public var heatLow: ChartColor
    /// Heat-map colour of the highest value (100 % by default).
    public var heatHigh: ChartColor
    /// Text drawn on a light fill (heat-map cells, stacked segments).
    public var textOnLightFill: ChartColor
    /// Text drawn on a dark fill.
    public var textOnDarkFill: ChartColor
    /// The CSS font stack; system fonts only, so nothing is fetched.
    public var fontFamily: String
    /// Base font size in SVG user units (pixels at 1:1 scale).
    public var fontSize: Double

    public init(
        background: ChartColor?,
        text: ChartColor,
        mutedText: ChartColor,
        grid: ChartColor,
        axis: ChartColor,
        categorical: [ChartColor],
        heatLow: ChartColor,
        heatHigh: ChartColor,
        textOnLightFill: ChartColor = ChartColor(rgb: 0x1F2328),
        textOnDarkFill: ChartColor = ChartColor(rgb: 0xFFFFFF),
        fontFamily: String = ChartTheme.systemFontFamily,
        fontSize: Double = 12
    ) {
        self.background = background
        self.text = text
        self.mutedText = mutedText
        self.grid = grid
        self.axis = axis
        self.categorical = categorical
        self.heatLow = heatLow
        self.heatHigh = heatHigh
        self.textOnLightFill = textOnLightFill
        self.textOnDarkFill = textOnDarkFill
        self.fontFamily = fontFamily
        self.fontSize = fontSize
    }

    /// System UI fonts, with Chinese fallbacks for macOS/iOS and Windows.
    public static let systemFontFamily = "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif"

    /// The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008), distinguishable with
    /// the common forms of colour blindness; blue first, yellow late because it is faint on white.
    public static let okabeIto: [ChartColor] = [
        ChartColor(rgb: 0x0072B2), ChartColor(rgb: 0xE69F00), ChartColor(rgb: 0x009E73), ChartColor(rgb: 0xD55E00),
        ChartColor(rgb: 0xCC79A7), ChartColor(rgb: 0x56B4E9), ChartColor(rgb: 0xF0E442), ChartColor(rgb: 0x000000),
    ]

    /// Dark text on white; heat map from ColorBrewer "Blues" (#f7fbff → #08519c).
    public static let light = ChartTheme(
        background: ChartColor(rgb: 0xFFFFFF),
        text: ChartColor(rgb: 0x1F2328),
        mutedText: ChartColor(rgb: 0x59636E),
        grid: ChartColor(rgb: 0xE5E7EB),
        axis: ChartColor(rgb: 0x8C959F),
        categorical: okabeIto,
        heatLow: ChartColor(rgb: 0xF7FBFF),
        heatHigh: ChartColor(rgb: 0x08519C)
    )

    /// Light text on a near-black background; the same Okabe–Ito hues, reordered so the first
    /// series are the ones that stand out on dark grey, and black replaced by light grey.
    public static let dark = ChartTheme(
        background: ChartColor(rgb: 0x161B22),
        text: ChartColor(rgb: 0xE6EDF3),
        mutedText: ChartColor(rgb: 0x9198A1),
        grid: ChartColor(rgb: 0x30363D),
        axis: ChartColor(rgb: 0x6E7681),
        categorical: [
            ChartColor(rgb: 0x56B4E9), ChartColor(rgb: 0xE69F00), ChartColor(rgb: 0x009E73), ChartColor(rgb: 0xF0E442),
            ChartColor(rgb: 0xCC79A7), ChartColor(rgb: 0xD55E00), ChartColor(rgb: 0x0072B2), ChartColor(rgb: 0xBBBBBB),
        ],
        heatLow: ChartColor(rgb: 0x1C2633),
        heatHigh: ChartColor(rgb: 0x79C0FF)
    )

    /// The categorical colour for series or slice `index`, wrapping around the palette
    /// (the axis colour if the palette is empty).
    public func seriesColor(_ index: Int) -> ChartColor {
        guard !categorical.isEmpty else { return axis }
        let count = categorical.count
        return categorical[((index % count) + count) % count]
    }

    /// The text colour that reads best on `fill`.
    public func textColor(on fill: ChartColor) -> ChartColor {
        fill.isLight ? textOnLightFill : textOnDarkFill
    }
}
