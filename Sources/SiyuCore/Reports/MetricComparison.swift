/// How one metric of a report moved against one baseline, and whether that is news.
///
/// The rule, the same for every metric: the **move** is judged on the relative change
/// (current − baseline) ÷ |baseline| from ``KPIChange/relative``. It is `.up` when that change
/// is beyond +threshold, `.down` when beyond −threshold, `.flat` otherwise — a change of
/// exactly the threshold (15 % by default) is flat; differences within 10⁻⁹ of the threshold
/// count as exactly on it, so that rates such as 0.23 against 0.20 do not tip over on
/// floating-point noise. There is no move (`nil`) when the baseline is zero or missing or the
/// current value has no number. Rates also carry their difference in percentage points, for
/// display only.
public struct MetricComparison: Sendable, Equatable, Codable {
    /// Which way a metric moved beyond the threshold.
    public enum Move: String, Sendable, Equatable, Codable {
        case up, down, flat
    }

    public var metric: KPIMetric
    public var current: Double?
    public var baseline: Double?
    /// (current − baseline) ÷ |baseline|; `nil` when the baseline is zero or missing.
    public var relative: Double?
    /// For rates: (current − baseline) × 100, points of the percentage scale.
    public var percentagePoints: Double?
    public var move: Move?
    /// Whether the move is good news for this metric (churn up is bad); `nil` when flat or unknown.
    public var isGood: Bool?

    /// Tolerance around the threshold for floating-point noise.
    static let tolerance = 1e-9

    /// Compares `current` with `baseline`, flagging relative changes beyond ±`threshold`.
    public init(metric: KPIMetric, current: Double?, baseline: Double?, threshold: Double) {
        let change = KPIChange(metric: metric, current: current, baseline: baseline)
        self.metric = metric
        self.current = current
        self.baseline = baseline
        relative = change.relative
        percentagePoints = metric.isRate ? change.difference.map { $0 * 100 } : nil
        if let relative {
            if relative > threshold + Self.tolerance {
                move = .up
            } else if relative < -threshold - Self.tolerance {
                move = .down
            } else {
                move = .flat
            }
        } else {
            move = nil
        }
        switch move {
        case .up: isGood = metric.higherIsBetter
        case .down: isGood = !metric.higherIsBetter
        case .flat, nil: isGood = nil
        }
    }
}
