/// What `concentration.mustache` shows, every value already formatted for the reader's language.
extension ConcentrationPage {
    struct Model {
        var window: DateWindow.Fields
        var populations: [Option]
        /// No revenue in the window: the page says so instead of the measures.
        var isEmpty: Bool
        var people: String
        var buyers: String
        var revenue: String
        var gini: String
        var giniVerdict: String
        /// The revenue share of the top 1, 5, 10 and 20 % of customers.
        var cards: [TopCard]
        /// What the top 20 % bring, in words.
        var pareto: String?
        var lorenz: String
        var channels: [Channel]
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct TopCard {
        var label: String
        var share: String
        var people: String
        var revenue: String
        /// The top percentage, for the tile's class (`tile-top-10`).
        var key: String
    }

    /// The same measures for the customers a first-touch channel brought.
    struct Channel {
        var name: String
        var people: String
        var buyers: String
        var revenue: String
        var revenueShare: String
        var topTen: String
        var gini: String
    }
}
