import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuDemo
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The value pages (RFM, tiers, revenue concentration, customer value) on the hand-worked shop of
/// ``TrackingAPITests/seed``: orders u1 ¥100 (Apr 28) + ¥50 (Apr 29), u2 ¥300 (Apr 28) + ¥20 (Apr 30),
/// u3 ¥80 (Apr 29); u4 viewed a product on Apr 30; u5 only identified. The clock is 2024-05-01T00:00Z.
@Suite struct ConsoleValuePagesTests {
    let segments = TrackingAPITests()

    /// A logged-in browser for a new user of `role` (Chinese unless `language` says otherwise).
    func browser(
        _ client: some TestClientProtocol,
        _ harness: ServerHarness,
        _ role: ConsoleRole,
        language: String = "zh-CN"
    ) async throws
        -> ConsoleBrowser
    {
        let email = "\(role.rawValue)@acme.cn"
        try await ConsoleFixtures.user(harness, email, role)
        var browser = ConsoleBrowser(headers: [.acceptLanguage: language])
        _ = try await browser.login(client, email: email, password: ConsoleFixtures.password)
        return browser
    }

    /// The text right after `marker` up to the next `<`.
    static func after(_ marker: String, in html: String) -> String? {
        guard let range = html.range(of: marker) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "<" })
    }

    @Test func rfmShowsTheHandWorkedClassesTheirPeopleAndSavesThemAsLabels() async throws {
        try await ServerHarness.run { client, harness in
            try await segments.seed(client, harness)
            var analyst = try await browser(client, harness, .analyst)
            let page = try await analyst.get(client, "/console/rfm")
            #expect(page.status == .ok)
            let html = page.text
            // Means of the 3 buyers: recency 2/3 day, 5/3 orders, ¥183.33. u2 (0 days, 2 orders, ¥320) beats
            // every mean → 重要价值; u1 (1 day, 2 orders, ¥150) only on F → 一般保持; u3 (1, 1, ¥80) → 一般挽留.
            // 重要价值 holds 320 / 550 = 58.2% of revenue, the most: it is the headline.
            #expect(Self.after("data-people=\"importantValue\">", in: html) == "1")
            #expect(Self.after("data-people=\"generalRetention\">", in: html) == "1")
            #expect(Self.after("data-people=\"generalWinBack\">", in: html) == "1")
            #expect(Self.after("data-people=\"importantDevelopment\">", in: html) == "0")
            #expect(Self.after("data-revenue-share=\"importantValue\">", in: html) == "58.2%")
            #expect(Self.after("data-revenue-share=\"generalRetention\">", in: html) == "27.3%")  // 150 / 550
            #expect(html.contains("收入最多：重要价值客户，贡献了 58.2% 的收入"))
            #expect(html.contains("rfm-card rfm-card-top\" href=\"/console/rfm/people?class=importantValue"))
            #expect(html.contains("<div class=\"chart\"><svg"))
            #expect(html.contains("data-edit-control=\"rfm-save\""))

            // The class's people: only u3 is 一般挽留; the CSV export lists the same person.
            let people = try await analyst.get(client, "/console/rfm/people?class=generalWinBack")
            #expect(people.status == .ok)
            #expect(people.text.contains("<a href=\"/console/people/") && people.text.contains(">u3</a>"))
            #expect(!people.text.contains(">u1</a>") && !people.text.contains(">u2</a>"))
            let csv = try await analyst.get(client, "/console/rfm/people?class=generalWinBack&format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 2)
            #expect(csv.text.contains(",u3,"))

            // Bad input: an unknown class and a malformed date are explained, in Chinese.
            let unknown = try await analyst.get(client, "/console/rfm/people?class=vip")
            #expect(unknown.status == .badRequest)
            #expect(unknown.text.contains("“vip”不是 RFM 类别或细分"))
            let badDate = try await analyst.get(client, "/console/rfm?from=yesterday")
            #expect(badDate.status == .badRequest)
            #expect(badDate.text.contains("“yesterday”不是有效日期"))

            // Saving: refused without the CSRF token (nothing stored), then stored as rfm8 / rfm11.
            let forged = try await analyst.post(client, "/console/rfm/save", form: [])
            #expect(forged.status == .forbidden)
            #expect(try await harness.store.labels(workspaceId: harness.workspace.id, scheme: "rfm8").isEmpty)
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: html))
            let saved = try await analyst.post(client, "/console/rfm/save", form: [("_csrf", token)])
            #expect(saved.status == .ok)
            #expect(saved.text.contains("已保存 3 位购买客户的分层：3 人类别有变化（rfm8），3 人细分有变化（rfm11）"))
            let labels = try await harness.store.labels(workspaceId: harness.workspace.id, scheme: "rfm8")
            #expect(labels.values.sorted() == ["generalRetention", "generalWinBack", "importantValue"])

            // A viewer reads the page but sees no save control, and cannot post it.
            var viewer = try await browser(client, harness, .viewer, language: "en")
            let read = try await viewer.get(client, "/console/rfm")
            #expect(read.status == .ok)
            #expect(read.text.contains("Most revenue: Important value — 58.2% of revenue from 1 buyers"))
            #expect(!read.text.contains("data-edit-control"))
            let viewerToken = try #require(ConsoleBrowser.hiddenValue("_csrf", in: read.text))
            #expect(try await viewer.post(client, "/console/rfm/save", form: [("_csrf", viewerToken)]).status == .forbidden)
        }
    }

    @Test func tiersShowTheHandWorkedSchemesAndRecordMovementsWhenSaved() async throws {
        try await ServerHarness.run { client, harness in
            try await segments.seed(client, harness)
            var owner = try await browser(client, harness, .owner)
            let html = try await owner.get(client, "/console/tiers").text
            // Pyramid 10/60/30 over 5 people: top ends at rank round(0.5) = 1 (u2), middle at round(3.5) = 4,
            // people without revenue go to the bottom: top u2; middle u1, u3; bottom u4, u5.
            #expect(Self.after("data-tier=\"top\">", in: html) == "1")
            #expect(Self.after("data-tier=\"middle\">", in: html) == "2")
            #expect(Self.after("data-tier=\"bottom\">", in: html) == "2")
            // 5-3-2: boundaries round(0.25) = 0 and round(1.75) = 2, so nobody is in the 5 %; u2 (rank 0) and
            // u1 (rank 1) are potential; u3 (rank 2) and the two without revenue are ordinary.
            #expect(Self.after("data-tier=\"highValue\">", in: html) == "0")
            #expect(Self.after("data-tier=\"potential\">", in: html) == "2")
            #expect(Self.after("data-tier=\"ordinary\">", in: html) == "3")
            // Ladder: u1–u3 have an order (regular), nobody has 3; u4 and u5 stay newbies. Colours: nobody
            // viewed twice or added to the cart in the last 7 days, so nobody is red.
            #expect(Self.after("data-tier=\"newbie\">", in: html) == "2")
            #expect(Self.after("data-tier=\"regular\">", in: html) == "3")
            #expect(Self.after("data-tier=\"core\">", in: html) == "0")
            #expect(Self.after("data-tier=\"red\">", in: html) == "0")
            #expect(html.contains("这段时间内没有人变更分级"))
            #expect(html.contains("data-edit-control=\"tiers-save\""))

            // Re-evaluate and save: the 5 people get a pyramid tier for the first time.
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: html))
            #expect(try await owner.post(client, "/console/tiers/save", form: []).status == .forbidden)
            #expect(try await harness.store.labels(workspaceId: harness.workspace.id, scheme: "tier.pyramid").isEmpty)
            let saved = try await owner.post(client, "/console/tiers/save", form: [("_csrf", token)])
            #expect(saved.status == .ok)
            #expect(saved.text.contains("价值金字塔（10 / 60 / 30）：5 人变化"))
            let labels = try await harness.store.labels(workspaceId: harness.workspace.id, scheme: "tier.pyramid")
            #expect(labels.values.sorted() == ["bottom", "bottom", "middle", "middle", "top"])

            // English; a bad movement scheme is explained and nothing is evaluated.
            var viewer = try await browser(client, harness, .viewer, language: "en")
            let english = try await viewer.get(client, "/console/tiers")
            #expect(english.text.contains("Value pyramid (10 / 60 / 30)"))
            #expect(!english.text.contains("data-edit-control"))
            let bad = try await viewer.get(client, "/console/tiers?scheme=vip")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("&quot;vip&quot; is not one of the choices"))
        }
    }

    @Test func concentrationShowsTheHandWorkedGiniAndTopShares() async throws {
        try await ServerHarness.run { client, harness in
            try await segments.seed(client, harness)
            var analyst = try await browser(client, harness, .analyst, language: "en")
            let page = try await analyst.get(client, "/console/concentration?from=2024-04-01&to=2024-04-30")
            #expect(page.status == .ok)
            let html = page.text
            // Buyers' revenues 80 / 150 / 320 (total 550): Gini = (−2·80 + 0·150 + 2·320) / (3·550) = 0.29;
            // the top 1 % is ⌈0.03⌉ = 1 person with 320 / 550 = 58.2 %; the top 20 % is also 1 person.
            #expect(Self.after("data-gini>", in: html) == "0.29")
            #expect(Self.after("data-buyers>", in: html) == "3")
            #expect(Self.after("data-top=\"1\">", in: html) == "58.2%")
            #expect(Self.after("data-top=\"20\">", in: html) == "58.2%")
            #expect(html.contains("Gini 0.29"))
            #expect(html.contains("<div class=\"chart chart-square\"><svg"))
            let chinese = try await analyst.get(client, "/console/concentration?from=2024-04-01&to=2024-04-30&lang=zh-CN").text
            #expect(chinese.contains("基尼系数 0.29"))
            // A window with no orders says so; a reversed window is explained.
            let empty = try await analyst.get(client, "/console/concentration?from=2024-03-01&to=2024-03-31&lang=en")
            #expect(empty.text.contains("No revenue in this window"))
            let reversed = try await analyst.get(client, "/console/concentration?from=2024-04-30&to=2024-04-01&lang=en")
            #expect(reversed.status == .badRequest)
            #expect(reversed.text.contains("The end date must be on or after the start date"))
        }
    }

    @Test func customerValueOffersARefitWhenNothingIsFittedAndExplainsFailures() async throws {
        try await ServerHarness.run { client, harness in
            var analyst = try await browser(client, harness, .analyst)
            let html = try await analyst.get(client, "/console/value").text
            #expect(html.contains("还没有客户价值模型"))
            #expect(html.contains("data-edit-control=\"value-refit\""))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: html))
            // No orders at all: the refit says why, and stores nothing.
            let failed = try await analyst.post(client, "/console/value/refit", form: [("_csrf", token), ("model", "bgnbd")])
            #expect(failed.status == .unprocessableContent)
            #expect(failed.text.contains("无法拟合模型：还没有可供学习的订单"))
            let badModel = try await analyst.post(client, "/console/value/refit", form: [("_csrf", token), ("model", "magic")])
            #expect(badModel.status == .badRequest)
            #expect(badModel.text.contains("“magic”不是私域支持的模型"))
            #expect(try await analyst.post(client, "/console/value/refit", form: [("model", "bgnbd")]).status == .forbidden)
            #expect(try await harness.store.valueFits(workspaceId: harness.workspace.id, limit: 5).isEmpty)

            var viewer = try await browser(client, harness, .viewer, language: "en")
            let read = try await viewer.get(client, "/console/value").text
            #expect(read.contains("No customer-value model yet"))
            #expect(read.contains("Ask an analyst or admin to refit the model."))
            #expect(!read.contains("data-edit-control"))
        }
    }

    @Test func customerValueRefitShowsTheStoredPredictions() async throws {
        try await ServerHarness.run { client, harness in
            try await AnalyticsAPITests.generate(DemoBrand(endingAt: serverNow, people: 300, days: 21, seed: 5), into: harness)
            var analyst = try await browser(client, harness, .analyst)
            let token = try await analyst.csrfToken(client, page: "/console/value")
            let refit = try await analyst.post(client, "/console/value/refit", form: [("_csrf", token), ("model", "bgnbd")])
            #expect(refit.status == .ok)
            #expect(refit.text.contains("已用 BG/NBD（标准） 重新拟合"))
            // Counted here from the stored predictions, not by the summary: customers with a CLV, and
            // P(alive) bands green ≥ 0.6, yellow 0.3–0.6, red < 0.3.
            let stored = try await harness.store.allAttributes(workspaceId: harness.workspace.id)
            let clv = try #require(stored["clv"])
            let alive = try #require(stored["p_alive"])
            let format = LocaleFormat(.zhCN)
            let html = try await analyst.get(client, "/console/value").text
            #expect(Self.after("data-value=\"customers\">", in: html) == format.integer(clv.count))
            #expect(Self.after("data-band=\"green\">", in: html) == format.integer(alive.values.filter { $0 >= 0.6 }.count))
            #expect(Self.after("data-band=\"red\">", in: html) == format.integer(alive.values.filter { $0 < 0.3 }.count))
            #expect(html.contains("<strong data-model>BG/NBD（标准）</strong>"))
            // Deciles, the model's bands, the recency bands and value by channel.
            #expect(html.components(separatedBy: "<div class=\"chart\"><svg").count - 1 == 4)
            #expect(html.contains("第1组"))
            // Recency bands as stored with the fit (the same day): counted from the labels.
            let recency = try await harness.store.labels(workspaceId: harness.workspace.id, scheme: "value.recency")
            for band in ["green", "yellow", "red"] {
                #expect(Self.after("data-recency-band=\"\(band)\">", in: html) == format.integer(recency.values.count { $0 == band }))
            }
            // 300 people over 3 weeks are far too few repeat customers: the page says the values are the simple formula's.
            #expect(html.contains("data-clv-source=\"simple\""))
            #expect(html.contains("data-edit-control=\"value-simple\""))
        }
    }

    /// A fit at the model's limit (``FitDiagnostics/atBoundary``) is not shown as a failed fit: no
    /// "did not settle" alert, its note in the reader's language; a fit that truly did not converge
    /// still gets the alert.
    @Test func aFitAtTheModelsLimitIsShownWithItsNoteNotAsAFailure() async throws {
        try await ServerHarness.run { client, harness in
            let note = ValueWarning.sameDropout(model: "BG/NBD", dropout: 0.15671).description
            #expect(note.contains("15.7%"))
            try await TrackingAPITests().seed(client, harness)
            let buyer = try await AdminAPITests().personId(harness, "u1")
            let values: [String: [Int64: Double]] = ["clv": [buyer: 320], "p_alive": [buyer: 0.9]]
            let limit = #"{"model": "bgnbd", "converged": false, "atBoundary": true, "warnings": [""# + note + #""]}"#
            _ = try await harness.store.saveValueFit(
                workspaceId: harness.workspace.id,
                fit: ValueFitRecord(id: 0, model: "bgnbd", fittedAt: serverNow, cutoff: serverNow, customers: 3922, report: limit),
                attributes: values
            )
            var viewer = try await browser(client, harness, .viewer)
            let html = try await viewer.get(client, "/console/value").text
            #expect(!html.contains("alert-error"))
            #expect(html.contains("即每位客户每次购买后以相同的 15.7% 概率流失"))
            var english = try await browser(client, harness, .viewer, language: "en")
            #expect(try await english.get(client, "/console/value").text.contains("stops after a purchase with the same chance, 15.7%"))

            let failed = #"{"model": "bgnbd", "converged": false, "warnings": ["the BG/NBD fit did not converge"]}"#
            _ = try await harness.store.saveValueFit(
                workspaceId: harness.workspace.id,
                fit: ValueFitRecord(id: 0, model: "bgnbd", fittedAt: serverNow + 1, cutoff: serverNow, customers: 3922, report: failed),
                attributes: values
            )
            #expect(try await viewer.get(client, "/console/value").text.contains("alert-error"))
        }
    }

    /// The simple formula's inputs set on the page: saved as the `valueSimple` setting and used by
    /// the refit; a wrong number is refused in the reader's language and nothing changes.
    @Test func theSimpleFormulasInputsAreSetOnThePage() async throws {
        try await ServerHarness.run { client, harness in
            try await AnalyticsAPITests.generate(DemoBrand(endingAt: serverNow, people: 300, days: 21, seed: 5), into: harness)
            var analyst = try await browser(client, harness, .analyst)
            var token = try await analyst.csrfToken(client, page: "/console/value")
            _ = try await analyst.post(client, "/console/value/refit", form: [("_csrf", token), ("model", "bgnbd")])
            token = try await analyst.csrfToken(client, page: "/console/value")
            let notNumber = try await analyst.post(client, "/console/value/simple", form: [("_csrf", token), ("coefficient", "四成")])
            #expect(notNumber.status == .badRequest && notNumber.text.contains("“四成”不是数字"))
            let tooHigh = try await analyst.post(client, "/console/value/simple", form: [("_csrf", token), ("retention", "1.5")])
            #expect(tooHigh.status == .badRequest && tooHigh.text.contains("留存率（0–1）应在 0 到 1 之间"))
            #expect(try await harness.store.settings(workspaceId: harness.workspace.id)["valueSimple"] == nil)

            // A margin of 40 % as the coefficient: the refit's simple value is the estimate × 0.4, every buyer's CLV.
            let saved = try await analyst.post(client, "/console/value/simple", form: [("_csrf", token), ("coefficient", "0.4"), ("arpu", "")])
            #expect(saved.status == .ok && saved.text.contains("已保存简单公式的输入"))
            #expect(try await harness.store.settings(workspaceId: harness.workspace.id)["valueSimple"] == ["coefficient": 0.4])
            let fit = try #require(try await harness.store.valueFits(workspaceId: harness.workspace.id, limit: 1).first)
            let simple = try #require(try JSONParser.parse(fit.report)["simple"])
            #expect(simple["coefficient"] == 0.4)
            let estimate = try ["averageRevenuePerUser", "retentionRate", "averageLifetime"].map { try #require(simple[$0]?.doubleValue) }
            let value = estimate.reduce(0.4, *)
            #expect(abs(value - (simple["value"]?.doubleValue ?? 0)) < 1e-9 * max(1, value))
            let clv = try #require(try await harness.store.allAttributes(workspaceId: harness.workspace.id)["clv"])
            #expect(clv.values.allSatisfy { abs($0 - value) < 1e-9 * max(1, value) })
            // The form shows what was set; "use the estimates" clears it.
            let page = try await analyst.get(client, "/console/value").text
            #expect(page.contains("name=\"coefficient\" value=\"0.4\""))
            token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page))
            let reset = try await analyst.post(client, "/console/value/simple", form: [("_csrf", token), ("reset", "1")])
            #expect(reset.status == .ok && reset.text.contains("已恢复为根据数据估算"))
            #expect(try await harness.store.settings(workspaceId: harness.workspace.id)["valueSimple"] == nil)
            // Viewers cannot.
            var viewer = try await browser(client, harness, .viewer)
            let viewerToken = try await viewer.csrfToken(client, page: "/console/value")
            #expect(
                try await viewer.post(client, "/console/value/simple", form: [("_csrf", viewerToken), ("coefficient", "1")]).status == .forbidden
            )
        }
    }

    /// Strings the value pages look up from Swift (class, segment, tier and model names, messages) exist in both tables.
    @Test func theStringsLookedUpFromSwiftExistInBothLanguages() throws {
        let resources = try ConsoleResources.bundled()
        var keys = ["rfm.nav", "tiers.nav", "concentration.nav", "value.nav", "rfm.title", "tiers.title", "concentration.title", "value.title"]
        keys += RFMClass.allCases.flatMap { ["rfm.classes." + $0.rawValue, "rfm.advice." + $0.rawValue] }
        keys += RFMSegment.allCases.map { "rfm.segments." + $0.rawValue }
        keys += ["top", "middle", "bottom", "highValue", "potential", "ordinary", "red", "yellow", "green", "newbie", "regular", "core", "loyal"]
            .map { "tiers.codes." + $0 }
        keys += ["pyramid", "fiveThreeTwo", "colours", "ladder"].map { "tiers.schemes." + $0 }
        keys += PurchaseModelKind.allCases.map { "value.models." + $0.rawValue }
        keys += ["green", "yellow", "red"].flatMap { ["value.bands." + $0, "value.bands.\($0)Note"] }
        keys += ["thinData", "notConverged", "sameDropout", "spendCorrelated", "poorHoldout", "nonPositiveSpend", "noSpend"].map {
            "value.warnings." + $0
        }
        keys += ["note", "none", "chart"].map { "value.recency." + $0 }
        keys += ["arpu", "retention", "lifetime", "coefficient", "estimated", "value", "saved", "cleared", "badNumber", "outOfRange"].map {
            "value.simple." + $0
        }
        keys += [
            "rfm.headline", "rfm.saved", "rfm.means", "rfm.days", "rfm.high", "rfm.low", "rfm.people.unknown", "rfm.people.chooseOne",
            "rfm.people.badCursor", "rfm.people.range", "tiers.saved", "tiers.savedScheme", "tiers.listSeparator", "tiers.rungRule",
            "tiers.lastDays", "tiers.revenueWindow", "tiers.noTier", "concentration.topLabel", "concentration.pareto", "concentration.giniCaption",
            "value.refit.done", "value.refit.failed", "value.refit.badModel", "value.reasons.noOrders", "value.reasons.noHistory",
            "value.holdout.text", "value.holdout.good", "value.holdout.fair", "value.holdout.poor", "value.simpleSource", "value.decileLabel",
            "value.topDecile", "value.empty.never", "value.empty.noValues", "valueFilters.badDate", "valueFilters.badRange",
            "valueFilters.badBreakdown", "valueFilters.badChoice", "valueFilters.noChannel", "valueFilters.noBreakdown",
        ]
        keys += ["even", "concentrated", "veryConcentrated"].map { "concentration.verdicts." + $0 }
        keys += ["buyers", "everyone"].map { "concentration.populations." + $0 }
        for locale in ConsoleLocale.allCases {
            let table = resources.strings(locale).flat
            let missing = keys.filter { table[$0] == nil }
            #expect(missing.isEmpty, "\(locale): missing \(missing)")
        }
    }
}
