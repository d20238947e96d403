/// The rectangle inside a chart's margins where the data is drawn, and how values map into it.
struct PlotArea: Equatable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }

    /// The vertical position of `value` on `scale`: `upper` at the top edge, `lower` at the bottom.
    /// With a 400-high area and ticks 0…100, 25 sits 300 below the top.
    func y(_ value: Double, on scale: NiceScale) -> Double {
        top + height * (1 - scale.fraction(value))
    }

    /// The horizontal position of `value` on `scale`: `lower` at the left edge, `upper` at the right.
    func x(_ value: Double, on scale: NiceScale) -> Double {
        left + width * scale.fraction(value)
    }
}
