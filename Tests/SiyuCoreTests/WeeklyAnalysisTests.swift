import Testing

@testable import SiyuCore

/// The weekly analysis over ``ReportFixture/weekly`` (W23 against W22 and the average of W19–W22).
@Suite struct WeeklyAnalysisTests {
    typealias R = ReportFixture

    @Test func weekOverWeekAndTheFourWeekAverage() throws {
        let analysis = try #require(R.weeklyAnalysis())
        #expect(analysis.label == "2024-W23")
        #expect(analysis.baselineWeeks == 4)
        // Wechat brought 150.00 this week, app nothing.
        #expect(analysis.channels.map(\.channel) == ["wechat", "app"])
        let app = try #require(analysis.channels.first { $0.channel == "app" })
        // App exposures 50; last week 40 (+25 %); average of 10, 20, 30, 40 = 25 (+100 %).
        let exposures = try #require(app.cell(.exposures))
        #expect(exposures.value == 50)
        #expect(exposures.vsPrevious.relative == 0.25)
        #expect(exposures.vsBaseline.baseline == 25)
        #expect(exposures.vsBaseline.relative == 1)
        #expect(exposures.vsBaseline.move == .up)
        // App CTR 4/50 = 0.08; last week 5/40 = 0.125 (−36 %, −4.5 points). The 4-week CTR is pooled:
        // 20 clicks / 100 exposures = 0.2 (the mean of the weekly rates would be 0.2604): −60 %, −12 points.
        let ctr = try #require(app.cell(.ctr))
        #expect(ctr.value == 0.08)
        #expect(ctr.vsPrevious.baseline == 0.125)
        #expect(abs((ctr.vsPrevious.relative ?? 0) + 0.36) < 1e-12)
        #expect(abs((ctr.vsPrevious.percentagePoints ?? 0) + 4.5) < 1e-12)
        #expect(ctr.vsBaseline.baseline == 0.2)
        #expect(abs((ctr.vsBaseline.relative ?? 0) + 0.6) < 1e-12)
        #expect(abs((ctr.vsBaseline.percentagePoints ?? 0) + 12) < 1e-9)
        #expect(ctr.vsBaseline.isGood == false)
        // Total exposures 58; last week 42; average (12 + 22 + 32 + 42) / 4 = 27.
        let total = try #require(analysis.total.cell(.exposures))
        #expect(total.value == 58)
        #expect(total.vsPrevious.relative == 16.0 / 42)
        #expect(total.vsBaseline.baseline == 27)
        #expect(total.vsBaseline.relative == 31.0 / 27)
        // Revenue: the 4-week average of 0, 0, 0, 100.00 is 25.00; 150.00 is +500 %.
        #expect(analysis.total.cell(.revenue)?.vsBaseline.baseline == 2500)
        #expect(analysis.total.cell(.revenue)?.vsBaseline.relative == 5)
    }

    @Test func biggestMoversIgnoreTinyBases() throws {
        let analysis = try #require(R.weeklyAnalysis(minimumBase: 5))
        // With bases of 5 or more (4-week averages: app exposures 25, app clicks 5, app CTR rests on 25 exposures):
        // exposures +100 %, CTR −60 %, clicks −20 % (4 against 5). Wechat exposures (+300 %) rest on 2 a week and
        // its revenue (+500 %) on a quarter of an order a week: left out. Unchanged pairs are not movers.
        #expect(analysis.movers.map(\.channel) == ["app", "app", "app"])
        #expect(analysis.movers.map(\.change.metric) == [.exposures, .ctr, .clicks])
        #expect(abs((analysis.movers.last?.change.relative ?? 0) + 0.2) < 1e-12)
        // A limit keeps the largest.
        let limited = try #require(R.weeklyAnalysis(minimumBase: 5, moverLimit: 2))
        #expect(limited.movers.map(\.change.metric) == [.exposures, .ctr])
    }

    @Test func smallerBasesLetSmallChannelsIn() throws {
        let analysis = try #require(R.weeklyAnalysis(minimumBase: 1))
        // Bases of at least 1: wechat ARPU 150.00 against a pooled 100.00 / 4 active = 25.00 (+500 %); then three
        // wechat pairs at +300 % in the metrics' order — exposures 8 against 2, conversion rate and paying
        // penetration 1/1 against a pooled 1/4; then app's three.
        let movers = analysis.movers.map { "\($0.channel) \($0.change.metric.rawValue)" }
        #expect(
            movers == [
                "wechat arpu", "wechat exposures", "wechat conversionRate", "wechat payingPenetration", "app exposures", "app ctr", "app clicks",
            ]
        )
        #expect(analysis.movers.first?.change.relative == 5)
    }

    @Test func aShortResultAveragesTheWeeksItHas() throws {
        // Only W22 and W23 asked for: the "4-week" average is W22 alone.
        let calendar = LocalCalendar.shanghai
        let range = TimeRange(from: calendar.start(ofBucket: R.w23 - 1, .week), to: calendar.start(ofBucket: R.w23 + 1, .week))
        let result = KPIEngine(dataset: R.weekly, query: KPIQuery(period: .week, range: range), calendar: calendar, now: KPISetTests.may31).run()
        let analysis = try #require(WeeklyAnalysis(result, week: R.w23))
        #expect(analysis.baselineWeeks == 1)
        #expect(analysis.total.cell(.exposures)?.vsBaseline.baseline == 42)
        #expect(WeeklyAnalysis(result, week: R.w23 + 1) == nil)
    }
}
