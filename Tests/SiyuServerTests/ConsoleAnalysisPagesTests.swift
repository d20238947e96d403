import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import Testing

/// The funnel, retention and lifecycle pages on a hand-worked shop of five people.
///
/// The clock is 2024-05-01T00:00Z (08:00 in Shanghai, the workspace's zone); every event is at
/// 02:00Z or later on its day, so its local date is the UTC date. Weeks run Monday to Sunday:
/// W16 = Apr 15–21, W17 = Apr 22–28, W18 = Apr 29–May 5.
///
/// | person | first channel | events |
/// |---|---|---|
/// | u1 | wechat_official | Apr 20: Product Viewed 02:00, Product Added 02:10, Checkout Started 02:20, Order Completed 02:30; Apr 23: Product Viewed |
/// | u2 | wechat_official | Apr 20: Product Viewed 03:00, Product Added 04:00 |
/// | u3 | douyin | Apr 21: Product Viewed 02:00, Product Added 02:30, Checkout Started 03:00; Apr 29: Product Viewed |
/// | u4 | douyin | Apr 22: Product Viewed; Apr 29: Product Viewed |
/// | u5 | douyin | Apr 22: Product Viewed 05:00 |
@Suite struct ConsoleAnalysisPagesTests {
    static func seed(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws {
        var items: [String] = []
        func event(_ user: String, _ name: String, _ time: String, _ channel: String) {
            items.append(
                #"{"type": "track", "userId": "\#(user)", "event": "\#(name)", "messageId": "\#(user)-\#(items.count)", "#
                    + #""timestamp": "2024-04-\#(time):00Z", "context": {"channel": "\#(channel)"}}"#
            )
        }
        let wechat = "wechat_official"
        event("u1", "Product Viewed", "20T02:00", wechat)
        event("u1", "Product Added", "20T02:10", wechat)
        event("u1", "Checkout Started", "20T02:20", wechat)
        event("u1", "Order Completed", "20T02:30", wechat)
        event("u1", "Product Viewed", "23T02:00", wechat)
        event("u2", "Product Viewed", "20T03:00", wechat)
        event("u2", "Product Added", "20T04:00", wechat)
        event("u3", "Product Viewed", "21T02:00", "douyin")
        event("u3", "Product Added", "21T02:30", "douyin")
        event("u3", "Checkout Started", "21T03:00", "douyin")
        event("u3", "Product Viewed", "29T02:00", "douyin")
        event("u4", "Product Viewed", "22T02:00", "douyin")
        event("u4", "Product Viewed", "29T02:00", "douyin")
        event("u5", "Product Viewed", "22T05:00", "douyin")
        let response = try await client.send("/v1/batch", #"{"batch": [\#(items.joined(separator: ","))]}"#, harness)
        #expect(response.json["stored"] == 14)
    }

    /// Logs a user of `role` in, in `language` (`nil`: the server's default, Chinese).
    static func browser(
        _ client: some TestClientProtocol,
        _ harness: ServerHarness,
        _ role: ConsoleRole,
        language: String? = nil
    ) async throws -> ConsoleBrowser {
        let email = "\(role.rawValue)@acme.cn"
        try await ConsoleFixtures.user(harness, email, role)
        var browser = ConsoleBrowser(headers: language.map { [.acceptLanguage: $0] } ?? [:])
        let login = try await browser.login(client, email: email, password: ConsoleFixtures.password)
        #expect(login.status == .seeOther || login.status == .found)
        return browser
    }

    /// The `<tr>` of the results table whose row heading is `label`.
    static func row(_ label: String, in html: String) -> String? {
        guard let start = html.range(of: "<th scope=\"row\">\(label)</th>") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\n" }.components(separatedBy: "</tr>")[0])
    }

    static func cells(_ row: String?) -> [String] {
        (row ?? "").components(separatedBy: "<td class=\"num\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
    }

    /// Default funnel (the standard shop steps) over the last 30 days: 5 viewed, 3 added (u1–u3),
    /// 2 started checkout (u1, u3), 1 ordered (u1). Conversions from the previous step 3/5 = 60.0 %,
    /// 2/3 = 66.7 %, 1/2 = 50.0 %; from the start 60.0 %, 40.0 %, 20.0 %. Time to add to cart:
    /// 10, 60 and 30 minutes → median 30 min, mean 33.3 → "33 min".
    @Test func theFunnelShowsTheHandWorkedSteps() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .analyst)
            let page = try await browser.get(client, "/console/funnel")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>转化漏斗</h1>"))
            #expect(Self.cells(Self.row("1. Product Viewed", in: html)).prefix(1) == ["5"])
            #expect(Self.cells(Self.row("2. Product Added", in: html)).prefix(3) == ["3", "60.0%", "60.0%"])
            #expect(Self.cells(Self.row("3. Checkout Started", in: html)).prefix(3) == ["2", "66.7%", "40.0%"])
            #expect(Self.cells(Self.row("4. Order Completed", in: html)).prefix(3) == ["1", "50.0%", "20.0%"])
            #expect(html.contains("中位数 30 分钟 · 平均耗时 33 分钟"))
            // The chart is an SVG whose steps link to the people who dropped there; the builder offers the seen names.
            #expect(html.contains("<div class=\"chart chart-funnel chart-wide\"><svg"))
            #expect(html.contains("href=\"/console/funnel/dropped?step0=Product%20Viewed&amp;step1=Product%20Added"))
            #expect(html.contains("<option value=\"Checkout Started\">"))
            // Nothing in the 30 days before: the previous period entered 0.
            #expect(html.contains("上一周期 0"))
        }
    }

    /// By first-touch channel: wechat_official u1, u2 entered, u1 ordered → 50.0 %; douyin u3–u5
    /// entered, nobody ordered → 0.0 %. In English.
    @Test func theFunnelBreaksDownByFirstTouchChannelInEnglish() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .owner, language: "en")
            let names = Dictionary(try await harness.store.channels(workspaceId: harness.workspace.id).map { ($0.key, $0.name) }) { a, _ in a }
            let html = try await browser.get(
                client,
                "/console/funnel?step0=Product+Viewed&step1=Order+Completed&window=7&unit=day&breakdown=firstTouchChannel"
            ).text
            #expect(html.contains("<h1>Funnel</h1>"))
            let wechat = Self.row(names["wechat_official"] ?? "wechat_official", in: html)
            let douyin = Self.row(names["douyin"] ?? "douyin", in: html)
            #expect(wechat?.contains("<strong>50.0%</strong>") == true)
            #expect(douyin?.contains("<strong>0.0%</strong>") == true)
        }
    }

    /// Dropped at step 2 (Product Added): u4 and u5, linked to their pages; the CSV holds both.
    @Test func clickingAStepListsWhoDroppedAndExportsThem() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .viewer)
            let path = "/console/funnel/dropped?step0=Product+Viewed&step1=Product+Added&step=1"
            let page = try await browser.get(client, path)
            #expect(page.status == .ok)
            let people = page.text.components(separatedBy: "<a href=\"/console/people/").dropFirst().map { $0.components(separatedBy: "</a>")[0] }
            #expect(people.map { $0.components(separatedBy: ">").last ?? "" } == ["u4", "u5"])
            let csv = try await browser.get(client, path + "&format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 3)
            #expect(lines.dropFirst().map { $0.split(separator: ",")[1] } == ["u4", "u5"])
            // Nobody drops at the first step.
            let bad = try await browser.get(client, "/console/funnel/dropped?step0=Product+Viewed&step1=Product+Added&step=0")
            #expect(bad.status == .badRequest)
        }
    }

    /// An unknown event, a bad date or one step only: a 400 page that says what is wrong, with the form kept.
    @Test func badInputIsExplainedAndNothingRuns() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .analyst, language: "en")
            let unknown = try await browser.get(client, "/console/funnel?step0=Product+Viewed&step1=Refund+Issued")
            #expect(unknown.status == .badRequest)
            #expect(unknown.text.contains("Step 2: no event named “Refund Issued”"))
            #expect(unknown.text.contains("value=\"Refund Issued\""))
            #expect(!unknown.text.contains("chart-funnel"))
            let date = try await browser.get(client, "/console/funnel?from=2024-02-30")
            #expect(date.status == .badRequest)
            #expect(date.text.contains("“2024-02-30” is not a date for “From”"))
            let one = try await browser.get(client, "/console/funnel?step0=Product+Viewed")
            #expect(one.status == .badRequest)
            #expect(one.text.contains("A funnel needs at least two steps"))
            let retention = try await browser.get(client, "/console/retention?period=year")
            #expect(retention.status == .badRequest)
            #expect(retention.text.contains("“year” is not a choice"))
            let lifecycle = try await browser.get(client, "/console/lifecycle?event=Nothing")
            #expect(lifecycle.status == .badRequest)
            #expect(lifecycle.text.contains("No event named “Nothing”"))
        }
    }

    /// Weekly first-time retention of any event, by first-touch channel. W16 cohort u1–u3 (3):
    /// week 1 u1 → 33.3 %, week 2 u3 → 33.3 %. W17 cohort u4, u5 (2): week 1 u4 → 50.0 %.
    /// Weighted week 1 = 2/5 = 40.0 %, simple (33.3 + 50) / 2 = 41.7 %. Daily: nobody came back
    /// the next day (D1 0.0 %); u4 came back 7 days after Apr 22 (D7 1/5 = 20.0 %).
    /// By channel, week 1: wechat_official 1/2 = 50.0 % beats douyin 1/3 = 33.3 %.
    @Test func retentionShowsTheCohortsAndWhichChannelRetainsBest() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .analyst)
            let names = Dictionary(try await harness.store.channels(workspaceId: harness.workspace.id).map { ($0.key, $0.name) }) { a, _ in a }
            let page = try await browser.get(client, "/console/retention")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>留存分析</h1>"))
            #expect(html.contains("<h2 class=\"tile-label\">次日留存率</h2><p class=\"tile-value\">0.0%</p>"))
            #expect(html.contains("<h2 class=\"tile-label\">7 日留存率</h2><p class=\"tile-value\">20.0%</p>"))
            #expect(html.contains("<div class=\"chart chart-scroll\"><svg"))
            let w16 = try #require(Self.row("2024-W16", in: html))
            #expect(w16.contains("<td class=\"num\">3</td><td class=\"num\">100.0%<br><span class=\"muted\">3</span></td><td class=\"num\">33.3%"))
            let weighted = try #require(Self.row("加权平均", in: html))
            #expect(weighted.contains("<strong>100.0%</strong></td><td class=\"num\"><strong>40.0%</strong>"))
            #expect(Self.row("简单平均", in: html)?.contains("<td class=\"num\">41.7%</td>") == true)
            let best = names["wechat_official"] ?? "wechat_official"
            #expect(html.contains("最佳：\(best)，第 1 周留存 50.0%。"))
            #expect(Self.row(names["douyin"] ?? "douyin", in: html)?.contains("<td class=\"num\">3</td><td class=\"num\">33.3%</td>") == true)
        }
    }

    /// Weekly lifecycle of any event: W16 3 new; W17 2 new (u4, u5), 1 returning (u1), 2 dormant
    /// (u2, u3); W18 1 returning (u4), 1 resurrecting (u3), 2 dormant (u1, u5). Stickiness of W17:
    /// u1, u4 and u5 each on 1 day.
    @Test func lifecycleAndStickinessShowTheWeeks() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .viewer, language: "en")
            let page = try await browser.get(client, "/console/lifecycle")
            #expect(page.status == .ok)
            let html = page.text
            #expect(html.contains("<h1>Lifecycle and stickiness</h1>"))
            #expect(Self.cells(Self.row("2024-W16", in: html)).prefix(3) == ["3", "0", "0"])
            #expect(Self.cells(Self.row("2024-W17", in: html)).prefix(3) == ["2", "1", "0"])
            #expect(Self.row("2024-W17", in: html)?.contains("<td class=\"num negative\">−2</td><td class=\"num\"><strong>3</strong>") == true)
            #expect(Self.cells(Self.row("2024-W18", in: html)).prefix(3) == ["0", "1", "1"])
            #expect(html.contains("<div class=\"chart\"><svg"))
            // Stickiness: the latest whole week is W17, everyone active on one day.
            #expect(html.contains("Days active in week 2024-W17"))
            let stickiness = html.components(separatedBy: "id=\"stickiness\"")[1]
            #expect(Self.row("2024-W17", in: stickiness).map { Self.cells($0).prefix(3) } == ["3", "3", "0"])
        }
    }

    /// A viewer sees the three pages in the navigation and no edit control on them; posts to them
    /// are not taken (they have no posting form); `/favicon.ico` answers with the SVG icon.
    @Test func viewersReadOnlyAndTheIconIsServed() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .viewer)
            for path in ["/console/funnel", "/console/retention", "/console/lifecycle"] {
                let html = try await browser.get(client, path).text
                #expect(html.contains("href=\"/console/funnel\""))
                #expect(html.contains("href=\"/console/retention\""))
                #expect(html.contains("href=\"/console/lifecycle\""))
                #expect(!html.contains("data-edit-control"))
                // The only posting forms are the layout's language switch and logout.
                #expect(html.components(separatedBy: "method=\"post\"").count - 1 == 2)
                #expect(html.contains("<link rel=\"icon\" type=\"image/svg+xml\" href=\"/console/static/favicon.svg"))
                // The pages have no posting form: a post is not taken (no route, or no CSRF token).
                let post = try await browser.post(client, path, form: [("step0", "Product Viewed")])
                #expect(post.status == .notFound || post.status == .forbidden)
            }
            let icon = try await client.execute(uri: "/favicon.ico", method: .get)
            #expect(icon.status == .ok)
            #expect(icon.headers[.contentType] == "image/svg+xml")
            #expect(String(buffer: icon.body).hasPrefix("<svg"))
        }
    }

    /// The real-time board's hourly slot draws today against yesterday as a line chart above its table.
    @Test func theBoardDrawsTheHoursAsALineChart() async throws {
        try await ServerHarness.run { client, harness in
            try await Self.seed(client, harness)
            var browser = try await Self.browser(client, harness, .viewer, language: "en")
            let html = try await browser.get(client, "/console").text
            let slot = html.components(separatedBy: "<div class=\"chart chart-hourly\">")
            #expect(slot.count == 2)
            #expect(slot.last?.hasPrefix("<svg") == true)
            #expect(slot.last?.contains("aria-label=\"By hour, today and yesterday · Active people\"") == true)
            #expect(html.contains("data-chart-slot=\"hourly\""))
        }
    }

    /// Every string key the analysis pages build in Swift exists in both languages.
    @Test func theKeysBuiltInSwiftExistInBothLanguages() throws {
        let resources = try ConsoleResources.bundled()
        var keys = ["funnel.nav", "retention.nav", "lifecycle.nav", "funnel.title", "retention.title", "lifecycle.title", "funnel.dropped.title"]
        keys += ["none", "channel", "firstTouchChannel", "lastTouchChannel"].map { "analysis.breakdowns." + $0 }
        keys += ["day", "week", "month"].flatMap { ["analysis.periods." + $0, "retention.columns." + $0] }
        keys += ["eq", "neq", "contains", "notContains", "gt", "gte", "lt", "lte", "isSet", "isNotSet"].map { "analysis.ops." + $0 }
        keys += ["seconds", "minutes", "hours", "days"].map { "analysis.units." + $0 }
        keys += ["badDate", "reversedDates", "badChoice", "unknownEvent", "page", "query"].map { "analysis.errors." + $0 }
        keys += ["unknownEvent", "filterValue", "twoSteps", "window", "step"].map { "funnel.errors." + $0 }
        keys += ["minute", "hour", "day"].map { "funnel.units." + $0 } + ["ordered", "strict", "unordered"].map { "funnel.orders." + $0 }
        keys += ["firstTime", "recurring"].map { "retention.kinds." + $0 } + ["on", "onOrAfter"].map { "retention.criteria." + $0 }
        keys +=
            ["d1", "d7", "d30"].map { "retention.cards." + $0 } + ["new", "returning", "resurrecting", "dormant"].map { "lifecycle.kinds." + $0 }
        keys += [
            "analysis.from", "analysis.to", "analysis.noValue", "analysis.pageOf", "funnel.form.stepLabel", "funnel.chartTitle", "funnel.noData",
            "funnel.time.between", "funnel.time.chartTitle", "funnel.time.noData", "funnel.summary.entered", "funnel.summary.converted",
            "funnel.summary.rate", "funnel.summary.previousNote", "funnel.trend.chartTitle", "funnel.trend.current", "funnel.trend.previous",
            "funnel.dropped.heading", "funnel.dropped.explain", "retention.heatMapTitle", "retention.noData", "retention.byGroup.chartTitle",
            "retention.byGroup.best", "lifecycle.chartTitle", "lifecycle.noData", "lifecycle.stickiness.chartTitle", "lifecycle.stickiness.days",
            "board.hourly", "board.today", "board.yesterday", "board.emptyTitle",
        ]
        for locale in ConsoleLocale.allCases {
            let missing = keys.filter { resources.strings(locale).flat[$0] == nil }
            #expect(missing.isEmpty, "\(locale): \(missing)")
        }
    }
}
