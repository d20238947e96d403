/// The time zone in which an import reads dates that carry no offset of their own (the
/// workspace's zone, `Asia/Shanghai` unless configured otherwise).
///
/// SiyuCore does not link Foundation (importing it anywhere in the module would change which
/// `hasPrefix`/`contains` every file calls), so a named zone comes from the caller as the
/// function "UTC offset at an instant", e.g. with Foundation:
///
/// ```swift
/// guard let zone = TimeZone(identifier: name) else { throw ... }
/// let importZone = ImportTimeZone(name: name) { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))) }
/// ```
///
/// Wall-clock times that do not exist (the hour skipped when daylight saving time starts) are
/// read with the offset in force before the change, so `02:30` on the day New York springs
/// forward is 03:30 EDT; times that occur twice (the hour repeated when it ends) are read as the
/// first of the two.
public struct ImportTimeZone: Sendable {
    enum Storage: Sendable {
        case fixed(offsetSeconds: Int)
        case offsets(@Sendable (_ epochSeconds: Int64) -> Int)
        case custom(@Sendable (_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Int64)
    }

    let storage: Storage
    /// The IANA name, `UTC+08:00` for a fixed offset, or `custom`.
    public let name: String

    /// A zone always `offsetSeconds` east of UTC.
    public static func fixed(offsetSeconds: Int) -> ImportTimeZone {
        let sign = offsetSeconds < 0 ? "-" : "+"
        let minutes = abs(offsetSeconds) / 60
        let hh = minutes / 60 < 10 ? "0\(minutes / 60)" : "\(minutes / 60)"
        let mm = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
        return ImportTimeZone(storage: .fixed(offsetSeconds: offsetSeconds), name: "UTC\(sign)\(hh):\(mm)")
    }

    public static let utc = ImportTimeZone.fixed(offsetSeconds: 0)

    /// A zone whose UTC offset (seconds east) at each instant (UTC epoch seconds) is given, such as
    /// an IANA zone read through Foundation's `TimeZone.secondsFromGMT(for:)`.
    public init(name: String, offsetAt: @escaping @Sendable (_ epochSeconds: Int64) -> Int) {
        storage = .offsets(offsetAt)
        self.name = name
    }

    /// A zone given by a function from a wall-clock time to UTC epoch milliseconds.
    public init(
        name: String = "custom",
        localToEpochMillis: @escaping @Sendable (_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> Int64
    ) {
        storage = .custom(localToEpochMillis)
        self.name = name
    }

    private init(storage: Storage, name: String) {
        self.storage = storage
        self.name = name
    }

    /// Seconds east of UTC at an instant (epoch seconds), for named and fixed zones.
    func offset(at epochSeconds: Int64) -> Int {
        switch storage {
        case .fixed(let offset): return offset
        case .offsets(let offsetAt): return offsetAt(epochSeconds)
        case .custom: return 0
        }
    }

    /// Epoch seconds of a wall-clock time given as seconds since 1970-01-01 00:00 *local*.
    func epochSeconds(localSeconds t: Int64) -> Int64 {
        // Offsets a day either side bracket any single transition near `t`; a candidate offset
        // is right when the instant it gives has that offset.
        let before = offset(at: t - 86_400)
        let after = offset(at: t + 86_400)
        let valid = Set([before, after]).filter { offset(at: t - Int64($0)) == $0 }
        if let earliest = valid.max() { return t - Int64(earliest) }
        return t - Int64(before)  // in a gap: keep the offset from before the change
    }

    /// UTC epoch milliseconds of a wall-clock time in this zone.
    public func epochMillis(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0) -> Int64 {
        if case .custom(let convert) = storage {
            return convert(year, month, day, hour, minute, second) + Int64(millisecond)
        }
        let local = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return epochSeconds(localSeconds: local) * 1000 + Int64(millisecond)
    }
}

/// ``ImportTimeZone`` with a cache of each local day's offset, so that a million rows ask the
/// time zone database a few thousand times rather than millions.
struct LocalTimeConverter: Sendable {
    let zone: ImportTimeZone
    /// Local day number → offset in force all that day (only days without a transition).
    private var dayOffsets: [Int64: Int] = [:]

    init(zone: ImportTimeZone) {
        self.zone = zone
    }

    mutating func epochMillis(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) -> Int64 {
        guard case .offsets = zone.storage else {
            return zone.epochMillis(year: year, month: month, day: day, hour: hour, minute: minute, second: second, millisecond: millisecond)
        }
        let dayNumber = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
        let local = dayNumber * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        if let offset = dayOffsets[dayNumber] { return (local - Int64(offset)) * 1000 + Int64(millisecond) }
        // A day whose offset is the same from the day before to the day after has no transition.
        let start = zone.offset(at: dayNumber * 86_400 - 86_400)
        if start == zone.offset(at: dayNumber * 86_400 + 2 * 86_400) {
            if dayOffsets.count > 20_000 { dayOffsets.removeAll(keepingCapacity: true) }
            dayOffsets[dayNumber] = start
            return (local - Int64(start)) * 1000 + Int64(millisecond)
        }
        return zone.epochSeconds(localSeconds: local) * 1000 + Int64(millisecond)
    }
}
