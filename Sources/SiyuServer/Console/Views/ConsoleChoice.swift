/// One option of a `<select>` (or a radio group): its value, its label in the reader's language,
/// and whether it is the current one.
struct ConsoleChoice {
    var code: String
    var label: String
    var selected: Bool
}
