/// Arithmetic that stops at the ends of the range instead of trapping: totals of amounts and
/// counts that come from outside use it, so that no input can stop the process.
extension Int64 {
    /// `self + other`, held at `.max` or `.min` instead of overflowing.
    @inline(__always)
    public func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }

    /// `self × other`, held at `.max` or `.min` instead of overflowing.
    @inline(__always)
    public func multipliedSaturated(by other: Int64) -> Int64 {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        guard overflow else { return product }
        return (self < 0) == (other < 0) ? .max : .min
    }

    /// Adds `other` in place, saturating.
    @inline(__always)
    public mutating func addSaturated(_ other: Int64) {
        self = addingSaturated(other)
    }
}

extension Sequence where Element == Int64 {
    /// The sum, held at `Int64.max` or `.min` instead of overflowing.
    public func saturatedSum() -> Int64 {
        reduce(0) { $0.addingSaturated($1) }
    }
}
