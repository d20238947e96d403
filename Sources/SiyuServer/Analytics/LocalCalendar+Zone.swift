import Foundation
import SiyuCore

extension LocalCalendar {
    /// The calendar of an IANA time zone, with its offset transitions from 1970 to 2100.
    public static func zone(_ identifier: String) -> LocalCalendar? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        var transitions: [(from: Int64, offsetSeconds: Int)] = []
        var date = Date(timeIntervalSince1970: 0)
        transitions.append((Int64.min, zone.secondsFromGMT(for: date)))
        let end = Date(timeIntervalSince1970: 4_102_444_800)
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end {
            transitions.append((Int64((next.timeIntervalSince1970 * 1000).rounded()), zone.secondsFromGMT(for: next)))
            date = next
        }
        return LocalCalendar(name: identifier, transitions: transitions)
    }
}
