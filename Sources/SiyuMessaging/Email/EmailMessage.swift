/// One e-mail: who sends it to whom, the subject, a text body, an HTML body or both, and the unsubscribe link a
/// marketing message must carry.
public struct EmailMessage: Sendable, Hashable, Codable {
    /// The largest rendered message (headers, encoded bodies) Siyu sends.
    public static let maximumBytes = 1_048_576
    /// The most recipients (To, Cc and Bcc together) of one message.
    public static let maximumRecipients = 100
    /// The longest subject, in bytes of UTF-8.
    public static let maximumSubjectBytes = 998

    public var from: EmailAddress
    public var to: [EmailAddress]
    public var cc: [EmailAddress]
    /// Envelope recipients only: they get the message, no header names them.
    public var bcc: [EmailAddress]
    public var replyTo: EmailAddress?
    public var subject: String
    public var textBody: String?
    public var htmlBody: String?
    /// An https URL that unsubscribes the recipient with one POST (RFC 8058): sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    public var unsubscribeURL: String?

    public init(
        from: EmailAddress,
        to: [EmailAddress],
        cc: [EmailAddress] = [],
        bcc: [EmailAddress] = [],
        replyTo: EmailAddress? = nil,
        subject: String,
        textBody: String? = nil,
        htmlBody: String? = nil,
        unsubscribeURL: String? = nil
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.unsubscribeURL = unsubscribeURL
    }

    /// Everyone the message goes to, in order, for RCPT TO.
    public var recipients: [EmailAddress] { to + cc + bcc }

    /// Why this message cannot be sent, or nil (the size is checked when it is rendered).
    public var problem: String? {
        if let problem = from.problem { return "From: \(problem)" }
        if let replyTo, let problem = replyTo.problem { return "Reply-To: \(problem)" }
        guard !to.isEmpty else { return "the message has no To recipient" }
        guard recipients.count <= Self.maximumRecipients else {
            return "the message has \(recipients.count) recipients, above the limit of \(Self.maximumRecipients)"
        }
        for recipient in recipients {
            if let problem = recipient.problem { return "recipient: \(problem)" }
        }
        if let problem = HeaderSafety.problem("the subject", subject) { return problem }
        guard subject.utf8.count <= Self.maximumSubjectBytes else {
            return "the subject is \(subject.utf8.count) bytes of UTF-8, above the limit of \(Self.maximumSubjectBytes)"
        }
        guard textBody?.isEmpty == false || htmlBody?.isEmpty == false else { return "the message has neither a text nor an HTML body" }
        if let url = unsubscribeURL {
            if let problem = HeaderSafety.problem("the unsubscribe URL", url) { return problem }
            guard url.lowercased().hasPrefix("https://"), url.utf8.count > 8, url.utf8.count <= 2_000,
                url.unicodeScalars.allSatisfy({ $0.isASCII && $0 != " " && $0 != "<" && $0 != ">" && $0 != "\"" })
            else { return "the unsubscribe URL must be an https:// URL of at most 2,000 ASCII characters without spaces, <, > or quotes" }
        }
        return nil
    }
}
