/// What a name an operator gives (a journey, a template, a subscription group) may be, stated once:
/// 1 to `maximum` characters, not only spaces, without control characters.
enum NameRule {
    static func check(_ name: String, what: String, maximum: Int) throws {
        guard !name.allSatisfy(\.isWhitespace), name.count <= maximum,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f })
        else { throw StoreError.invalid("a \(what)'s name is 1 to \(maximum) characters without control characters") }
    }
}
