import HTTPTypes
import Hummingbird

/// The console's cookies and their attributes.
enum ConsoleCookies {
    /// The session token (only its hash is stored).
    static let session = "siyu_session"
    /// The language chosen with the switch or `?lang=`.
    static let language = "siyu_lang"
    /// The login form's CSRF token (double submit: the cookie and the form field must match).
    static let login = "siyu_login"

    /// 14 days, in seconds: the session's sliding lifetime.
    static let sessionLifetimeSeconds = 14 * 86_400

    /// Whether the browser reached Siyu over TLS: directly, or through a proxy that says so.
    static func isSecure(_ request: Request) -> Bool {
        request.head.scheme?.lowercased() == "https"
            || request.headers[.xForwardedProto]?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https"
    }

    /// `siyu_session`: HttpOnly, SameSite=Lax, Path=/, Secure over TLS, valid for the session's lifetime.
    static func session(_ token: String, request: Request) -> Cookie {
        Cookie(
            name: session,
            value: token,
            maxAge: sessionLifetimeSeconds,
            path: "/",
            secure: isSecure(request),
            httpOnly: true,
            sameSite: .lax
        )
    }

    static func language(_ locale: ConsoleLocale, request: Request) -> Cookie {
        Cookie(name: language, value: locale.rawValue, maxAge: 365 * 86_400, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    }

    static func login(_ token: String, request: Request) -> Cookie {
        Cookie(name: login, value: token, maxAge: 3_600, path: "/console/login", secure: isSecure(request), httpOnly: true, sameSite: .strict)
    }

    /// A cookie that makes the browser forget `name` at `path`.
    static func expired(_ name: String, path: String = "/", request: Request) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: isSecure(request), httpOnly: true, sameSite: .lax)
    }
}

/// Comparison whose time does not depend on where two secrets first differ.
enum ConstantTime {
    static func equals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        // The lengths of tokens are not secret; their contents are.
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
