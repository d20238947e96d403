import SiyuCore

/// A brand or app: every row of data belongs to exactly one workspace.
public struct Workspace: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// IANA time zone in which calendar days are cut, e.g. `Asia/Shanghai`.
    public var timeZone: String
    /// ISO 4217 code of the workspace currency, e.g. `CNY`.
    public var currency: String
    /// Secret salt for hashing phone numbers and e-mail addresses of this workspace.
    public var salt: String
    public var createdAt: Int64

    public init(id: Int64, name: String, timeZone: String, currency: String, salt: String, createdAt: Int64) {
        self.id = id
        self.name = name
        self.timeZone = timeZone
        self.currency = currency
        self.salt = salt
        self.createdAt = createdAt
    }

    /// Whether a workspace name is acceptable: 1–64 characters of letters, digits, `-`, `_`, `.`.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }
}

/// Credentials printed once when a workspace is created.
public struct WorkspaceCredentials: Sendable, Codable, Equatable {
    public var workspace: String
    public var writeKey: String
    public var adminToken: String

    public init(workspace: String, writeKey: String, adminToken: String) {
        self.workspace = workspace
        self.writeKey = writeKey
        self.adminToken = adminToken
    }
}

/// A live admin token of a workspace, as it can be listed: the token itself is stored only hashed.
public struct AdminTokenInfo: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var createdAt: Int64

    public init(id: Int64, name: String, createdAt: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// Why a store refused an operation: the caller's mistake, reported as a 4xx.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let message), .conflict(let message), .invalid(let message): return message
        }
    }
}
