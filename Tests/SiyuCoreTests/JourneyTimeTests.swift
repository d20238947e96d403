import Testing

@testable import SiyuCore

/// Delays, quiet hours and frequency caps on local clocks; every instant below is worked out by hand
/// from the local wall-clock time and the zone's offset (Shanghai UTC+8, Los Angeles UTC−7 in May).
@Suite struct JourneyTimeTests {
    /// 2024-05-17T00:00:00Z, a Friday (day 19860 since 1970-01-01: 19860 mod 7 = 1 → Thursday + 1).
    static let may17: Int64 = 1_715_904_000_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    let shanghai = LocalCalendar.shanghai
    let losAngeles = LocalCalendar.fixed(offsetSeconds: -7 * 3600, name: "America/Los_Angeles")

    @Test func weekdaysAreISO() {
        #expect(JourneyTime.weekday(ofDay: 0) == 4)  // 1970-01-01, a Thursday
        #expect(JourneyTime.weekday(ofDay: 4) == 1)  // 1970-01-05, a Monday
        #expect(JourneyTime.weekday(ofDay: -1) == 3)  // 1969-12-31, a Wednesday
        #expect(JourneyTime.weekday(ofDay: Int(Self.may17 / Self.day)) == 5)  // Friday
    }

    @Test func untilATimeOfDayOnWeekdays() {
        // 10:00 in Shanghai on Friday 17 May (02:00Z); 09:00 has passed today → Saturday 09:00 = 18 May 01:00Z.
        let now = Self.may17 + 2 * Self.hour
        let nine = JourneyDelay.untilTime(minuteOfDay: 9 * 60, weekdays: [], zone: .workspace)
        #expect(JourneyTime.end(of: nine, now: now, calendar: shanghai, traits: [:]) == Self.may17 + Self.day + Self.hour)
        // Mondays only: Monday 20 May 09:00 Shanghai = 20 May 01:00Z.
        let monday = JourneyDelay.untilTime(minuteOfDay: 9 * 60, weekdays: [1], zone: .workspace)
        #expect(JourneyTime.end(of: monday, now: now, calendar: shanghai, traits: [:]) == Self.may17 + 3 * Self.day + Self.hour)
        // Exactly at the time: now.
        let atNine = Self.may17 + Self.hour
        #expect(JourneyTime.end(of: nine, now: atNine, calendar: shanghai, traits: [:]) == atNine)
        // The same instant in Los Angeles is 16 May 19:00 local → 17 May 09:00 local = 17 May 16:00Z.
        #expect(JourneyTime.end(of: nine, now: now, calendar: losAngeles, traits: [:]) == Self.may17 + 16 * Self.hour)
    }

    @Test func untilABirthday() {
        let tenAM = 10 * 60
        let yearly = JourneyDelay.untilTraitDate(trait: "birthday", minuteOfDay: tenAM, yearly: true, zone: .workspace)
        // 09:00 Shanghai on the birthday (01:00Z): today at 10:00 = 02:00Z.
        let morning = Self.may17 + Self.hour
        #expect(JourneyTime.end(of: yearly, now: morning, calendar: shanghai, traits: ["birthday": "1990-05-17"]) == Self.may17 + 2 * Self.hour)
        // 11:00 Shanghai: next year's, 2025-05-17 10:00 Shanghai = 2025-05-17T02:00Z, 365 days later (no 29 February in between).
        let late = Self.may17 + 3 * Self.hour
        #expect(
            JourneyTime.end(of: yearly, now: late, calendar: shanghai, traits: ["birthday": "05-17"]) == Self.may17 + 365 * Self.day + 2 * Self.hour
        )
        // 29 February in 2025 falls on 28 February: 2025-02-28 10:00 Shanghai = 2025-02-28T02:00Z,
        // 287 days after 2024-05-17 (14 + 30 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 28).
        #expect(
            JourneyTime.end(of: yearly, now: late, calendar: shanghai, traits: ["birthday": "2000-02-29"]) == Self.may17 + 287 * Self.day + 2
                * Self.hour
        )
        // A one-time date that has passed, a missing trait and an unreadable one: skipped (nil).
        let once = JourneyDelay.untilTraitDate(trait: "renewal", minuteOfDay: tenAM, yearly: false, zone: .workspace)
        #expect(JourneyTime.end(of: once, now: late, calendar: shanghai, traits: ["renewal": "2024-05-01"]) == nil)
        #expect(
            JourneyTime.end(of: once, now: late, calendar: shanghai, traits: ["renewal": "2024-06-01"]) == Self.may17 + 15 * Self.day + 2 * Self.hour
        )
        #expect(JourneyTime.end(of: yearly, now: late, calendar: shanghai, traits: [:]) == nil)
        #expect(JourneyTime.end(of: yearly, now: late, calendar: shanghai, traits: ["birthday": "soon"]) == nil)
        #expect(JourneyTime.end(of: yearly, now: late, calendar: shanghai, traits: ["birthday": "1990-13-01"]) == nil)
    }

    @Test func quietHoursHoldUntilTheWindowEnds() {
        let quiet = QuietHours()  // 21:00–09:00
        // 22:30 Shanghai on 17 May (14:30Z) → 09:00 on 18 May = 18 May 01:00Z.
        #expect(quiet.release(Self.may17 + 14 * Self.hour + 30 * 60_000, calendar: shanghai) == Self.may17 + Self.day + Self.hour)
        // 08:00 Shanghai (00:00Z) → 09:00 the same day (01:00Z); 12:00 (04:00Z) is left alone; 21:00 exactly is quiet.
        #expect(quiet.release(Self.may17, calendar: shanghai) == Self.may17 + Self.hour)
        #expect(quiet.release(Self.may17 + 4 * Self.hour, calendar: shanghai) == Self.may17 + 4 * Self.hour)
        #expect(quiet.release(Self.may17 + 13 * Self.hour, calendar: shanghai) == Self.may17 + Self.day + Self.hour)
        // The same 14:30Z is 07:30 in Los Angeles: held until 09:00 there = 16:00Z.
        #expect(quiet.release(Self.may17 + 14 * Self.hour + 30 * 60_000, calendar: losAngeles) == Self.may17 + 16 * Self.hour)
        // A window inside one day (13:00–14:00) and an empty one.
        let lunch = QuietHours(startMinute: 13 * 60, endMinute: 14 * 60)
        #expect(lunch.release(Self.may17 + 5 * Self.hour + 30 * 60_000, calendar: shanghai) == Self.may17 + 6 * Self.hour)
        #expect(QuietHours(startMinute: 0, endMinute: 0).release(Self.may17, calendar: shanghai) == Self.may17)
    }

    @Test func frequencyCapsCountLocalDaysAndWeeks() {
        let onePerDay = FrequencyCap(perDay: 1)
        let sent = [Self.may17 + Self.hour]  // 09:00 Shanghai, 17 May
        // 20:00 Shanghai the same day (12:00Z): capped until Shanghai midnight = 17 May 16:00Z.
        let evening = onePerDay.check(at: Self.may17 + 12 * Self.hour, sent: sent, calendar: shanghai)
        #expect(evening.allowed == false && evening.retryAt == Self.may17 + 16 * Self.hour)
        // 17:00Z is 01:00 on 18 May in Shanghai: a new day there, the same day in UTC.
        #expect(onePerDay.check(at: Self.may17 + 17 * Self.hour, sent: sent, calendar: shanghai).allowed)
        let utc = onePerDay.check(at: Self.may17 + 17 * Self.hour, sent: sent, calendar: .utc)
        #expect(utc.allowed == false && utc.retryAt == Self.may17 + Self.day)
        // Two a week (Monday first): Monday 13 and Friday 17 May used it up; Sunday 19 May is still capped,
        // until Monday 20 May 00:00 Shanghai = 19 May 16:00Z.
        let twice = FrequencyCap(perWeek: 2)
        let week = [Self.may17 - 4 * Self.day + Self.hour, Self.may17 + Self.hour]
        let sunday = twice.check(at: Self.may17 + 2 * Self.day + 4 * Self.hour, sent: week, calendar: shanghai)
        #expect(sunday.allowed == false && sunday.retryAt == Self.may17 + 2 * Self.day + 16 * Self.hour)
        #expect(twice.check(at: Self.may17 + 3 * Self.day + Self.hour, sent: week, calendar: shanghai).allowed)
        #expect(FrequencyCap().check(at: Self.may17, sent: week + week, calendar: shanghai).allowed)
    }

    @Test func bucketsAreStableAndEven() {
        // Deterministic: the same inputs, the same number, on every run and machine.
        let first = JourneyBucket.fraction(journey: 7, salt: "split", person: 42)
        #expect(first == JourneyBucket.fraction(journey: 7, salt: "split", person: 42))
        #expect(first != JourneyBucket.fraction(journey: 7, salt: "split", person: 43))
        // 20,000 people through a 50/50 split: each side within 4 standard deviations of 10,000
        // (σ = √(20000 · 0.25) ≈ 70.7), and a 10 % holdout within 4σ of 2,000 (σ = √(20000 · 0.09) ≈ 42.4).
        let branches = [JourneyNode.Branch(weight: 1, next: "a"), JourneyNode.Branch(weight: 1, next: "b")]
        var a = 0
        var held = 0
        for person in Int64(1)...20_000 {
            if JourneyBucket.branch(branches, journey: 7, node: "split", person: person)?.next == "a" { a += 1 }
            if JourneyBucket.isHeldOut(journey: 7, person: person, share: 0.1) { held += 1 }
        }
        #expect(abs(a - 10_000) < 283, "\(a)")
        #expect(abs(held - 2_000) < 170, "\(held)")
        // Splits and holdout are independent salts: being held out says nothing about the branch.
        #expect(JourneyBucket.isHeldOut(journey: 7, person: 1, share: 0) == false)
        #expect(
            JourneyBucket.branch(
                [JourneyNode.Branch(weight: 0, next: "x"), JourneyNode.Branch(weight: 3, next: "y")],
                journey: 1,
                node: "n",
                person: 5
            )?.next == "y"
        )
    }
}
