import HummingbirdBcrypt
import NIOPosix
import SiyuStore

/// bcrypt hashing and checking of console passwords, run on NIO's blocking thread pool so that a
/// login (about 0.25 s of CPU at cost 12) never stalls the request handlers.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost: 12 in production; tests use 4 to stay fast.
    public let cost: UInt8
    /// A hash of a random password, checked when no user has the address given, so that unknown
    /// addresses take as long to refuse as wrong passwords (no user enumeration by timing).
    private let decoy: String

    public init(cost: UInt8) {
        self.cost = cost
        self.decoy = Bcrypt.hash(Secrets.random(length: 24), cost: cost)
    }

    /// Passwords shorter than this are refused when set.
    public static let minimumLength = 10

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Spends the time of one verification, for a login whose address matches no user.
    public func verifyDecoy(_ password: String) async throws {
        _ = try await verify(password, hash: decoy)
    }
}
