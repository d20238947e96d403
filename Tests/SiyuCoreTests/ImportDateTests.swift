import Foundation
import Testing

@testable import SiyuCore

extension ImportTimeZone {
    /// An IANA zone read through Foundation, as the command line and server build it.
    static func named(_ identifier: String) -> ImportTimeZone? {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        return ImportTimeZone(name: identifier) { zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval($0))) }
    }
}

@Suite struct ImportDateTests {
    let shanghai = ImportTimeZone.named("Asia/Shanghai")
    let newYork = ImportTimeZone.named("America/New_York")

    func parse(_ text: String, _ zone: ImportTimeZone?) -> Int64? {
        guard let zone else { return nil }
        var parser = ImportDateParser(zone: zone)
        return parser.parse(text)
    }

    @Test func shanghaiWallClockIsEightHoursAhead() {
        // 2024-05-01 is 19844 days after 1970-01-01 (54 years: 13 leap days, 54×365+13 = 19723 to 2024-01-01,
        // then 31+29+31+30 = 121): 19844 × 86400 = 1 714 521 600 s. 08:00 in UTC+8 is 00:00Z.
        #expect(parse("2024-05-01 08:00:00", shanghai) == 1_714_521_600_000)
        // Midnight local is 16:00Z the day before: 1 714 521 600 − 8 × 3600.
        #expect(parse("2024-05-01", shanghai) == 1_714_492_800_000)
    }

    @Test(arguments: [
        "2024/05/01 13:45:00", "2024/5/1 13:45", "2024-05-01 13:45", "2024-05-01T13:45:00", "2024.05.01 13:45:00", "2024年5月1日 13:45",
        "2024年5月1日13时45分", "2024年05月01日 13:45:00", "20240501134500", "2024-05-01 13:45:00.000", "2024-05-01T05:45:00Z",
        "2024-05-01 13:45:00 +08:00", "2024-05-01T13:45:00+0800", "2024-05-01 05:45 UTC", "1714542300", "1714542300000",
    ])
    func chineseExportFormats(_ text: String) {
        // 13:45 in UTC+8 is 05:45Z: 1 714 521 600 + 5×3600 + 45×60 = 1 714 542 300 s.
        #expect(parse(text, shanghai) == 1_714_542_300_000)
    }

    @Test func dateOnlyForms() {
        for text in ["2024/5/1", "2024年5月1日", "20240501", "2024-5-1"] {
            #expect(parse(text, shanghai) == 1_714_492_800_000, "\(text)")
        }
    }

    @Test(arguments: [
        "05/01/2024", "2024-02-30", "2024-13-01", "2024-05-01 25:00", "abc", "2024-05", "45413", "2024-05-01 13:45 +25", "1714542300.5",
    ])
    func refusesAmbiguousOrImpossibleDates(_ text: String) {
        #expect(parse(text, shanghai) == nil)
    }

    @Test func newYorkAcrossDaylightSavingTime() {
        // 2024-01-01 is day 19723; 2024-03-10 is 19723 + 31 + 29 + 9 = 19792 → 1 710 028 800 s at 00:00Z.
        // 01:30 EST (UTC−5) is 06:30Z: +23 400 s.
        #expect(parse("2024-03-10 01:30", newYork) == 1_710_052_200_000)
        // Clocks jump from 02:00 EST to 03:00 EDT; 03:30 EDT (UTC−4) is 07:30Z: +27 000 s.
        #expect(parse("2024-03-10 03:30", newYork) == 1_710_055_800_000)
        // 02:30 does not exist that day: read with the offset before the change, 02:30 EST = 07:30Z.
        #expect(parse("2024-03-10 02:30", newYork) == 1_710_055_800_000)
        // 2024-11-03 is 19723 + 305 + 2 = 20030 → 1 730 592 000 s. 01:30 happens twice; the first,
        // EDT, is 05:30Z: +19 800 s (the second, EST, would be 06:30Z).
        #expect(parse("2024-11-03 01:30", newYork) == 1_730_611_800_000)
        // 2024-07-01 is 19723 + 182 = 19905 → 1 719 792 000 s; noon EDT is 16:00Z: +57 600 s.
        #expect(parse("2024-07-01 12:00", newYork) == 1_719_849_600_000)
        // 2024-01-15 is day 19737 → 1 705 276 800 s; noon EST is 17:00Z: +61 200 s.
        #expect(parse("2024-01-15 12:00", newYork) == 1_705_338_000_000)
    }

    @Test func fixedAndCustomZones() {
        #expect(parse("2024-05-01 08:00", .fixed(offsetSeconds: 8 * 3600)) == 1_714_521_600_000)
        // 08:00 UTC is 1 714 521 600 + 8 × 3600 = 1 714 550 400 s.
        #expect(parse("2024-05-01 08:00", .utc) == 1_714_550_400_000)
        #expect(ImportTimeZone.fixed(offsetSeconds: -(5 * 3600 + 30 * 60)).name == "UTC-05:30")
        let custom = ImportTimeZone { year, month, day, hour, minute, second in
            Int64(Timestamp.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - 3600) * 1000
        }
        #expect(parse("2024-05-01 01:00", custom) == 1_714_521_600_000)
    }
}
