/// What `outbox.mustache` shows: the workspace's latest outbox rows, every value already formatted.
extension OutboxPage {
    struct Model {
        var rows: [Row]
        var hasRows: Bool
        var filters: [Filter]
        /// Operators and up see the retry button on failed rows.
        var canRun: Bool
    }

    struct Row {
        var id: Int64
        var created: String
        var channel: String
        var status: String
        var statusKey: String
        var attempts: String
        var journey: String?
        var journeyHref: String?
        var personHref: String?
        var person: String?
        var lastError: String?
        var response: String?
        var key: String
        var delivered: String
        var canRetry: Bool
    }

    /// A status to show alone (or all of them).
    struct Filter {
        var label: String
        var href: String
        var current: Bool
    }
}
