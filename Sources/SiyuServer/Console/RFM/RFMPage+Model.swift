/// What `rfm.mustache` and `rfm-people.mustache` show, every value already formatted for the
/// reader's language.
extension RFMPage {
    struct Model {
        var window: DateWindow.Fields
        /// No breakdown, then each breakdown RFM accepts.
        var breakdowns: [Option]
        /// Analysts and above see the form that saves the classes as labels.
        var canSave: Bool
        /// What the last save did.
        var message: String?
        /// `nil` when nobody bought in the window.
        var result: Result?
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// The headline, the 2×4 grid of the 8 classes, the 11 segments, the quintile bands and the breakdown.
    struct Result {
        var buyers: String
        var revenue: String
        var averageSpend: String
        /// The class with the largest share of revenue, in words, and its people.
        var headline: String?
        var headlineHref: String?
        var gridRows: [GridRow]
        var classChart: String
        var segmentChart: String
        var segments: [Segment]
        var bands: [Band]
        var means: String
        var groups: Groups?
    }

    /// The important or the general classes.
    struct GridRow {
        var label: String
        var cards: [ClassCard]
    }

    struct ClassCard {
        var code: String
        var name: String
        var advice: String
        var levels: [Level]
        var people: String
        var peopleShare: String
        var revenue: String
        var revenueShare: String
        var average: String
        /// The revenue share in whole percent, the width of the card's bar.
        var bar: Int
        var isTop: Bool
        var href: String
    }

    /// R, F or M high or low.
    struct Level {
        var dimension: String
        var level: String
        var high: Bool
    }

    struct Segment {
        var code: String
        var name: String
        var people: String
        var peopleShare: String
        var revenue: String
        var revenueShare: String
        var average: String
        var href: String
    }

    /// The value ranges of score 1–5 in R (days), F (orders) and M (money), with their people.
    struct Band {
        var score: Int
        var recency: String
        var recencyPeople: String
        var frequency: String
        var frequencyPeople: String
        var monetary: String
        var monetaryPeople: String
    }

    /// Buyers per class in each breakdown value.
    struct Groups {
        var classes: [String]
        var rows: [GroupRow]
        var chart: String
    }

    struct GroupRow {
        var name: String
        var buyers: String
        var revenue: String
        var cells: [GroupCell]
    }

    struct GroupCell {
        var people: String
        var revenueShare: String
    }

    /// The buyers of one class or segment, a page of them.
    struct People {
        var name: String
        var total: String
        var window: DateWindow.Fields
        var csvHref: String
        var backHref: String
        var isEmpty: Bool
        var people: [Buyer]
        var range: String
        var nextHref: String?
    }

    struct Buyer {
        var label: String
        var id: String
        var name: String
        var channel: String
        var recency: String
        var frequency: String
        var monetary: String
        var lastOrder: String
        var scores: String
    }
}
