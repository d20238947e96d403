/// What `retention.mustache` shows, every value already formatted for the reader's language.
extension RetentionPage {
    struct Model {
        var eventNames: [String]
        /// The start and return events as typed (empty: any event).
        var start: String
        var `return`: String
        var periods: [ConsoleChoice]
        var kinds: [ConsoleChoice]
        var criteria: [ConsoleChoice]
        var breakdowns: [ConsoleChoice]
        var from: String
        var to: String
        /// What is wrong with the form, shown above it.
        var error: String?
        var result: Result?
    }

    /// The cards, heat map, cohort table and breakdown of an answer.
    struct Result {
        var cards: [Card]
        var isEmpty: Bool
        /// People in all cohorts; `nil` (with everything below) when the answer has no table.
        var people: String?
        var columns: [Label]
        var heatMap: String?
        var cohorts: [Cohort]
        var weighted: [Rate]
        var simple: [Rate]
        var groups: Groups?
    }

    struct Card {
        var label: String
        var value: String
    }

    struct Label {
        var label: String
    }

    struct Cohort {
        var label: String
        var size: String
        var cells: [Cell]
    }

    /// A cohort's count and rate in one period; `empty` for a period that has not come yet.
    struct Cell {
        var empty: Bool
        var count: String?
        var rate: String?
    }

    struct Rate {
        var rate: String
    }

    /// Each breakdown value's weighted retention per period, and a bar chart of period 1.
    struct Groups {
        var groupLabel: String
        var groupRows: [GroupRow]
        var groupChart: String
        var groupColumns: [Label]
        var bestGroup: String?
    }

    struct GroupRow {
        var name: String
        var people: String
        var cells: [Rate]
    }
}

/// What the retention page's GET form sends (each field trimmed, blank ones absent).
extension RetentionPage {
    struct Form: Decodable {
        /// The start and return events (absent: any event).
        var start: String?
        var `return`: String?
        var period: String?
        var kind: String?
        var criterion: String?
        var breakdown: String?
        var from: String?
        var to: String?
    }
}
