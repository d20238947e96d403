/// An e-mail address and the name shown with it (`张伟 <zhang.wei@example.com>`).
public struct EmailAddress: Sendable, Hashable, Codable {
    /// `local@domain`: a dot-atom local part of at most 64 ASCII characters and a domain name of at least two labels.
    public var address: String
    /// The display name; any Unicode (it is RFC 2047-encoded when it is not plain ASCII).
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// Why this address cannot be used, or nil. Quoted local parts, address literals (`user@[192.0.2.1]`) and
    /// internationalized addresses (which need SMTPUTF8) are refused: a marketing sender has no need of them and each is
    /// a way to smuggle something past a parser.
    public var problem: String? {
        if let problem = HeaderSafety.problem("the address \(address.debugDescription)", address) { return problem }
        if let displayName {
            if let problem = HeaderSafety.problem("the display name of \(address)", displayName) { return problem }
            if displayName.count > 200 { return "the display name of \(address) is longer than 200 characters" }
        }
        guard address.unicodeScalars.allSatisfy(\.isASCII) else {
            return "\(address) is not plain ASCII; internationalized addresses (SMTPUTF8) are not supported"
        }
        guard address.utf8.count <= 254, let at = address.lastIndex(of: "@") else { return "\(address) is not an e-mail address" }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard (1...64).contains(local.utf8.count), Self.isDotAtom(local) else {
            return "the part before @ in \(address) is not a valid local part (letters, digits, !#$%&'*+-/=?^_`{|}~ and single dots)"
        }
        guard Self.isDomain(domain) else { return "the domain of \(address) is not a valid domain name" }
        return nil
    }

    /// The part after the @.
    var domain: Substring {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...]
    }

    private static func isDotAtom(_ text: Substring) -> Bool {
        let atext = Set("!#$%&'*+-/=?^_`{|}~".utf8)
        var previousWasDot = true  // no dot first
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                if previousWasDot { return false }
                previousWasDot = true
            } else if isAlphanumeric(byte) || atext.contains(byte) {
                previousWasDot = false
            } else {
                return false
            }
        }
        return !previousWasDot  // no dot last
    }

    private static func isDomain(_ text: Substring) -> Bool {
        guard (1...253).contains(text.utf8.count) else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.utf8.allSatisfy({ isAlphanumeric($0) || $0 == UInt8(ascii: "-") }),
                label.utf8.first != UInt8(ascii: "-"), label.utf8.last != UInt8(ascii: "-")
            else { return false }
        }
        // A top-level domain is never all digits; `1.2.3.4` is an address literal in disguise.
        return labels.last?.utf8.contains(where: { !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) ?? false
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
