/// Numbers as written in SVG coordinates: rounded half away from zero to one decimal, with a
/// trailing `.0` dropped and never `-0`, so the output is short and the same on every machine.
enum SVGNumber {
    /// `12.34` → `12.3`, `12.0` → `12`, `-0.04` → `0`, `0.25` → `0.3`; NaN and infinities give `0`
    /// and magnitudes are capped at one million (far outside any chart).
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((min(max(value, -1_000_000), 1_000_000) * 10).rounded())
        if tenths == 0 { return "0" }
        let magnitude = abs(tenths)
        let sign = tenths < 0 ? "-" : ""
        let decimal = magnitude % 10
        return decimal == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(decimal)"
    }
}
