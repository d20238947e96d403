import Testing

@testable import SiyuCore

/// Key classification (``PersonalData/classify(_:)``), which reads bytes through pointers for speed,
/// against a plain reading of its documented rules over many generated keys.
@Suite struct PersonalDataKeyTests {
    /// The rules written the obvious way: normalise (ASCII letters lower-cased, digits and non-ASCII
    /// bytes kept, everything else dropped, then trailing digits dropped) and compare byte arrays.
    static func reference(_ key: String) -> PersonalData.KeyClass {
        guard !key.utf8.isEmpty, key.utf8.count <= 64 else { return .other }
        var bytes: [UInt8] = key.utf8.compactMap { byte in
            switch byte {
            case 0x41...0x5A: return byte | 0x20
            case 0x61...0x7A, 0x30...0x39, 0x80...0xFF: return byte
            default: return nil
            }
        }
        while let last = bytes.last, (0x30...0x39).contains(last) { bytes.removeLast() }
        func equals(_ word: String) -> Bool { bytes == Array(word.utf8) }
        func endsWith(_ word: String) -> Bool { bytes.count >= word.utf8.count && Array(bytes.suffix(word.utf8.count)) == Array(word.utf8) }
        if PersonalData.exactPhoneKeys.contains(where: equals) { return .exact(.phone) }
        if PersonalData.exactEmailKeys.contains(where: equals) { return .exact(.email) }
        if PersonalData.phoneEndings.contains(where: endsWith) { return .ending(.phone) }
        if PersonalData.emailEndings.contains(where: endsWith) { return .ending(.email) }
        if endsWith("id") || endsWith("ids") { return .identifier }
        return .other
    }

    @Test func everyListedWordWithPrefixesAndSuffixesIsClassifiedAsTheRulesSay() {
        let words = PersonalData.exactPhoneKeys + PersonalData.exactEmailKeys + PersonalData.phoneEndings + PersonalData.emailEndings
        let prefixes = ["", "billing_", "x", "receiver", "Contact ", "my-", "手机", "9"]
        let suffixes = ["", "2", "_1", "Id", "_id", "s", "IDS", "-", " ", "号", "0x"]
        var checked = 0
        for word in words {
            for spelled in [word, word.uppercased(), word.prefix(1).uppercased() + word.dropFirst()] {
                for prefix in prefixes {
                    for suffix in suffixes {
                        let key = prefix + spelled + suffix
                        #expect(PersonalData.classify(key) == Self.reference(key), "\(key)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 3_000)
    }

    @Test func generatedKeysAreClassifiedAsTheRulesSay() {
        let pieces = [
            "ph", "one", "Phone", "mail", "e", "E-", "tel", "cell", "mobile", "number", "no", "num", "address", "手机", "号", "码", "电话", "邮箱", "地址",
            "id", "I", "D", "s", "_", "-", ".", " ", "1", "0", "A", "z", "é", "🙂",
        ]
        // A fixed linear congruential sequence, so that every run checks the same keys.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<20_000 {
            var key = ""
            for _ in 0..<(1 + next(6)) { key += pieces[next(pieces.count)] }
            #expect(PersonalData.classify(key) == Self.reference(key), "\(key)")
        }
        // Empty, separators only, and past the 64-byte limit.
        for key in ["", "_-. ", String(repeating: "a", count: 60) + "phone", "123"] {
            #expect(PersonalData.classify(key) == Self.reference(key), "\(key)")
        }
    }
}
