import HTTPTypes
import Hummingbird
import NIOCore

/// The address a request came from, for throttling logins.
enum ConsoleClient {
    /// The peer's IP address; behind a trusted proxy (``TrustedProxies``), the client address that
    /// the proxy put in `X-Forwarded-For`. "unknown" when there is no peer (tests).
    static func address(_ request: Request, _ context: AppRequestContext, trusted: TrustedProxies) -> String {
        trusted.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.xForwardedFor])
    }
}
