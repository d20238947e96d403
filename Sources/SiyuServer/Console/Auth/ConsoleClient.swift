import HTTPTypes
import Hummingbird
import NIOCore

/// The address a request came from, for throttling logins.
enum ConsoleClient {
    /// The peer's IP address; behind a proxy on this machine (a loopback peer), the first address
    /// of `X-Forwarded-For`. "unknown" when neither is known (tests).
    static func address(_ request: Request, _ context: AppRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress
        if peer == nil || peer == "127.0.0.1" || peer == "::1",
            let forwarded = request.headers[.xForwardedFor]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
            !forwarded.isEmpty
        {
            return String(forwarded.prefix(64))
        }
        return peer ?? "unknown"
    }
}
