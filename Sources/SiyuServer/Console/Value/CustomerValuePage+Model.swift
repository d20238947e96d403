/// What `value.mustache` shows, every value already formatted for the reader's language.
extension CustomerValuePage {
    struct Model {
        /// Analysts and above see the refit and simple-formula forms.
        var canSave: Bool
        /// The refit form's model choices.
        var models: [Choice]
        /// Whether a fit with values exists; otherwise `emptyHint` says what to do.
        var hasModel: Bool
        var emptyHint: String?
        var summary: Summary?
        var fit: Fit?
        var simpleForm: SimpleForm?
    }

    struct Choice {
        var code: String
        var label: String
        var selected: Bool
    }

    /// The admin API's value summary as tiles, charts and tables.
    struct Summary {
        var customers: String
        var totalCLV: String
        var meanCLV: String
        var decileChart: String
        var deciles: [Decile]
        var topDecile: String?
        var bands: [Band]
        var bandChart: String
        var recencyNote: String
        var hasRecencyBands: Bool
        var recencyBands: [Band]
        var recencyChart: String?
        var channels: [Channel]
        var channelChart: String
    }

    struct Decile {
        var label: String
        var people: String
        var mean: String
        var minimum: String
        var total: String
        var share: String
    }

    /// A churn or recency band: green, yellow or red.
    struct Band {
        var code: String
        var label: String
        var note: String
        var people: String
        var share: String
    }

    struct Channel {
        var name: String
        var people: String
        var mean: String
        var total: String
        var revenue: String
    }

    /// The stored fit: model, when, on how many customers, its holdout check and warnings.
    struct Fit {
        var model: String
        var fittedAt: String
        var cutoff: String
        var customers: String
        /// False shows the "did not settle" alert; a fit at the model's limit counts as settled.
        var converged: Bool
        var holdout: Holdout?
        var holdoutMissing: Bool
        /// Set when every customer's CLV is the simple formula's value.
        var simpleSource: String?
        var warnings: [String]
        var hasWarnings: Bool
    }

    struct Holdout {
        var text: String
        var verdict: String
        /// `good`, `fair` or `poor` (the badge's class).
        var quality: String
    }

    /// The simple formula's inputs: what the last fit used and which of them the operator set.
    struct SimpleForm {
        var fields: [Field]
        var value: String
        var hasSaved: Bool
    }

    struct Field {
        var name: String
        var label: String
        var value: String
        var estimated: String
    }
}

/// What the value page's forms send.
extension CustomerValuePage {
    /// `POST /console/value/refit`: the model to fit (BG/NBD when empty).
    struct RefitForm: Decodable {
        var model: String?
    }

    /// `POST /console/value/simple`: the simple formula's inputs as typed (empty: estimated), or `reset`.
    struct SimpleInputForm: Decodable {
        var arpu: String?
        var retention: String?
        var lifetime: String?
        var coefficient: String?
        var reset: String?

        /// Each input with its setting key and the range it must fall in.
        var inputs: [(name: String, text: String?, key: String, range: ClosedRange<Double>)] {
            [
                ("arpu", arpu, "averageRevenuePerUser", 0...1e9), ("retention", retention, "retentionRate", 0...1),
                ("lifetime", lifetime, "averageLifetime", 0...1e9), ("coefficient", coefficient, "coefficient", 0...100),
            ]
        }
    }
}
