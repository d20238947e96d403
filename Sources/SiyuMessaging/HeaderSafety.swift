/// Checks that keep what a message or a configuration carries from breaking out of the header it is written into.
enum HeaderSafety {
    /// Why `value` cannot go into a header line, or nil: a CR or LF would start a new header (header injection), and
    /// other control characters (NUL, escape …) have no business there either. Tabs are allowed.
    static func problem(_ field: String, _ value: String) -> String? {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" }) {
            return "\(field) contains a line break, which could inject a header; refused"
        }
        if value.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
            return "\(field) contains a control character; refused"
        }
        return nil
    }
}
