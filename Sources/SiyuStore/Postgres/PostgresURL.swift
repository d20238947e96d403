import Foundation
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=…` connection URL, taken apart.
///
/// `postgresql://` works too; the user name and password are percent-decoded; the port defaults
/// to 5432, the user to `postgres` and the database to the user's name, as with `psql`.
struct PostgresURL: Sendable, Equatable {
    /// How the connection is encrypted, after libpq's `sslmode`.
    enum TLSMode: String, Sendable, Equatable {
        /// Plain TCP (`disable`, and `allow`/`prefer`, which Siyu does not try to upgrade).
        case disable
        /// TLS required, certificate not checked (`require`, as libpq does).
        case require
        /// TLS required, certificate chain checked but not the host name (`verify-ca`).
        case verifyCA = "verify-ca"
        /// TLS required, certificate and host name checked (`verify-full`).
        case verifyFull = "verify-full"
    }

    var username: String
    var password: String?
    var host: String
    var port: Int
    var database: String
    var tls: TLSMode

    /// Parses `text`, or throws ``StoreError/invalid(_:)`` naming what is wrong (never the password).
    init(_ text: String) throws {
        func failure(_ reason: String) -> StoreError {
            StoreError.invalid("database URL `\(PostgresURL.redacted(text))` \(reason); expected postgres://user:password@host:port/database")
        }
        guard let parts = Self.split(text) else { throw failure("does not start with postgres:// or postgresql://") }
        var username = "postgres"
        var password: String?
        if let userInfo = parts.userInfo {
            let pieces = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = pieces[0].removingPercentEncoding, !user.isEmpty else { throw failure("has an invalid user name") }
            username = user
            if pieces.count == 2 {
                guard let decoded = pieces[1].removingPercentEncoding else { throw failure("has an invalid percent-encoded password") }
                password = decoded
            }
        }
        let (host, port) = try Self.hostAndPort(parts.hostPort, failure: failure)
        var database = username
        if let path = parts.path, !path.isEmpty {
            guard !path.contains("/"), let decoded = path.removingPercentEncoding, !decoded.isEmpty else {
                throw failure("has an invalid database name")
            }
            database = decoded
        }
        var tls = TLSMode.disable
        for item in parts.query?.split(separator: "&") ?? [] {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw failure("has a malformed query parameter `\(item)`") }
            switch pair[0] {
            case "sslmode":
                switch pair[1] {
                case "disable", "allow", "prefer": tls = .disable
                case "require": tls = .require
                case "verify-ca": tls = .verifyCA
                case "verify-full": tls = .verifyFull
                default: throw failure("has an unknown sslmode `\(pair[1])` (use disable, require, verify-ca or verify-full)")
                }
            case "application_name", "connect_timeout":
                continue
            default:
                throw failure("has an unsupported parameter `\(pair[0])` (only sslmode is understood)")
            }
        }
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// The client configuration for this URL.
    var configuration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tlsSettings.map { .require($0) } ?? .disable
        )
        configuration.options.additionalStartupParameters = [("application_name", "siyu")]
        return configuration
    }

    /// The configuration of a single connection outside a pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = try tlsSettings.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// TLS settings after `sslmode`, nil for a plain connection.
    private var tlsSettings: TLSConfiguration? {
        guard tls != .disable else { return nil }
        var settings = TLSConfiguration.makeClientConfiguration()
        settings.certificateVerification = tls == .require ? .none : tls == .verifyCA ? .noHostnameVerification : .fullVerification
        return settings
    }

    /// `user@host:port/database`, for messages.
    var summary: String { "\(username)@\(host):\(port)/\(database)" }

    /// The URL with its password replaced by `***`, for logs and messages.
    static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(of: "?") ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"), let colon = rest[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<rest.index(after: colon)]) + "***" + String(rest[at...])
    }

    /// The pieces of a URL: user info (before the last `@`), `host:port`, path and query.
    private static func split(_ text: String) -> (userInfo: Substring?, hostPort: Substring, path: Substring?, query: Substring?)? {
        var rest: Substring
        if text.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else if text.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else {
            return nil
        }
        var query: Substring?
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var path: Substring?
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        return (userInfo, rest, path, query)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func hostAndPort(_ text: Substring, failure: (String) -> StoreError) throws -> (String, Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw failure("has an unterminated IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw failure("has text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let decodedHost = host.removingPercentEncoding else { throw failure("has no host") }
        guard let portText else { return (decodedHost, 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else { throw failure("has an invalid port `\(portText)`") }
        return (decodedHost, port)
    }
}
