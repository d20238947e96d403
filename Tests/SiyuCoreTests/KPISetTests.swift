import Foundation
import Testing

@testable import SiyuCore

@Suite struct KPISetTests {
    typealias F = AnalyticsFixture
    /// Minutes after t0 (2024-05-01T00:00Z = 08:00 in Shanghai) of local day May 1st + `d` at 12:00.
    static func noon(_ d: Int64) -> Int64 { d * 1440 + 4 * 60 }
    /// Local midnight starting May 1st + `d` in Shanghai, in minutes after t0.
    static func midnight(_ d: Int64) -> Int64 { d * 1440 - 8 * 60 }

    /// One event: name (`nil` for identify), minutes after t0, channel, call type, order amount (an order when > 0).
    struct E {
        var name: String?
        var minutes: Int64
        var channel: String
        var type: MessageType = .track
        var amount: Int64 = 0

        static func track(_ name: String, _ minutes: Int64, _ channel: String) -> E { E(name: name, minutes: minutes, channel: channel) }
        static func page(_ minutes: Int64, _ channel: String) -> E { E(name: "Home", minutes: minutes, channel: channel, type: .page) }
        static func identify(_ minutes: Int64) -> E { E(name: nil, minutes: minutes, channel: "crm", type: .identify) }
        static func order(_ minutes: Int64, _ channel: String, _ amount: Int64) -> E {
            E(name: "Order Completed", minutes: minutes, channel: channel, amount: amount)
        }
    }

    /// People (id → events), first seen at their first event, first-touch channel its channel.
    static func dataset(_ people: [Int64: [E]]) -> Dataset {
        var builder = DatasetBuilder()
        builder.addPeople(
            people.map { id, events in
                let first = events.min { $0.minutes < $1.minutes }
                return DatasetBuilder.Person(id: id, firstSeen: first.map { F.t0 + $0.minutes * F.minute }, firstChannel: first?.channel)
            }
        )
        var seq: Int64 = 0
        for id in people.keys.sorted() {
            for event in people[id] ?? [] {
                seq += 1
                builder.addEvent(
                    person: id,
                    timestamp: F.t0 + event.minutes * F.minute,
                    name: event.name,
                    type: event.type,
                    channel: event.channel,
                    revenue: event.amount,
                    isOrder: event.amount > 0,
                    seq: seq
                )
            }
        }
        return builder.build()
    }

    /// The day under test is Wednesday May 8th (local); the day before is May 7th, the same
    /// weekday a week before is May 1st. 30 silent days before May 8th: no activity since April 8th.
    static let people: Dataset = dataset([
        // Last active March 22nd (with an order): silent at May 8th; comes back on app with a view,
        // a click and a second-ever order of 100.00.
        1: [
            .track("Product Viewed", noon(-40), "app"), .order(noon(-40) + 1, "app", 5000), .track("Product Viewed", noon(7), "app"),
            .track("Product Clicked", noon(7) + 1, "app"), .order(noon(7) + 2, "app", 10000),
        ],
        // New at 23:30 on May 8th (a page on wechat); adds a product at 00:30 May 9th local (the same UTC
        // day, local day 1) and views on May 15th (day 7).
        2: [.page(midnight(8) - 30, "wechat"), .track("Product Added", midnight(8) + 30, "wechat"), .track("Product Viewed", noon(14), "wechat")],
        // First seen April 11th; active May 1st and 7th on app, May 8th on wechat with a wishlist and a first order of 30.00.
        3: [
            .track("Product Viewed", noon(-20), "app"), .track("Product Viewed", noon(0), "app"), .track("Product Viewed", noon(6), "app"),
            .track("Product Viewed", noon(7), "wechat"), .track("Product Added to Wishlist", noon(7) + 1, "wechat"),
            .order(noon(7) + 2, "wechat", 3000),
        ],
        // Active April 21st and May 7th (app), not on May 8th: churned.
        4: [.track("Product Viewed", noon(-10), "app"), .track("Promotion Viewed", noon(6), "app")],
        // Last active March 12th: silent at May 8th; only an identify call on May 8th, which is not activity.
        5: [.track("Product Viewed", noon(-50), "app"), .identify(noon(7))],
        // New on May 8th on douyin, never seen again.
        6: [.track("Product Viewed", noon(7), "douyin")],
    ])

    /// May 8th, local.
    static let may8 = TimeRange(from: F.t0 + midnight(7) * F.minute, to: F.t0 + midnight(8) * F.minute)
    static let may31 = F.t0 + 30 * F.day

    func run(_ query: KPIQuery, now: Int64 = KPISetTests.may31) -> KPIResult {
        KPIEngine(dataset: Self.people, query: query, calendar: .shanghai, now: now).run()
    }

    @Test func dailyTotals() throws {
        let result = run(KPIQuery(period: .day, range: Self.may8))
        let point = try #require(result.series.first?.points.first)
        #expect(result.series[0].channel == "all")
        #expect(result.series[0].points.count == 1)
        #expect(point.label == "2024-05-08")
        let v = point.values
        // Exposures: views of people 1, 3, 6 and person 2's page at 23:30 = 4; one click: CTR 1/4.
        #expect(v.exposures == 4)
        #expect(v.clicks == 1)
        #expect(v.ctr == 0.25)
        // Person 3's wishlist; person 2's Product Added is at 00:30 on May 9th local.
        #expect(v.interactions == 1)
        // Active: 1, 2, 3, 6 (person 5's identify is not activity); converting: 1 and 3.
        #expect(v.activePeople == 4)
        #expect(v.conversions == 2)
        #expect(v.convertingPeople == 2)
        #expect(v.conversionRate == 0.5)
        // Orders 100.00 + 30.00; AOV 65.00; ARPU 130.00 / 4; buyers 1 and 3 of 4 active.
        #expect(v.orders == 2)
        #expect(v.revenue == 13000)
        #expect(v.averageOrderValue == 6500)
        #expect(v.arpu == 3250)
        #expect(v.buyers == 2)
        #expect(v.payingPenetration == 0.5)
        // Person 1 has two orders ever (March 22nd and today); person 3 one.
        #expect(v.repeatBuyers == 1)
        #expect(v.repurchaseRate == 0.5)
    }

    @Test func dailyNewPeopleActivationAndRetention() throws {
        let v = try #require(run(KPIQuery(period: .day, range: Self.may8)).series.first?.points.first).values
        // New: people 2 (23:30 local) and 6. Person 2 added a product within 7 days, was active on local
        // day 1 (00:30 May 9th) and on day 7 (May 15th); person 6 never came back.
        #expect(v.newPeople == 2)
        #expect(v.activationEligible == 2)
        #expect(v.activatedPeople == 1)
        #expect(v.activationRate == 0.5)
        #expect(v.day1Retention == 0.5)
        #expect(v.day7Retention == 0.5)
    }

    @Test func windowsNotOverByNowAreLeftOut() throws {
        // At local midnight ending May 9th, day 1 of May 8th's new people has just ended; the 7-day activation
        // window and day 7 have not.
        let now = F.t0 + Self.midnight(9) * F.minute
        let v = try #require(run(KPIQuery(period: .day, range: Self.may8), now: now).series.first?.points.first).values
        #expect(v.day1Eligible == 2)
        #expect(v.day1Retained == 1)
        #expect(v.activationEligible == 0)
        #expect(v.activationRate == nil)
        #expect(v.day7Eligible == 0)
        // A minute earlier, day 1 is not over either.
        let earlier = try #require(run(KPIQuery(period: .day, range: Self.may8), now: now - F.minute).series.first?.points.first).values
        #expect(earlier.day1Eligible == 0)
        #expect(earlier.day1Retention == nil)
    }

    @Test func dailyChurnAndReactivation() throws {
        let v = try #require(run(KPIQuery(period: .day, range: Self.may8)).series.first?.points.first).values
        // Active May 7th: 3 and 4; 4 is gone on May 8th.
        #expect(v.previousActivePeople == 2)
        #expect(v.churnedPeople == 1)
        #expect(v.churnRate == 0.5)
        // Silent at May 8th (nothing since April 8th): 1 (March 22nd) and 5 (March 12th); 1 is back.
        #expect(v.silentPeople == 2)
        #expect(v.reactivatedPeople == 1)
        #expect(v.reactivationRate == 0.5)
    }

    @Test func byChannel() throws {
        let result = run(KPIQuery(period: .day, range: Self.may8))
        // Most active people first: wechat (2, 3), then app (1) and douyin (6) tied, by name.
        #expect(result.series.map(\.channel) == ["all", "wechat", "app", "douyin"])
        let wechat = result.series[1].points[0].values
        // Person 2's page and person 3's view; no click; person 3's wishlist and order of 30.00.
        #expect(wechat.exposures == 2)
        #expect(wechat.ctr == 0)
        #expect(wechat.interactions == 1)
        #expect(wechat.activePeople == 2)
        #expect(wechat.conversionRate == 0.5)
        #expect(wechat.revenue == 3000)
        #expect(wechat.arpu == 1500)
        #expect(wechat.repurchaseRate == 0)
        // Person 2 came first on wechat and activated.
        #expect(wechat.newPeople == 1)
        #expect(wechat.activationRate == 1)
        // Nobody was on wechat on May 7th.
        #expect(wechat.churnRate == nil)
        let app = result.series[2].points[0].values
        // On app May 7th: 3 and 4; on May 8th neither (3 moved to wechat): both churned from app.
        #expect(app.previousActivePeople == 2)
        #expect(app.churnRate == 1)
        // Person 1 reactivated through app, of the 2 silent people.
        #expect(app.reactivationRate == 0.5)
        #expect(app.repurchaseRate == 1)
        #expect(app.ctr == 1)
        #expect(app.newPeople == 0)
        let douyin = result.series[3].points[0].values
        #expect(douyin.newPeople == 1)
        #expect(douyin.activationRate == 0)
        #expect(douyin.day1Retention == 0)
    }

    @Test func baselinesAndChanges() throws {
        let point = try #require(run(KPIQuery(period: .day, range: Self.may8, byChannel: false)).series.first?.points.first)
        // May 7th: 3 and 4 active, 2 exposures. May 1st: person 3 alone, 1 exposure.
        #expect(point.previous.activePeople == 2)
        #expect(point.previous.exposures == 2)
        let lastWeek = try #require(point.sameWeekdayLastWeek)
        #expect(lastWeek.activePeople == 1)
        let changes = point.values.changes(from: point.previous)
        let active = try #require(changes.first { $0.metric == .activePeople })
        #expect(active.difference == 2)
        #expect(active.relative == 1)
        // Previous day had no orders: relative change of revenue has no number.
        let revenue = try #require(changes.first { $0.metric == .revenue })
        #expect(revenue.baseline == 0)
        #expect(revenue.relative == nil)
        let weekly = try #require(point.values.changes(from: lastWeek).first { $0.metric == .activePeople })
        #expect(weekly.relative == 3)
        #expect(changes.count == KPIMetric.allCases.count)
    }

    @Test func weeklyPeriod() throws {
        let result = run(KPIQuery(period: .week, range: Self.may8))
        let point = try #require(result.series.first?.points.first)
        // The whole week of May 8th: Monday May 6th to Sunday May 12th (ISO week 19).
        #expect(point.label == "2024-W19")
        #expect(point.sameWeekdayLastWeek == nil)
        let v = point.values
        // Active: 1, 2 (23:30 May 8th and 00:30 May 9th), 3, 4 (May 7th), 6.
        #expect(v.activePeople == 5)
        // Views: 1, 3 (May 7th and 8th), 6; person 4's promotion; person 2's page.
        #expect(v.exposures == 6)
        // Person 3's wishlist and person 2's Product Added.
        #expect(v.interactions == 2)
        // Week 18 (April 29th–May 5th): only person 3 (May 1st), still active in week 19.
        #expect(v.previousActivePeople == 1)
        #expect(v.churnRate == 0)
        // Silent at May 6th (nothing since April 6th): 1 and 5; person 4 was seen April 21st.
        #expect(v.silentPeople == 2)
        #expect(v.reactivatedPeople == 1)
        #expect(v.newPeople == 2)
        #expect(point.previous.activePeople == 1)
    }

    @Test func monthlyPeriodAndRangeOfSeveralPeriods() {
        // April 30th to May 8th local: two monthly points.
        let range = TimeRange(from: F.t0 + Self.midnight(-1) * F.minute, to: Self.may8.to)
        let all = run(KPIQuery(period: .month, range: range, byChannel: false)).series[0]
        #expect(all.points.map(\.label) == ["2024-04", "2024-05"])
        // April: people 1 and 5 (March) were not active; 3 (April 11th) and 4 (April 21st) were.
        #expect(all.points[0].values.activePeople == 2)
        // May: 1, 2, 3, 4, 6 active; 3 and 4 continue from April: no churn. Person 2 and 6 are new.
        #expect(all.points[1].values.activePeople == 5)
        #expect(all.points[1].values.churnRate == 0)
        #expect(all.points[1].values.newPeople == 2)
        // March: 1 and 5 active (and new); April's churn is both of them.
        #expect(all.points[0].previous.activePeople == 2)
        #expect(all.points[0].values.churnRate == 1)
    }

    @Test func twoOrdersInOnePeriodAreARepurchaseAndPagesCanBeLeftOut() throws {
        let data = Self.dataset([
            1: [.page(Self.noon(0), "web"), .order(Self.noon(0) + 1, "web", 1000), .order(Self.noon(0) + 2, "web", 2000)],
            2: [.order(Self.noon(0), "web", 500), .order(Self.noon(1), "web", 500)],
        ])
        var mapping = KPIEventMapping.segmentEcommerce
        mapping.pageAndScreenAreExposures = false
        let day1 = TimeRange(from: F.t0 + Self.midnight(0) * F.minute, to: F.t0 + Self.midnight(1) * F.minute)
        let v = try #require(
            KPIEngine(dataset: data, query: KPIQuery(period: .day, range: day1, mapping: mapping), calendar: .shanghai, now: Self.may31).run()
                .series.first?.points.first
        ).values
        // Person 1 ordered twice on May 1st; person 2's second order is on May 2nd, after the period.
        #expect(v.buyers == 2)
        #expect(v.repeatBuyers == 1)
        #expect(v.orders == 3)
        #expect(v.exposures == 0)
    }

    @Test func daysAcrossADaylightSavingChange() throws {
        // New York moved from UTC−5 to UTC−4 at 2024-03-10T07:00Z, so March 10th has 23 hours: it starts
        // at 05:00Z and March 11th at 04:00Z. 2024-03-10T00:00Z is 52 days before t0.
        let march10: Int64 = -52 * 1440
        let switchover = F.t0 + (march10 + 7 * 60) * F.minute
        let newYork = LocalCalendar(name: "America/New_York", transitions: [(Int64.min, -5 * 3600), (switchover, -4 * 3600)])
        let data = Self.dataset([
            // 03:30Z March 11th = 23:30 EDT March 10th.
            1: [.track("Product Viewed", march10 + 1440 + 210, "app")],
            // 04:30Z March 11th = 00:30 EDT March 11th (23:30 on March 10th without the change).
            2: [.track("Product Viewed", march10 + 1440 + 270, "app")],
            // 04:30Z March 10th = 23:30 EST March 9th.
            3: [.track("Product Viewed", march10 + 270, "app")],
        ])
        let range = TimeRange(from: F.t0 + (march10 + 300) * F.minute, to: F.t0 + (march10 + 2 * 1440 + 240) * F.minute)
        let points = KPIEngine(dataset: data, query: KPIQuery(period: .day, range: range), calendar: newYork, now: Self.may31).run().series[0].points
        #expect(points.map(\.label) == ["2024-03-10", "2024-03-11"])
        #expect(points.map(\.values.activePeople) == [1, 1])
        #expect(points[0].previous.activePeople == 1)
        #expect(points.map(\.values.newPeople) == [1, 1])
    }

    @Test func personFilter() throws {
        // Only people first seen on wechat: person 2, new on May 8th and active at 23:30.
        let query = KPIQuery(period: .day, range: Self.may8, byChannel: false, people: .firstChannel(.eq, ["wechat"]))
        let v = try #require(run(query).series.first?.points.first).values
        #expect(v.activePeople == 1)
        #expect(v.newPeople == 1)
        #expect(v.exposures == 1)
        #expect(v.orders == 0)
    }

    @Test func mappingIsCodableAndQueriesAreChecked() throws {
        let mapping = KPIEventMapping.segmentEcommerce
        let decoded = try JSONDecoder().decode(KPIEventMapping.self, from: JSONEncoder().encode(mapping))
        #expect(decoded == mapping)
        // A setting that names only its conversions keeps the other defaults.
        let partial = try JSONDecoder().decode(KPIEventMapping.self, from: Data(#"{"conversions": ["Subscribed"]}"#.utf8))
        #expect(partial.conversions == ["Subscribed"])
        #expect(partial.clicks == mapping.clicks)
        #expect(partial.pageAndScreenAreExposures)
        #expect(mapping.exposures.contains("Product Viewed"))
        #expect(mapping.conversions == ["Order Completed"])
        var query = KPIQuery(period: .hour, range: Self.may8, silentDays: 0)
        #expect(query.problems() == ["KPI periods are days, weeks or months", "silent days must be 1 to 365"])
        query.period = .week
        query.silentDays = 30
        #expect(query.problems().isEmpty)
    }
}
