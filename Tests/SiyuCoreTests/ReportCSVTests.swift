import Foundation
import Testing

@testable import SiyuCore

/// The CSV bytes of the daily report and the weekly analysis.
@Suite struct ReportCSVTests {
    typealias R = ReportFixture

    static let chinese = ReportCSVLabels(
        period: "日期",
        channel: "渠道",
        total: "合计",
        metrics: [.revenue: "销售额", .conversionRate: "转化率", .exposures: "曝光", .ctr: "点击率"],
        previousSuffix: "环比",
        baselineSuffix: "同比",
        pointsSuffix: "(pp)",
        metric: "指标",
        value: "本周",
        baseline: "近4周均值",
        change: "变化",
        channelNames: ["kol:lily": "Lily, 小红书", "app": "App 应用"]
    )

    /// The file's text after the byte-order mark, split into lines at CRLF.
    func csvLines(_ bytes: [UInt8]) throws -> [String] {
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.hasSuffix("\r\n"))
        return Array(text.components(separatedBy: "\r\n").dropLast())
    }

    @Test func dailyReportBytes() throws {
        let report = try #require(R.dailyReport(metrics: [.revenue, .conversionRate]))
        let lines = try csvLines(ReportCSV.daily(report, labels: Self.chinese, currency: "CNY"))
        #expect(lines.count == 6)
        #expect(lines[0] == "日期,渠道,销售额,销售额环比,销售额同比,转化率,转化率环比,转化率同比,转化率环比(pp),转化率同比(pp)")
        // Total: 250.00 against 40.00 (+5.25) and nothing a week before; conversion 2/6 against 1/2 the day
        // before (−1/3, −16.67 points) and 0/1 a week before (no relative change, +33.33 points).
        #expect(lines[1] == "2024-05-08,合计,250.00,5.25,,0.333333333,-0.333333333,,-16.666666667,33.333333333")
        // Wechat: 200.00 from nothing; conversion 1/2 against 0/1 (+50 points) and no one a week before.
        #expect(lines[2] == "2024-05-08,wechat,200.00,,,0.5,,,50,")
        // App: 50.00 against 40.00; conversion 1/2 against 1/1 (−50 %, −50 points) and 0/1 (+50 points).
        #expect(lines[3] == "2024-05-08,App 应用,50.00,0.25,,0.5,-0.5,,-50,50")
        // A name with a comma is quoted.
        #expect(lines[4] == "2024-05-08,\"Lily, 小红书\",0.00,,,0,,,,")
        #expect(lines[5] == "2024-05-08,douyin,0.00,,,0,,,,")
    }

    @Test func weeklyAnalysisBytesListMoversFirst() throws {
        let analysis = try #require(R.weeklyAnalysis(metrics: [.exposures, .ctr], minimumBase: 5))
        var labels = Self.chinese
        labels.period = "周"
        labels.previousSuffix = "周环比"
        labels.baselineSuffix = "较4周均值"
        let lines = try csvLines(ReportCSV.weekly(analysis, labels: labels, currency: "CNY"))
        // Movers: app exposures 50 against 25, app CTR 0.08 against 0.2; a blank line; then the table.
        #expect(Array(lines.prefix(4)) == ["渠道,指标,本周,近4周均值,变化", "App 应用,曝光,50,25,1", "App 应用,点击率,0.08,0.2,-0.6", ""])
        #expect(lines[4] == "周,渠道,曝光,曝光周环比,曝光较4周均值,点击率,点击率周环比,点击率较4周均值,点击率周环比(pp),点击率较4周均值(pp)")
        #expect(lines[5].hasPrefix("2024-W23,合计,58,"))
        // App: 50 (+25 %, +100 %); CTR 0.08 against 0.125 (−36 %, −4.5 points) and 0.2 (−60 %, −12 points).
        #expect(lines[7] == "2024-W23,App 应用,50,0.25,1,0.08,-0.36,-0.6,-4.5,-12")
        #expect(lines.count == 8)
    }

    @Test func decimalsAreUnformatted() {
        #expect(ReportCSV.decimal(0.1 + 0.2) == "0.3")
        #expect(ReportCSV.decimal(-1.5e-5) == "-0.000015")
        #expect(ReportCSV.decimal(1_234_567) == "1234567")
        #expect(ReportCSV.decimal(-0.0) == "0")
        #expect(ReportCSV.decimal(nil) == "")
        #expect(ReportCSV.decimal(.nan) == "")
        // Money in major units, rounded to the fen; yen has no decimals.
        #expect(ReportCSV.number(6500.5, .averageOrderValue, "CNY") == "65.01")
        #expect(ReportCSV.number(6500, .arpu, "JPY") == "6500")
    }
}
