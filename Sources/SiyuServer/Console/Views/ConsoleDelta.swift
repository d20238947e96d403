/// A change against a baseline as a badge shows it: `+12.0%` and whether it went `up`, `down`
/// or stayed `flat` (the badge's class).
struct ConsoleDelta {
    var text: String
    var direction: String
}

extension ConsoleDelta {
    /// A relative change (0.12 = +12 %) as `+12.0%` going `up`; within ±0.05 % it is `flat`.
    init(relative: Double, format: LocaleFormat) {
        text = format.signedPercent(relative)
        direction = relative > 0.0005 ? "up" : relative < -0.0005 ? "down" : "flat"
    }
}
