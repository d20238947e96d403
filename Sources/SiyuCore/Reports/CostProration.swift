/// Spreads a monthly cost over a run of local days.
///
/// Each day costs the monthly amount ÷ the number of days in its own calendar month, so seven
/// days of May cost 7/31 of May's amount and seven days of June 7/30; a range across a month
/// end takes each month's share in turn. Each month's share is rounded to the minor unit, half
/// away from zero.
public enum CostProration {
    /// The share of `monthlyMinor` for the local days `firstDay...lastDay` (0 when the run is empty).
    public static func prorate(monthlyMinor: Int64, firstDay: Int, lastDay: Int) -> Int64 {
        guard lastDay >= firstDay else { return 0 }
        var total: Int64 = 0
        var day = firstDay
        while day <= lastDay {
            let (year, month, _) = Timestamp.civilFromDays(day)
            let monthStart = Timestamp.daysFromCivil(year: year, month: month, day: 1)
            let nextMonth =
                month == 12
                ? Timestamp.daysFromCivil(year: year + 1, month: 1, day: 1) : Timestamp.daysFromCivil(year: year, month: month + 1, day: 1)
            let segmentEnd = min(lastDay + 1, nextMonth)
            let (sum, overflow) = total.addingReportingOverflow(share(monthlyMinor, days: Int64(segmentEnd - day), of: Int64(nextMonth - monthStart)))
            total = overflow ? (monthlyMinor < 0 ? .min : .max) : sum
            day = segmentEnd
        }
        return total
    }

    /// `amount × days ÷ monthDays`, rounded half away from zero without overflowing for any
    /// amount a month can cost.
    static func share(_ amount: Int64, days: Int64, of monthDays: Int64) -> Int64 {
        let magnitude = amount.magnitude
        let whole = magnitude / UInt64(monthDays) * UInt64(days)
        let rest = magnitude % UInt64(monthDays) * UInt64(days)
        let rounded = whole + (2 * rest + UInt64(monthDays)) / (2 * UInt64(monthDays))
        let value = Int64(clamping: rounded)
        return amount < 0 ? -value : value
    }
}
