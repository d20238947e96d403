import SiyuCore

/// Reads the day and week the report pages are asked for (`?day=2024-05-08`, `?week=2024-W19`).
///
/// A value is accepted only when it names a real day or ISO week and writes back to the same text,
/// so `2024-02-30` and `2024-W54` are refused rather than rolled over.
enum ReportPeriodInput {
    /// The local day of `2024-05-08`, or `nil` when the text is not such a date.
    static func day(_ text: String, calendar: LocalCalendar) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let number = Timestamp.daysFromCivil(year: year, month: month, day: day)
        return calendar.label(ofBucket: number, .day) == text ? number : nil
    }

    /// The week bucket of the ISO week `2024-W19`, or `nil` when the text is not such a week.
    static func week(_ text: String, calendar: LocalCalendar) -> Int? {
        let upper = text.uppercased()
        let parts = upper.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 3, parts[1].hasPrefix("W"),
            let year = Int(parts[0]), let number = Int(parts[1].dropFirst()), (1970...9999).contains(year), (1...53).contains(number)
        else { return nil }
        // ISO week 1 is the week holding January 4th; week buckets count Mondays since 1969-12-29.
        let firstWeek = (Timestamp.daysFromCivil(year: year, month: 1, day: 4) + 3) / 7
        let bucket = firstWeek + number - 1
        return calendar.label(ofBucket: bucket, .week) == upper ? bucket : nil
    }

    /// `2024-04-29 – 2024-05-05`: the local days a week bucket covers.
    static func days(ofWeek week: Int, calendar: LocalCalendar) -> (first: String, last: String) {
        let first = calendar.firstDay(ofBucket: week, .week)
        return (calendar.label(ofBucket: first, .day), calendar.label(ofBucket: first + 6, .day))
    }
}
