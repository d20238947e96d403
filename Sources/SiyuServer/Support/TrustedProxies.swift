import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The reverse proxies whose `X-Forwarded-For` header is believed (`--trusted-proxy`,
/// `SIYU_TRUSTED_PROXIES`): addresses or CIDR ranges, IPv4 or IPv6. From any other peer the header
/// is ignored, so that a client cannot rotate it to dodge the login limit. None by default.
public struct TrustedProxies: Sendable, Equatable, CustomStringConvertible {
    /// An address range: the first `prefix` bits of `address` (4 bytes for IPv4, 16 for IPv6).
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        let address: [UInt8]
        let prefix: Int
        public let description: String

        /// `10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`; `nil` when it is none of these.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = TrustedProxies.bytes(of: String(parts[0])) else { return nil }
            let bits = address.count * 8
            if parts.count == 2 {
                guard let prefix = Int(parts[1]), (0...bits).contains(prefix) else { return nil }
                self.prefix = prefix
            } else {
                self.prefix = bits
            }
            self.address = address
            self.description = text
        }

        func contains(_ other: [UInt8]) -> Bool {
            guard other.count == address.count else { return false }
            var remaining = prefix
            for (a, b) in zip(address, other) where remaining > 0 {
                let take = min(remaining, 8)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
                if a & mask != b & mask { return false }
                remaining -= take
            }
            return true
        }
    }

    public var ranges: [Range]

    public init(_ ranges: [Range] = []) {
        self.ranges = ranges
    }

    /// Reads a comma-separated list; throws a message naming the first entry that is no address or range.
    public static func parse(_ text: String) throws(InvalidProxy) -> TrustedProxies {
        var ranges: [Range] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let range = Range(trimmed) else { throw InvalidProxy(entry: trimmed) }
            ranges.append(range)
        }
        return TrustedProxies(ranges)
    }

    /// An entry of `--trusted-proxy` that is no address or range.
    public struct InvalidProxy: Error, CustomStringConvertible {
        public let entry: String
        public var description: String { "`\(entry)` is not an IP address or CIDR range (such as 10.0.0.0/8 or ::1)" }
    }

    public var description: String { ranges.map(\.description).joined(separator: ",") }

    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address) else { return false }
        return ranges.contains { $0.contains(bytes) }
    }

    /// The address a request came from: the peer itself, unless the peer is a trusted proxy; then
    /// the nearest address of `X-Forwarded-For` (read right to left) that is not itself a trusted
    /// proxy. "unknown" when there is no peer (requests built in tests).
    public func client(peer: String?, forwardedFor: String?) -> String {
        guard let peer else { return "unknown" }
        guard contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for hop in hops.reversed() where !contains(hop) {
            // Only an address is believed; anything else in the header is the proxy's problem, not a client.
            return Self.bytes(of: hop) != nil ? String(hop.prefix(64)) : peer
        }
        return hops.first.map { String($0.prefix(64)) } ?? peer
    }

    /// The bytes of an IPv4 or IPv6 address written as text.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
