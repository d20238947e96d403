/// What `tiers.mustache` (and its `tiers-table` partial) shows, every value already formatted for
/// the reader's language.
extension TiersPage {
    struct Model {
        var window: DateWindow.Fields
        /// Analysts and above see the form that re-evaluates and saves every scheme.
        var canSave: Bool
        var schemeOptions: [Option]
        var periodOptions: [Option]
        var pyramid: Scheme?
        var fiveThreeTwo: Scheme?
        var colours: Scheme?
        var ladder: Scheme?
        var movements: Movements
        /// What the last save did.
        var message: String?
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// One scheme evaluated now: its tiers, chart and (for the ladder) its rungs.
    struct Scheme {
        var people: String
        var revenue: String
        var isEmpty: Bool
        var tiers: [Tier]
        /// The revenue window of the pyramid and 5-3-2.
        var range: String?
        var chart: String
        var rungs: [Rung]
    }

    struct Tier {
        var code: String
        var name: String
        var people: String
        var peopleShare: String
        var revenue: String
        var revenueShare: String
        var note: String
        var step: Int
    }

    struct Rung {
        var name: String
        var rule: String
    }

    /// The from × to table of stored movements.
    struct Movements {
        var isEmpty: Bool
        var moved: String
        var columns: [String]
        var rows: [MovementRow]
    }

    struct MovementRow {
        var name: String
        var cells: [MovementCell]
    }

    struct MovementCell {
        var people: String
        var isSame: Bool
        var hasPeople: Bool
    }
}
