/// A change against a baseline as a badge shows it: `+12.0%` and whether it went `up`, `down`
/// or stayed `flat` (the badge's class).
struct ConsoleDelta {
    var text: String
    var direction: String
}
