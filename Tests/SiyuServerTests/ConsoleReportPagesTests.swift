import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The daily report, the weekly analysis and the campaign wall screen, on a hand-worked shop.
///
/// The clock is 2024-05-01T00:00Z = May 1, 08:00 in Shanghai, so "yesterday" is Tuesday April 30
/// and the last complete week is 2024-W17 (April 22–28). Every event is at 10:00Z = 18:00 local:
/// - Apr 23 (Tuesday, a week before Apr 30): u4 orders ¥200 on 抖音 (`douyin`).
/// - Apr 29: u1 orders ¥40 on 抖音.
/// - Apr 30: u1 orders ¥100 and u2 ¥50 on 抖音; u3 orders ¥80 on 公众号 (`wechat_oa`); u5 views a
///   product through the KOL 莉莉 (`kol:lily`).
/// 抖音 costs ¥300 a month; the other channels have no cost.
@Suite struct ConsoleReportPagesTests {
    static func seed(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws {
        for channel in [
            Channel(key: "douyin", name: "抖音", kind: .publicDomain, monthlyCostMinor: 30_000),
            Channel(key: "wechat_oa", name: "公众号", kind: .privateDomain),
            Channel(key: "kol:lily", name: "莉莉", kind: .partner),
        ] {
            try await harness.store.saveChannel(channel, workspaceId: harness.workspace.id)
        }
        func order(_ user: String, _ id: Int, _ day: Int, _ amount: Double, _ channel: String) -> String {
            #"{"type": "track", "userId": "\#(user)", "event": "Order Completed", "messageId": "o\#(id)", "context": {"channel": "\#(channel)"}, "#
                + #""timestamp": "2024-04-\#(day)T10:00:00Z", "properties": {"order_id": "\#(id)", "revenue": \#(amount)}}"#
        }
        let items = [
            order("u4", 1, 23, 200, "douyin"), order("u1", 2, 29, 40, "douyin"), order("u1", 3, 30, 100, "douyin"),
            order("u2", 4, 30, 50, "douyin"), order("u3", 5, 30, 80, "wechat_oa"),
            #"{"type": "track", "userId": "u5", "event": "Product Viewed", "messageId": "v1", "context": {"channel": "kol:lily"}, "timestamp": "2024-04-30T10:00:00Z"}"#,
        ]
        let response = try await client.send("/v1/batch", #"{"batch": [\#(items.joined(separator: ","))]}"#, harness)
        #expect(response.json["stored"] == 6)
    }

    /// Logs a new user of `role` in, in `language`.
    static func browser(
        _ client: some TestClientProtocol,
        _ harness: ServerHarness,
        _ role: ConsoleRole,
        language: String = "zh-CN"
    ) async throws -> ConsoleBrowser {
        let email = "\(role.rawValue)-\(language)@acme.cn"
        try await ConsoleFixtures.user(harness, email, role)
        var browser = ConsoleBrowser(headers: [.acceptLanguage: language])
        _ = try await browser.login(client, email: email, password: ConsoleFixtures.password)
        return browser
    }

    @Test(arguments: TestStoreKind.available)
    func theDailyReportComparesEachChannelWithTheDayBeforeAndTheWeekBefore(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await Self.seed(client, harness)
            var analyst = try await Self.browser(client, harness, .analyst)
            // Without ?day= the report is yesterday's, Tuesday April 30.
            let page = try await analyst.get(client, "/console/reports/daily")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>日报 <span class=\"report-period\">2024-04-30 周二</span></h1>"))
            #expect(html.contains("href=\"/console/reports/daily?day=2024-04-29\""))
            #expect(html.contains("href=\"/console/reports/daily?day=2024-05-01\""))
            #expect(html.contains("href=\"/console/reports/daily.csv?day=2024-04-30\""))
            // Rows: the total first, then by revenue: 抖音 ¥150, 公众号 ¥80, 莉莉 ¥0.
            let names = Self.rowNames(html)
            #expect(names == ["合计", "抖音", "公众号", "莉莉"])

            // Total revenue ¥230: vs Apr 29's ¥40 it is (230 − 40) ÷ 40 = +475% (green); vs Apr 23's ¥200 it is
            // +15% exactly, which is not beyond ±15%: no colour, no arrow.
            let total = try #require(Self.cell("revenue", row: "合计", in: html))
            #expect(total.contains("¥230.00"))
            #expect(total.contains("rc-good") && total.contains("▲ +475.0%"))
            #expect(total.contains("rc-flat") && total.contains("> +15.0%"))
            // 抖音 ¥150: vs ¥40 +275% up (good, green); vs ¥200 (150 − 200) ÷ 200 = −25% down (bad, red), in words too.
            let douyin = try #require(Self.cell("revenue", row: "抖音", in: html))
            #expect(douyin.contains("¥150.00"))
            #expect(douyin.contains("rc-good") && douyin.contains("▲ +275.0%") && douyin.contains("(向好)"))
            #expect(douyin.contains("rc-bad") && douyin.contains("▼ −25.0%") && douyin.contains("(预警)"))
            // 公众号 had nothing before: its ¥80 is "new", with no percentage.
            let wechat = try #require(Self.cell("revenue", row: "公众号", in: html))
            #expect(wechat.contains("¥80.00") && wechat.contains("新增") && !wechat.contains("%"))
            // Active people on Apr 30: u1, u2, u3, u5 = 4; on Apr 29 only u1: +300%.
            let active = try #require(Self.cell("activePeople", row: "合计", in: html))
            #expect(active.contains(">4<") && active.contains("▲ +300.0%"))
            // Average order value on 抖音: (100 + 50) ÷ 2 = ¥75.00.
            #expect(Self.cell("averageOrderValue", row: "抖音", in: html)?.contains("¥75.00") == true)
            // The print sheet and the horizontal scroll are in the page's own stylesheet.
            #expect(html.contains("/console/static/reports.css?v="))
            let css = try await client.execute(uri: "/console/static/reports.css", method: .get).text
            #expect(css.contains("@media print") && css.contains("print-color-adjust: exact") && css.contains("A4 landscape"))
            #expect(css.contains("overflow-x: auto"))

            // Another day, in English; the day before the brand began is empty and says what to do.
            var english = try await Self.browser(client, harness, .owner, language: "en")
            let tuesday = try await english.get(client, "/console/reports/daily?day=2024-04-23").text
            #expect(tuesday.contains("Daily report") && tuesday.contains("Revenue") && tuesday.contains("Tuesday"))
            #expect(Self.cell("revenue", row: "抖音", in: tuesday)?.contains("¥200.00") == true)
            let empty = try await english.get(client, "/console/reports/daily?day=2024-04-01").text
            #expect(empty.contains("Nothing happened on this day") && empty.contains("write key"))
            #expect(!empty.contains("Download CSV"))
        }
    }

    @Test func theDailyCSVHasLocalisedHeadersAndPlainNumbers() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var chinese = try await Self.browser(client, harness, .viewer)
            let csv = try await chinese.get(client, "/console/reports/daily.csv?day=2024-04-30")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"siyu-daily-2024-04-30.csv\"")
            let bytes = Array(csv.body.readableBytesView)
            #expect(bytes.prefix(3) == [0xEF, 0xBB, 0xBF])
            let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
            #expect(lines[0].hasPrefix("日期,渠道,曝光量,曝光量环比,曝光量同比上周同日,点击量,"))
            // Revenue of 抖音 in yuan with its change as a decimal: 150.00, +2.75 vs the day before, −0.25 vs a week before.
            let douyin = try #require(lines.first { $0.hasPrefix("2024-04-30,抖音,") })
            #expect(douyin.contains(",150.00,2.75,-0.25,"))
            #expect(lines[1].hasPrefix("2024-04-30,合计,"))

            var english = try await Self.browser(client, harness, .analyst, language: "en")
            let en = try await english.get(client, "/console/reports/daily.csv?day=2024-04-30").text
            #expect(en.contains("Date,Channel,Exposures,Exposures vs previous day,Exposures vs same weekday last week"))
        }
    }

    @Test func theWeeklyAnalysisComparesWithLastWeekAndTheFourWeekAverage() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var owner = try await Self.browser(client, harness, .owner, language: "en")
            // Without ?week= it is the last complete week: 2024-W17, April 22–28 (u4's ¥200 on 抖音).
            let last = try await owner.get(client, "/console/reports/weekly").text
            #expect(last.contains("<span class=\"report-period\">2024-W17</span>"))
            #expect(last.contains("2024-04-22 – 2024-04-28"))
            #expect(Self.cell("revenue", row: "抖音", in: last)?.contains("¥200.00") == true)

            // W18 (April 29 – May 5, not over): 抖音 ¥40 + ¥100 + ¥50 = ¥190. Against W17's ¥200: −5% (flat). The 4
            // weeks before (W14–W17) hold ¥0, ¥0, ¥0, ¥200: average ¥50, so +280% (green).
            let page = try await owner.get(client, "/console/reports/weekly?week=2024-W18")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("This week is not over yet"))
            let douyin = try #require(Self.cell("revenue", row: "抖音", in: html))
            #expect(douyin.contains("¥190.00"))
            #expect(douyin.contains("rc-flat") && douyin.contains("−5.0%"))
            #expect(douyin.contains("rc-good") && douyin.contains("▲ +280.0%"))
            // Movers need bases of 30 a week; this shop is far too small, and the page says so.
            #expect(html.contains("Biggest movers") && html.contains("No channel figure moved much"))
            #expect(html.range(of: "Biggest movers")!.lowerBound < html.range(of: "report-table")!.lowerBound)
            #expect(html.contains("href=\"/console/reports/weekly.csv?week=2024-W18\""))

            let csv = try await owner.get(client, "/console/reports/weekly.csv?week=2024-W18")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"siyu-weekly-2024-W18.csv\"")
            #expect(csv.text.contains("Week,Channel,Exposures,Exposures vs last week,Exposures vs 4-week average"))
            #expect(csv.text.contains("2024-W18,抖音,"))
        }
    }

    @Test func aGeneratedBrandListsItsBiggestMoversAsSentences() async throws {
        let now = serverNow + 14 * 3_600_000
        let clock: @Sendable () -> Int64 = { now }
        try await ServerHarness.run(clock: clock) { client, harness in
            try await AnalyticsAPITests.generate(DemoBrand(endingAt: now, people: 400, days: 42, seed: 5), into: harness)
            var analyst = try await Self.browser(client, harness, .analyst, language: "en")
            let html = try await analyst.get(client, "/console/reports/weekly").text
            let movers = html.components(separatedBy: "<li class=\"mover ")
            #expect(movers.count > 1 && movers.count <= 11)
            #expect(movers.dropFirst().allSatisfy { $0.contains(" vs the 4-week average") && $0.contains("% vs") })
            var chinese = try await Self.browser(client, harness, .viewer)
            let zh = try await chinese.get(client, "/console/reports/weekly").text
            #expect(zh.contains("变动最大") && zh.contains("（对比前 4 周均值）"))
        }
    }

    @Test(arguments: TestStoreKind.available)
    func theCampaignScreenShowsEachChannelsReturn(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await Self.seed(client, harness)
            var viewer = try await Self.browser(client, harness, .viewer)
            let page = try await viewer.get(client, "/console/campaign")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<body class=\"console theme-dark wall\">"))
            #expect(html.contains("<noscript><meta http-equiv=\"refresh\" content=\"60;url="))
            #expect(html.contains("/console/static/campaign.js?v="))
            // 7 days by default: April 25 – May 1.
            #expect(html.contains("2024-04-25 至 2024-05-01"))
            // 抖音 over those days: u1 ¥40 + ¥100 and u2 ¥50 = ¥190 in 3 orders, reached u1 and u2 (both new).
            // Cost: ¥300 × 6/30 for April 25–30 = ¥60.00, + ¥300 × 1/31 for May 1 = ¥9.68 → ¥69.68.
            // ROAS 190 ÷ 69.68 = 2.73×; ROI (190 − 69.68) ÷ 69.68 = +172.7%; per new person 69.68 ÷ 2 = ¥34.84.
            let douyin = try #require(Self.tile("douyin", in: html))
            #expect(douyin.contains("¥190.00"))
            #expect(douyin.contains("¥69.68") && douyin.contains("2.73×") && douyin.contains("+172.7%") && douyin.contains("¥34.84"))
            #expect(Self.figure("触达人数", in: douyin) == "2" && Self.figure("转化数", in: douyin) == "3")
            #expect(douyin.contains("<svg") && douyin.contains("class=\"chart wall-spark\""))
            // 公众号 has no cost: "not set", and no ratio.
            let wechat = try #require(Self.tile("wechat_oa", in: html))
            #expect(wechat.contains("¥80.00") && wechat.contains("未设置"))
            // Totals: 4 people reached (u1, u2, u3, u5), ¥270 revenue; the known costs sum to ¥69.68.
            #expect(html.contains("wall-total-reach\"><span class=\"wall-total-label\">触达人数</span><span class=\"wall-total-value\" title=\"4\">4<"))
            #expect(html.contains("title=\"¥270.00\">¥270.00<") && html.contains("title=\"¥69.68\">¥69.68<"))
            // The KOL view is there but hidden; a viewer gets no edit control and no admin hint.
            #expect(html.contains("data-wall-view=\"kols\" aria-label=\"达人\" hidden"))
            #expect(Self.tile("kol:lily", in: html)?.contains("莉莉") == true)
            #expect(!Self.main(html).contains("method=\"post\"") && !html.contains("设置 → 渠道"))

            // 30 days in English, KOL view, rotating: the no-script refresh goes to the channel view next.
            var english = try await Self.browser(client, harness, .owner, language: "en")
            let kols = try await english.get(client, "/console/campaign?range=30d&view=kols&rotate=1").text
            #expect(kols.contains("2024-04-02 – 2024-05-01"))
            #expect(kols.contains("content=\"60;url=/console/campaign?range=30d&amp;view=channels&amp;rotate=1\""))
            #expect(kols.contains("data-wall-view=\"channels\" aria-label=\"Channels\" hidden"))
            // Over 30 days 抖音 also has u4's ¥200: ¥390.
            #expect(Self.tile("douyin", in: kols)?.contains("¥390.00") == true)

            // The refresh endpoint hands back the same body as JSON.
            let live = try await english.get(client, "/console/campaign/live?range=today&view=channels", headers: [.accept: "application/json"])
            #expect(live.status == .ok)
            #expect(live.json["html"]?.stringValue?.contains("wall-totals") == true)
            #expect(live.json["updated"] == "08:00:00")
        }
    }

    @Test func badInputIsExplainedAndThePagesOnlyRead() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var owner = try await Self.browser(client, harness, .owner, language: "en")
            let cases: [(String, String)] = [
                ("/console/reports/daily?day=2024-02-30", "is not a date"),
                ("/console/reports/daily?day=yesterday", "is not a date"),
                ("/console/reports/daily?day=2024-05-02", "has not happened yet"),
                ("/console/reports/daily.csv?day=30/04/2024", "is not a date"),
                ("/console/reports/weekly?week=2024-W54", "is not a week"),
                ("/console/reports/weekly?week=2024-W19", "has not started yet"),
                ("/console/campaign?range=90d", "Choose today, 7d or 30d"),
                ("/console/campaign?view=map", "Choose channels or kols"),
            ]
            for (path, message) in cases {
                let response = try await owner.get(client, path)
                #expect(response.status == .badRequest, "\(path)")
                #expect(response.text.contains(message), "\(path)")
            }
            // 2024-W01 began on Monday January 1st; a valid week is accepted in lower case too.
            #expect(try await owner.get(client, "/console/reports/weekly?week=2024-w01").status == .ok)
            // The report pages only read: there is no state-changing route to post to, with or without a token.
            let post = try await owner.post(client, "/console/reports/daily", form: [("day", "2024-04-30")])
            #expect(post.status == .notFound)
        }
    }

    @Test func theNavigationListsThePagesForEveryRole() async throws {
        try await ServerHarness.run { client, harness in
            var viewer = try await Self.browser(client, harness, .viewer, language: "en")
            let html = try await viewer.get(client, "/console").text
            #expect(html.contains("href=\"/console/reports/daily\">Daily report</a>"))
            #expect(html.contains("href=\"/console/reports/weekly\">Weekly analysis</a>"))
            #expect(html.contains("href=\"/console/campaign\">Campaign screen</a>"))
        }
    }

    /// Keys the Swift code looks up exist in both languages.
    @Test func theKeysTheCodeLooksUpExistInBothLanguages() throws {
        let resources = try ConsoleResources.bundled()
        var keys = [
            "reports.nav.daily", "reports.nav.weekly", "reports.total", "reports.channel", "reports.noChannel", "reports.new", "reports.was",
            "reports.points", "reports.goodMove", "reports.badMove", "reports.emptyHint", "reports.emptyHintAdmin", "reports.daily.title",
            "reports.daily.vsPrevious", "reports.daily.vsBaseline", "reports.daily.previousShort", "reports.daily.baselineShort",
            "reports.weekly.title", "reports.weekly.vsPrevious", "reports.weekly.vsBaseline", "reports.weekly.previousShort",
            "reports.weekly.baselineShort", "reports.weekly.days", "reports.weekly.moverSentence", "reports.weekly.moverDetail",
            "reports.weekly.shortBaseline", "reports.csv.day", "reports.csv.week", "reports.csv.vsPreviousDay", "reports.csv.vsSameWeekday",
            "reports.csv.vsPreviousWeek", "reports.csv.vsFourWeeks", "reports.csv.pointsSuffix", "reports.csv.metric", "reports.csv.value",
            "reports.csv.baseline", "reports.csv.change", "reports.errors.badDay", "reports.errors.futureDay", "reports.errors.badWeek",
            "reports.errors.futureWeek", "reports.errors.noData", "campaign.nav", "campaign.title", "campaign.period", "campaign.unknown",
            "campaign.noChannel", "campaign.noTrend", "campaign.sparkRevenue", "campaign.sparkNewPeople", "campaign.errors.badRange",
            "campaign.errors.badView",
        ]
        keys += KPIMetric.allCases.map { "reports.metrics." + $0.rawValue }
        keys += (0..<7).map { "reports.weekdays.\($0)" }
        keys += ChannelKind.allCases.map { "campaign.kinds." + $0.rawValue }
        keys += ["reach", "newPeople", "conversions", "revenue", "cost", "roas", "clv"].map { "campaign.figures." + $0 }
        keys += ["today", "7d", "30d"].map { "campaign.ranges." + $0 } + ["channels", "kols"].map { "campaign.views." + $0 }
        for locale in [ConsoleLocale.en, .zhCN] {
            let flat = resources.strings(locale).flat
            for key in keys { #expect(flat[key] != nil, "\(locale.rawValue): \(key)") }
        }
    }

    // MARK: Reading the HTML

    /// The channel names of a report table's rows, in order.
    static func rowNames(_ html: String) -> [String] {
        html.components(separatedBy: "<th scope=\"row\" class=\"report-channel\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    /// The `<td>` of one metric in the row of a channel.
    static func cell(_ metric: String, row name: String, in html: String) -> String? {
        guard let start = html.range(of: "<th scope=\"row\" class=\"report-channel\">\(name)</th>") else { return nil }
        let row = html[start.upperBound...].components(separatedBy: "</tr>")[0]
        guard let cell = row.range(of: "rc-\(metric)\"") else { return nil }
        return row[cell.upperBound...].components(separatedBy: "</td>").first
    }

    /// A campaign tile by channel key.
    static func tile(_ key: String, in html: String) -> String? {
        guard let start = html.range(of: "data-channel=\"\(key)\"") else { return nil }
        return html[start.upperBound...].components(separatedBy: "</article>").first
    }

    /// The value of a tile's figure by its label.
    static func figure(_ label: String, in tile: String) -> String? {
        guard let start = tile.range(of: "<dt>\(label)</dt>") else { return nil }
        let rest = tile[start.upperBound...]
        guard let open = rest.range(of: ">") else { return nil }
        return String(rest[open.upperBound...].prefix { $0 != "<" })
    }

    /// The page's own part, without the layout's forms (language switch, log out).
    static func main(_ html: String) -> String {
        html.components(separatedBy: "<main id=\"main\" class=\"page\">").last?.components(separatedBy: "</main>").first ?? ""
    }
}
