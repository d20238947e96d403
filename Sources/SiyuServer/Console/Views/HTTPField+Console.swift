import HTTPTypes

extension HTTPField.Name {
    /// The CSRF token a script sends with a state-changing request.
    public static let xCSRFToken = Self("X-CSRF-Token")!
    /// The scheme a TLS-terminating proxy received the request on.
    public static let xForwardedProto = Self("X-Forwarded-Proto")!
    public static let xForwardedFor = Self("X-Forwarded-For")!
    public static let xFrameOptions = Self("X-Frame-Options")!
    public static let referrerPolicy = Self("Referrer-Policy")!
}
