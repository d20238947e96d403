/// Which `href`s a chart will wrap around a step or bar: relative links and `http`, `https` and
/// `mailto` URLs. Anything else (`javascript:`, `data:`, …) is dropped, since links may be built
/// from names that people typed.
enum ChartLink {
    /// `href` trimmed of surrounding spaces when it is safe to link to, otherwise `nil`.
    static func safe(_ href: String) -> String? {
        var trimmed = Substring(href)
        while let first = trimmed.first, first.isWhitespace { trimmed.removeFirst() }
        while let last = trimmed.last, last.isWhitespace { trimmed.removeLast() }
        guard !trimmed.isEmpty else { return nil }
        // A scheme is whatever precedes the first ":" that comes before any "/", "?" or "#".
        guard let colon = trimmed.firstIndex(of: ":") else { return String(trimmed) }
        let beforeColon = trimmed[..<colon]
        if beforeColon.contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { return String(trimmed) }
        let scheme = beforeColon.lowercased()
        return scheme == "http" || scheme == "https" || scheme == "mailto" ? String(trimmed) : nil
    }
}
