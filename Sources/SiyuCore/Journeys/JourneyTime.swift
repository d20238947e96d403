/// When the time-based parts of journeys and messaging fall due, on a person's local clock.
///
/// Every function takes the calendar to read local time with (the workspace's, or the person's
/// when the node says so) and answers a UTC instant in epoch milliseconds.
public enum JourneyTime {
    /// ISO weekday of a local day: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
    public static func weekday(ofDay day: Int) -> Int { ((day % 7) + 7 + 3) % 7 + 1 }

    /// The instant a delay ends for a person entering it at `now`; nil when a trait date is missing
    /// or unreadable, or a one-time date has passed (the node is then skipped).
    public static func end(of delay: JourneyDelay, now: Int64, calendar: LocalCalendar, traits: JSONObject) -> Int64? {
        switch delay {
        case .fixed(let millis):
            return now + millis
        case .untilTime(let minute, let weekdays, _):
            return nextTime(minuteOfDay: minute, weekdays: weekdays, after: now, calendar: calendar)
        case .untilTraitDate(let trait, let minute, let yearly, _):
            guard let text = traits[trait]?.stringValue, let date = monthDay(text) else { return nil }
            return nextDate(date, minuteOfDay: minute, yearly: yearly, after: now, calendar: calendar)
        }
    }

    /// The first instant at or after `now` whose local time is `minuteOfDay` on one of `weekdays`
    /// (empty: any day).
    public static func nextTime(minuteOfDay: Int, weekdays: Set<Int>, after now: Int64, calendar: LocalCalendar) -> Int64 {
        let today = calendar.day(now)
        for day in today...(today + 8) {
            guard weekdays.isEmpty || weekdays.contains(weekday(ofDay: day)) else { continue }
            let instant = calendar.utc(fromLocal: Int64(day) * 86_400_000 + Int64(minuteOfDay) * 60_000)
            if instant >= now { return instant }
        }
        return now  // unreachable: every weekday occurs within 8 days
    }

    /// `(year?, month, day)` from `1990-05-17`, `1990-05-17T…` or `05-17`.
    static func monthDay(_ text: String) -> (year: Int?, month: Int, day: Int)? {
        let head = text.prefix(10)
        let parts = head.split(separator: "-", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count else { return nil }
        let date: (Int?, Int, Int)
        switch numbers.count {
        case 3 where parts[0].count == 4: date = (numbers[0], numbers[1], numbers[2])
        case 2: date = (nil, numbers[0], numbers[1])
        default: return nil
        }
        guard (1...12).contains(date.1), (1...31).contains(date.2) else { return nil }
        return date
    }

    /// The next local `month-day` at `minuteOfDay` at or after `now` (yearly), or that exact date
    /// (nil once passed). 29 February falls on 28 February in years without it.
    static func nextDate(
        _ date: (year: Int?, month: Int, day: Int),
        minuteOfDay: Int,
        yearly: Bool,
        after now: Int64,
        calendar: LocalCalendar
    )
        -> Int64?
    {
        func instant(year: Int) -> Int64 {
            let lastDay = Timestamp.daysFromCivil(year: date.month == 12 ? year + 1 : year, month: date.month % 12 + 1, day: 1) - 1
            let day = min(Timestamp.daysFromCivil(year: year, month: date.month, day: date.day), lastDay)
            return calendar.utc(fromLocal: Int64(day) * 86_400_000 + Int64(minuteOfDay) * 60_000)
        }
        if !yearly {
            guard let year = date.year else { return nil }
            let at = instant(year: year)
            return at >= now ? at : nil
        }
        let thisYear = calendar.date(ofDay: calendar.day(now)).year
        let candidate = instant(year: thisYear)
        return candidate >= now ? candidate : instant(year: thisYear + 1)
    }
}

/// Quiet hours: messages due inside the window are held until it ends (default 21:00–09:00 local).
public struct QuietHours: Sendable, Equatable {
    /// Minutes after local midnight; the window may run over midnight (`start > end`).
    public var startMinute: Int
    public var endMinute: Int

    public init(startMinute: Int = 21 * 60, endMinute: Int = 9 * 60) {
        self.startMinute = startMinute
        self.endMinute = endMinute
    }

    /// Whether a local minute of the day is inside the window.
    public func contains(minuteOfDay minute: Int) -> Bool {
        if startMinute == endMinute { return false }
        return startMinute < endMinute
            ? (startMinute..<endMinute).contains(minute)
            : minute >= startMinute || minute < endMinute
    }

    /// `instant` when it is outside the window, else the instant the window ends.
    public func release(_ instant: Int64, calendar: LocalCalendar) -> Int64 {
        let day = calendar.day(instant)
        let minute = Int((instant + calendar.offsetMillis(at: instant) - Int64(day) * 86_400_000) / 60_000)
        guard contains(minuteOfDay: minute) else { return instant }
        // Inside: the end is today's when it is still ahead, else tomorrow's.
        let endDay = minute < endMinute ? day : day + 1
        return calendar.utc(fromLocal: Int64(endDay) * 86_400_000 + Int64(endMinute) * 60_000)
    }
}

/// A cap on messages per person per channel, counted in the person's local days and weeks (Monday first).
public struct FrequencyCap: Sendable, Equatable {
    public var perDay: Int?
    public var perWeek: Int?

    public init(perDay: Int? = nil, perWeek: Int? = nil) {
        self.perDay = perDay
        self.perWeek = perWeek
    }

    /// Whether one more message may go at `instant`, given the instants of those already sent;
    /// when not, the instant it could (the start of the next local day or week), for deferral.
    public func check(at instant: Int64, sent: [Int64], calendar: LocalCalendar) -> (allowed: Bool, retryAt: Int64?) {
        let day = calendar.bucket(instant, .day)
        let week = calendar.bucket(instant, .week)
        if let perWeek, sent.count(where: { calendar.bucket($0, .week) == week }) >= perWeek {
            return (false, calendar.start(ofBucket: week + 1, .week))
        }
        if let perDay, sent.count(where: { calendar.bucket($0, .day) == day }) >= perDay {
            return (false, calendar.start(ofBucket: day + 1, .day))
        }
        return (true, nil)
    }
}

/// Deterministic buckets: the same person always lands in the same branch of a split and the same
/// side of a holdout, on every version of a journey and on every machine.
public enum JourneyBucket {
    /// A number in [0, 1) from the journey, a salt (the node, or `holdout`) and the person.
    public static func fraction(journey: Int64, salt: String, person: Int64) -> Double {
        var hasher = FNV1a()
        hasher.add("\(journey)/\(salt)/\(person)")
        // FNV-1a's high bits mix poorly for near-equal inputs: finish with splitmix64's mixer.
        var z = hasher.value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        z ^= z >> 31
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }

    /// Whether the person is held out of the journey (fraction below `share`).
    public static func isHeldOut(journey: Int64, person: Int64, share: Double) -> Bool {
        share > 0 && fraction(journey: journey, salt: "holdout", person: person) < share
    }

    /// The branch of a random split for a person: weights cut [0, 1) in order.
    public static func branch(_ branches: [JourneyNode.Branch], journey: Int64, node: String, person: Int64) -> JourneyNode.Branch? {
        let total = branches.reduce(0) { $0 + max(0, $1.weight) }
        guard total > 0 else { return nil }
        let point = fraction(journey: journey, salt: node, person: person) * Double(total)
        var upTo = 0.0
        for branch in branches {
            upTo += Double(max(0, branch.weight))
            if point < upTo { return branch }
        }
        return branches.last
    }
}
