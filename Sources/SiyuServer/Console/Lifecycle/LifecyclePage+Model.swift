/// What `lifecycle.mustache` shows, every value already formatted for the reader's language.
extension LifecyclePage {
    struct Model {
        var eventNames: [String]
        /// The event as typed (empty: any event).
        var event: String
        var periods: [ConsoleChoice]
        var from: String
        var to: String
        /// What is wrong with the form, shown above it.
        var error: String?
        var result: Result?
    }

    /// The lifecycle chart and table, then the stickiness chart and table.
    struct Result {
        var lifecycleChart: String
        var lifecycleRows: [Period]
        var lifecycleEmpty: Bool
        var periodLabel: String
        var stickinessChart: String
        var stickinessRows: [Week]
        var stickinessWeek: String
        var stickinessMean: String
        var stickinessDays: [Label]
    }

    /// One period's new, returning, resurrecting, dormant and active people.
    struct Period {
        var label: String
        var new: String
        var returning: String
        var resurrecting: String
        var dormant: String
        var active: String
    }

    /// One week's people by the number of days they were active.
    struct Week {
        var label: String
        var people: String
        var mean: String
        var cells: [DaysActive]
    }

    struct DaysActive {
        var count: String
        /// Share of the week's people; `nil` when nobody was active.
        var share: String?
    }

    struct Label {
        var label: String
    }
}

/// What the lifecycle page's GET form sends (each field trimmed, blank ones absent).
extension LifecyclePage {
    struct Form: Decodable {
        /// The event that counts as active (absent: any event).
        var event: String?
        var period: String?
        var from: String?
        var to: String?
    }
}
