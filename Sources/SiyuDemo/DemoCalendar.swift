import SiyuCore

/// A brand-wide sale day that brings more visitors and more orders.
struct DemoCampaign: Sendable {
    /// Day index within the period.
    var day: Int
    /// utm campaign name of links shared for the sale.
    var key: String
    var title: String
    /// Multiplier of new arrivals and of visits on the day itself.
    var arrivalBoost: Double
    var visitBoost: Double
}

/// The days of the period as the brand lives them, in China time (UTC+8): weekends, two sales
/// (新茶节 early on and a 双11-style 青禾品牌日 near the end), and the hours people shop.
struct DemoCalendar: Sendable {
    let startingAt: Int64
    let days: Int
    let campaigns: [DemoCampaign]
    /// Visit multiplier of each day (weekends, sale days and the warm-up before the big sale).
    let visitFactor: [Double]
    /// New people arriving on each day; adds up to the brand's `people`.
    let arrivals: [Int]
    /// Cumulative weights of the 24 hour-long slots of a day, by local hour of day.
    private let hourCumulative: [Double]

    static let chinaOffset: Int64 = 8 * 3_600_000
    static let hourMillis: Int64 = 3_600_000

    /// Relative activity of each local hour: quiet nights, a lunch peak and the evening peak.
    static let hourWeights: [Double] = [
        0.6, 0.3, 0.15, 0.1, 0.1, 0.2, 0.6, 1.4, 2.0, 2.2, 2.4, 2.6, 3.2, 2.8, 2.4, 2.6, 2.6, 2.8, 3.0, 3.6, 4.6, 5.0, 4.2, 2.0,
    ]

    /// The calendar of a period of `days` days from `startingAt`, spreading `people` arrivals over it.
    init(startingAt: Int64, days: Int, people: Int) {
        self.startingAt = startingAt
        self.days = days
        let last = Double(max(0, days - 1))
        let big = DemoCampaign(day: Int((last * 0.8).rounded()), key: "qh_brand_day", title: "青禾品牌日", arrivalBoost: 3.5, visitBoost: 2.6)
        let small = DemoCampaign(day: Int((last * 0.35).rounded()), key: "qh_new_tea_festival", title: "新茶节", arrivalBoost: 2.0, visitBoost: 1.7)
        campaigns = big.day == small.day ? [big] : [small, big]

        var visit: [Double] = []
        var arrivalWeights: [Double] = []
        for day in 0..<days {
            let weekend = Self.isWeekend(startingAt + Int64(day) * DemoBrand.dayMillis)
            var v = weekend ? 1.2 : 1.0
            // Word of mouth grows through the quarter.
            var a = (weekend ? 1.3 : 1.0) * (1 + 0.6 * Double(day) / Double(max(1, days)))
            if let campaign = campaigns.first(where: { $0.day == day }) {
                v *= campaign.visitBoost
                a *= campaign.arrivalBoost
            } else if day + 1 == big.day {
                v *= 1.5  // 预热: the warm-up day before the big sale
                a *= 1.8
            } else if day == big.day + 1 {
                v *= 1.3
                a *= 1.4
            }
            visit.append(v)
            arrivalWeights.append(a)
        }
        visitFactor = visit
        arrivals = Self.apportion(people, weights: arrivalWeights)

        var cumulative: [Double] = []
        var total = 0.0
        for slot in 0..<24 {
            total += Self.hourWeights[Self.localHour(startingAt + Int64(slot) * Self.hourMillis)]
            cumulative.append(total)
        }
        hourCumulative = cumulative
    }

    /// Start of a day of the period, UTC epoch milliseconds.
    func dayStart(_ day: Int) -> Int64 {
        startingAt + Int64(day) * DemoBrand.dayMillis
    }

    /// The campaign running on `day`, if any.
    func campaign(on day: Int) -> DemoCampaign? {
        campaigns.first { $0.day == day }
    }

    /// Whether `day` is the big sale.
    func isBigSale(_ day: Int) -> Bool {
        campaigns.last?.day == day
    }

    /// A random instant of `day`, following the hours people shop.
    func randomTime(on day: Int, _ random: inout DemoRandom) -> Int64 {
        let target = random.uniform() * (hourCumulative.last ?? 1)
        var slot = 0
        while slot < 23, hourCumulative[slot] <= target { slot += 1 }
        return dayStart(day) + Int64(slot) * Self.hourMillis + Int64(random.below(Int(Self.hourMillis)))
    }

    /// The local date of an instant as days since 1970-01-01.
    static func localDay(_ instant: Int64) -> Int {
        Int(floorDivide(instant + chinaOffset, DemoBrand.dayMillis))
    }

    /// The local date of an instant, `YYYY-MM-DD`.
    static func localDate(_ instant: Int64) -> String {
        let (year, month, day) = Timestamp.civilFromDays(localDay(instant))
        return String(year) + "-" + DemoCatalog.padded(month, width: 2) + "-" + DemoCatalog.padded(day, width: 2)
    }

    /// Local hour of day (0–23) of an instant.
    static func localHour(_ instant: Int64) -> Int {
        let millis = instant + chinaOffset - floorDivide(instant + chinaOffset, DemoBrand.dayMillis) * DemoBrand.dayMillis
        return Int(millis / hourMillis)
    }

    /// Whether the local date at the middle of the day starting at `dayStart` is a Saturday or Sunday.
    static func isWeekend(_ dayStart: Int64) -> Bool {
        let days = floorDivide(dayStart + DemoBrand.dayMillis / 2 + chinaOffset, DemoBrand.dayMillis)
        // 1970-01-01 was a Thursday (weekday 4 when Sunday is 0).
        let weekday = ((days + 4) % 7 + 7) % 7
        return weekday == 0 || weekday == 6
    }

    /// `a / b` rounded towards negative infinity (instants before 1970 are negative).
    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Splits `total` into whole parts proportional to `weights` (largest remainders get the rest;
    /// ties go to the earlier day), so that the parts add up to `total` exactly.
    static func apportion(_ total: Int, weights: [Double]) -> [Int] {
        let sum = weights.reduce(0, +)
        guard sum > 0 else { return weights.map { _ in 0 } }
        var parts: [Int] = []
        var remainders: [(Double, Int)] = []
        for (index, weight) in weights.enumerated() {
            let exact = Double(total) * weight / sum
            let whole = Int(exact)
            parts.append(whole)
            remainders.append((exact - Double(whole), index))
        }
        var left = total - parts.reduce(0, +)
        remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
        var position = 0
        while left > 0, !remainders.isEmpty {
            parts[remainders[position % remainders.count].1] += 1
            left -= 1
            position += 1
        }
        return parts
    }
}
