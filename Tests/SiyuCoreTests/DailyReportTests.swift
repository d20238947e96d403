import Foundation
import Testing

@testable import SiyuCore

/// The daily report over ``ReportFixture/daily`` (May 8th against May 7th and May 1st).
@Suite struct DailyReportTests {
    typealias R = ReportFixture

    @Test func rowsComeByRevenueThenPeople() throws {
        let report = try #require(R.dailyReport())
        #expect(report.label == "2024-05-08")
        // Revenue: wechat 200.00, app 50.00; then kol:lily (2 people) before douyin (1), both without revenue.
        #expect(report.channels.map(\.channel) == ["wechat", "app", "kol:lily", "douyin"])
        #expect(report.total.channel == "all")
        #expect(report.total.cells.count == KPIMetric.allCases.count)
    }

    @Test func totalsAreTheKernelsNotSumsOfRows() throws {
        let report = try #require(R.dailyReport())
        let total = try #require(report.total.cell(.activePeople))
        // People 1, 2, 3, 5, 6, 7; person 3 was on app and wechat, so the rows add up to 7.
        #expect(total.value == 6)
        #expect(report.channels.compactMap { $0.cell(.activePeople)?.value }.reduce(0, +) == 7)
        // Converting people 1 and 2 of 6 active: 1/3. The rows' rates (wechat 1/2, app 1/2, kol 0, douyin 0)
        // sum to 1 and average 0.25.
        let rates = report.channels.compactMap { $0.cell(.conversionRate)?.value }
        #expect(rates == [0.5, 0.5, 0, 0])
        #expect(report.total.cell(.conversionRate)?.value == 2.0 / 6)
        // Against May 7th (people 1, 2 active, 1 converting: 0.5): −1/3 relative, −16.7 points, down and bad.
        let conversion = try #require(report.total.cell(.conversionRate)?.vsPrevious)
        #expect(abs((conversion.relative ?? 0) + 1.0 / 3) < 1e-12)
        #expect(abs((conversion.percentagePoints ?? 0) + 50.0 / 3) < 1e-9)
        #expect(conversion.move == .down)
        #expect(conversion.isGood == false)
    }

    @Test func changesAgainstThePreviousDayAndLastWeek() throws {
        let report = try #require(R.dailyReport())
        let app = try #require(report.channels.first { $0.channel == "app" })
        // App exposures: 23 on May 8th, 20 on May 7th (+15 %: exactly the threshold, flat), 10 on May 1st (+130 %).
        let exposures = try #require(app.cell(.exposures))
        #expect(exposures.value == 23)
        #expect(exposures.vsPrevious.baseline == 20)
        #expect(exposures.vsPrevious.relative == 0.15)
        #expect(exposures.vsPrevious.move == .flat)
        #expect(exposures.vsPrevious.isGood == nil)
        #expect(exposures.vsPrevious.percentagePoints == nil)
        #expect(exposures.vsBaseline.baseline == 10)
        #expect(exposures.vsBaseline.relative == 1.3)
        #expect(exposures.vsBaseline.move == .up)
        #expect(exposures.vsBaseline.isGood == true)
        // App revenue 50.00 against 40.00 (+25 %, up); nothing on May 1st: no relative change, no move.
        let revenue = try #require(app.cell(.revenue))
        #expect(revenue.vsPrevious.relative == 0.25)
        #expect(revenue.vsPrevious.move == .up)
        #expect(revenue.vsBaseline.baseline == 0)
        #expect(revenue.vsBaseline.relative == nil)
        #expect(revenue.vsBaseline.move == nil)
        // App CTR 2/23 against 0/20: a rate from zero has points (+8.70) but no relative change.
        let ctr = try #require(app.cell(.ctr))
        #expect(ctr.vsPrevious.relative == nil)
        #expect(abs((ctr.vsPrevious.percentagePoints ?? 0) - 200.0 / 23) < 1e-9)
        // Total exposures: 29 against 21 (+8/21) and 10 (+190 %); total revenue 250.00 against 40.00 (+525 %).
        let totalExposures = try #require(report.total.cell(.exposures))
        #expect(totalExposures.value == 29)
        #expect(totalExposures.vsPrevious.relative == 8.0 / 21)
        #expect(totalExposures.vsBaseline.relative == 1.9)
        #expect(report.total.cell(.revenue)?.vsPrevious.relative == 5.25)
        // New people: 3, 5, 6, 7 against person 2 on May 7th and person 1 on May 1st.
        #expect(report.total.cell(.newPeople)?.value == 4)
        #expect(report.total.cell(.newPeople)?.vsPrevious.relative == 3)
    }

    @Test func reportsTravelAsJSON() throws {
        // The console's JSON endpoints hand the reports over whole.
        let report = try #require(R.dailyReport())
        #expect(try JSONDecoder().decode(DailyReport.self, from: JSONEncoder().encode(report)) == report)
        let weekly = try #require(R.weeklyAnalysis())
        #expect(try JSONDecoder().decode(WeeklyAnalysis.self, from: JSONEncoder().encode(weekly)) == weekly)
    }

    @Test func aDayOutsideTheResultHasNoReport() {
        let range = DailyReport.range(ofDay: R.day(7), calendar: .shanghai)
        let result = KPIEngine(dataset: R.daily, query: KPIQuery(period: .day, range: range), calendar: .shanghai, now: KPISetTests.may31).run()
        #expect(DailyReport(result, day: R.day(8)) == nil)
        #expect(DailyReport(result, day: R.day(7)) != nil)
    }
}
