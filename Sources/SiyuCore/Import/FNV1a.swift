/// The 64-bit FNV-1a hash: small, stable across runs and platforms (unlike `Hasher`), and good
/// enough to tell rows apart. Not for secrets.
struct FNV1a: Sendable {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    private(set) var value = FNV1a.offsetBasis

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* Self.prime
        }
    }

    mutating func add(_ text: String) {
        add(text.utf8)
    }

    /// The hash of a whole string.
    static func hash(_ text: String) -> UInt64 {
        var hasher = FNV1a()
        hasher.add(text)
        return hasher.value
    }

    /// 16 lower-case hex digits.
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
