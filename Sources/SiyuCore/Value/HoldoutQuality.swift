/// How well a purchase model fitted on a calibration period predicts the holdout period after it:
/// the data of the standard "conditional expectations" plot (mean predicted and actual holdout
/// purchases by calibration frequency 0, 1, …, 7+) and the totals.
public struct HoldoutQuality: Sendable, Equatable {
    /// Customers with one calibration frequency (the last bucket holds all at or above it).
    public struct Bucket: Sendable, Equatable {
        /// Calibration repeat purchases; the last bucket means "this many or more".
        public var frequency: Int
        public var customers: Int
        /// Σ predicted holdout purchases.
        public var predicted: Double
        /// Σ actual holdout purchases.
        public var actual: Double

        public init(frequency: Int, customers: Int, predicted: Double, actual: Double) {
            self.frequency = frequency
            self.customers = customers
            self.predicted = predicted
            self.actual = actual
        }

        /// Mean predicted holdout purchases per customer (0 for an empty bucket).
        public var meanPredicted: Double { customers == 0 ? 0 : predicted / Double(customers) }
        /// Mean actual holdout purchases per customer (0 for an empty bucket).
        public var meanActual: Double { customers == 0 ? 0 : actual / Double(customers) }
    }

    public var buckets: [Bucket]
    /// Σ predicted holdout purchases over all customers.
    public var predicted: Double
    /// Σ actual holdout purchases over all customers.
    public var actual: Double

    public init(buckets: [Bucket], predicted: Double, actual: Double) {
        self.buckets = buckets
        self.predicted = predicted
        self.actual = actual
    }

    /// Predicted minus actual, relative to actual (0 when both are 0).
    public var relativeError: Double { actual == 0 ? (predicted == 0 ? 0 : .infinity) : (predicted - actual) / actual }

    /// Each customer's prediction is the model's expected purchases over their holdout duration.
    public init(_ rows: [CalibrationHoldoutSummary], model: some PurchaseModel, lastBucket: Int = 7) {
        var buckets = (0...lastBucket).map { Bucket(frequency: $0, customers: 0, predicted: 0, actual: 0) }
        var predicted = 0.0
        var actual = 0.0
        for row in rows {
            let p = model.expectedPurchases(in: row.durationHoldout, for: row.calibration)
            let i = min(lastBucket, max(0, Int(row.calibration.frequency)))
            buckets[i].customers += 1
            buckets[i].predicted += p
            buckets[i].actual += row.frequencyHoldout
            predicted += p
            actual += row.frequencyHoldout
        }
        self.init(buckets: buckets, predicted: predicted, actual: actual)
    }
}
