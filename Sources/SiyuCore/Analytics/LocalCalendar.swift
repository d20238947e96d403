/// Calendar periods in which analytics cut time.
public enum Period: String, Sendable, Codable, CaseIterable {
    case hour, day, week, month, quarter
}

/// Cuts instants into local hours, days, weeks (Monday first), months and quarters of a
/// workspace's time zone.
///
/// Pure: the UTC offsets come from the caller as a table of transitions (Foundation's
/// `TimeZone` in the server builds it), so that days are cut right across daylight saving time.
public struct LocalCalendar: Sendable {
    public let name: String
    /// Instants (UTC epoch milliseconds) from which each offset applies, ascending; the first
    /// offset also applies before the first instant.
    private let starts: [Int64]
    private let offsets: [Int64]

    /// A calendar with the given offset transitions: `(from, offsetSeconds)` pairs.
    public init(name: String, transitions: [(from: Int64, offsetSeconds: Int)]) {
        self.name = name
        let sorted = transitions.sorted { $0.from < $1.from }
        starts = sorted.map(\.from)
        offsets = sorted.map { Int64($0.offsetSeconds) * 1000 }
    }

    /// A zone with one fixed offset (UTC+8 for China).
    public static func fixed(offsetSeconds: Int, name: String = "fixed") -> LocalCalendar {
        LocalCalendar(name: name, transitions: [(Int64.min, offsetSeconds)])
    }

    public static let utc = LocalCalendar.fixed(offsetSeconds: 0, name: "UTC")
    public static let shanghai = LocalCalendar.fixed(offsetSeconds: 8 * 3600, name: "Asia/Shanghai")

    /// Milliseconds to add to UTC to get local wall-clock time at `instant`.
    @inline(__always) public func offsetMillis(at instant: Int64) -> Int64 {
        if offsets.count == 1 { return offsets[0] }
        var low = 0
        var high = starts.count - 1
        if instant < starts[0] { return offsets[0] }
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return offsets[low]
    }

    /// The local day of an instant: days since 1970-01-01 in local time.
    @inline(__always) public func day(_ instant: Int64) -> Int {
        floorDivide(instant + offsetMillis(at: instant), 86_400_000)
    }

    /// The bucket number of an instant in a period: local hours, days, Monday-based weeks,
    /// months (`year × 12 + month − 1`) or quarters (`year × 4 + quarter − 1`) since the epoch.
    public func bucket(_ instant: Int64, _ period: Period) -> Int {
        let local = instant + offsetMillis(at: instant)
        switch period {
        case .hour: return floorDivide(local, 3_600_000)
        case .day: return floorDivide(local, 86_400_000)
        case .week: return floorDivide(Int64(floorDivide(local, 86_400_000) + 3), 7)  // 1970-01-01 was a Thursday
        case .month:
            let (y, m, _) = Timestamp.civilFromDays(floorDivide(local, 86_400_000))
            return y * 12 + m - 1
        case .quarter:
            let (y, m, _) = Timestamp.civilFromDays(floorDivide(local, 86_400_000))
            return y * 4 + (m - 1) / 3
        }
    }

    /// The first local day of a bucket.
    public func firstDay(ofBucket bucket: Int, _ period: Period) -> Int {
        switch period {
        case .hour: return floorDivide(Int64(bucket), 24)
        case .day: return bucket
        case .week: return bucket * 7 - 3
        case .month:
            return Timestamp.daysFromCivil(year: floorDivide(Int64(bucket), 12), month: bucket - floorDivide(Int64(bucket), 12) * 12 + 1, day: 1)
        case .quarter:
            let year = floorDivide(Int64(bucket), 4)
            return Timestamp.daysFromCivil(year: year, month: (bucket - year * 4) * 3 + 1, day: 1)
        }
    }

    /// The UTC instant at which a bucket starts locally.
    public func start(ofBucket bucket: Int, _ period: Period) -> Int64 {
        let local: Int64 = period == .hour ? Int64(bucket) * 3_600_000 : Int64(firstDay(ofBucket: bucket, period)) * 86_400_000
        return utc(fromLocal: local)
    }

    /// The UTC instant of local midnight starting `day`.
    public func start(ofDay day: Int) -> Int64 { utc(fromLocal: Int64(day) * 86_400_000) }

    /// The UTC instant of a local wall-clock time (the earlier one when the clock goes back; a
    /// time skipped when it goes forward reads with the offset from before the change).
    public func utc(fromLocal local: Int64) -> Int64 {
        let guess = local - offsetMillis(at: local)
        let adjusted = local - offsetMillis(at: guess)
        return offsetMillis(at: adjusted) == offsetMillis(at: guess) ? adjusted : guess
    }

    /// The local `(year, month, day)` of a day number.
    public func date(ofDay day: Int) -> (year: Int, month: Int, day: Int) { Timestamp.civilFromDays(day) }

    /// A label for a bucket: `2024-05-01`, `2024-05-01 13:00`, `2024-W18` (ISO week of its
    /// Monday's Thursday), `2024-05`, `2024-Q2`.
    public func label(ofBucket bucket: Int, _ period: Period) -> String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch period {
        case .hour:
            let (y, m, d) = Timestamp.civilFromDays(firstDay(ofBucket: bucket, .hour))
            return "\(y)-\(two(m))-\(two(d)) \(two(bucket - floorDivide(Int64(bucket), 24) * 24)):00"
        case .day:
            let (y, m, d) = Timestamp.civilFromDays(bucket)
            return "\(y)-\(two(m))-\(two(d))"
        case .week:
            let thursday = firstDay(ofBucket: bucket, .week) + 3
            let (y, _, _) = Timestamp.civilFromDays(thursday)
            let firstThursdayWeek = self.isoFirstWeek(year: y)
            return "\(y)-W\(two(bucket - firstThursdayWeek + 1))"
        case .month:
            let year = floorDivide(Int64(bucket), 12)
            return "\(year)-\(two(bucket - year * 12 + 1))"
        case .quarter:
            let year = floorDivide(Int64(bucket), 4)
            return "\(year)-Q\(bucket - year * 4 + 1)"
        }
    }

    /// The week bucket of ISO week 1 of `year` (the week holding January 4th).
    private func isoFirstWeek(year: Int) -> Int {
        floorDivide(Int64(Timestamp.daysFromCivil(year: year, month: 1, day: 4) + 3), 7)
    }
}

/// Floor division (towards −∞), for instants before the epoch.
@inline(__always) func floorDivide(_ a: Int64, _ b: Int64) -> Int {
    let q = a / b
    return Int((a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q)
}
