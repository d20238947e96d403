/// Something an operator should know before trusting the fitted values.
public enum ValueWarning: Sendable, Equatable, CustomStringConvertible {
    /// Fewer repeat customers than the models need (about 100): use the simple formula instead.
    case thinData(repeatCustomers: Int, minimum: Int)
    /// The optimiser stopped without meeting its convergence test.
    case notConverged(model: String)
    /// The fit reached the model's limit where customers do not differ in how likely they are to
    /// drop out (``FitDiagnostics/atBoundary``): its values are that limit's, with `dropout` the
    /// chance of dropping out after each purchase. For the operator's information; the values are used.
    case sameDropout(model: String, dropout: Double)
    /// Frequency and spend are correlated, against the Gamma-Gamma model's assumption.
    case spendCorrelated(correlation: Double)
    /// Holdout purchases were predicted off by more than the tolerated share.
    case poorHoldoutFit(relativeError: Double)
    /// Repeat customers whose repeat purchases were worth nothing (gifts, free samples, refunds):
    /// left out of the spend model, which gives them the average spend.
    case nonPositiveSpend(customers: Int, example: String)
    /// No repeat customer spent anything: there is no spend model and no CLV.
    case noSpend(repeatCustomers: Int)

    /// The smallest number of repeat customers the probabilistic models are trusted with.
    public static let minimumRepeatCustomers = 100

    public var description: String {
        switch self {
        case .thinData(let count, let minimum):
            "thin data: only \(count) repeat customers (fewer than \(minimum)); the model estimates are unreliable, use the simple formula"
        case .notConverged(let model):
            "the \(model) fit did not converge"
        case .sameDropout(let model, let dropout):
            "customers do not differ in how likely they are to stop buying: the \(model) fit is the model's limit "
                + "(a and b without bound), every customer dropping out after a purchase with chance \(Self.percent(dropout))%"
        case .spendCorrelated(let r):
            "frequency and spend are correlated (r = \(r)); the Gamma-Gamma spend estimates may be biased"
        case .poorHoldoutFit(let error):
            "the model misses holdout purchases by \(Int((error * 100).rounded()))%"
        case .nonPositiveSpend(let count, let example):
            "\(count) repeat customers spent nothing on their repeat purchases (e.g. customer \(example)); "
                + "the spend model was fitted without them and gives them the average spend"
        case .noSpend(let count):
            "none of the \(count) repeat customers spent anything on their repeat purchases: no spend model, no CLV"
        }
    }

    /// A chance as a percentage with one decimal: `0.15734` → `15.7`.
    static func percent(_ fraction: Double) -> String {
        let tenths = (fraction * 1000).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10)"
    }

    /// Warnings about the data itself: thin data.
    public static func dataWarnings(_ customers: [CustomerSummary], minimumRepeatCustomers: Int = minimumRepeatCustomers) -> [ValueWarning] {
        let repeaters = customers.count { $0.frequency > 0 }
        return repeaters < minimumRepeatCustomers ? [.thinData(repeatCustomers: repeaters, minimum: minimumRepeatCustomers)] : []
    }
}
