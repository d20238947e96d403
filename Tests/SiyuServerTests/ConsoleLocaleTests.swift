import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The console's languages: how one is chosen, the string tables, and number formats.
@Suite struct ConsoleLocaleTests {
    @Test func acceptLanguageHonoursQValuesAndKnowsOnlyChineseAndEnglish() {
        let cases: [(String, ConsoleLocale?)] = [
            ("zh-CN,zh;q=0.9,en;q=0.8", .zhCN),
            ("en-US,en;q=0.9,zh-CN;q=0.8", .en),
            ("zh;q=0.4, en;q=0.6", .en),  // the higher q wins, not the first
            ("fr-FR, de;q=0.9, zh-TW;q=0.5", .zhCN),  // zh-TW is Chinese; French and German are unknown
            ("en;q=0, zh-Hans", .zhCN),  // q=0 means "not English"
            ("en-GB;q=0.8, zh;q=0.8", .en),  // a tie keeps the header's order
            ("*", nil),
            ("fr", nil),
            ("", nil),
            ("en;q=abc, zh;q=0.1", .zhCN),  // a malformed q counts as 0
        ]
        for (header, expected) in cases { #expect(ConsoleLocale.preferred(acceptLanguage: header) == expected, "\(header)") }
    }

    @Test func bothStringTablesHaveExactlyTheSameKeys() throws {
        let resources = try ConsoleResources.bundled()
        let english = Set(resources.strings(.en).flat.keys)
        let chinese = Set(resources.strings(.zhCN).flat.keys)
        #expect(english.subtracting(chinese).isEmpty, "only in en.json: \(english.subtracting(chinese).sorted())")
        #expect(chinese.subtracting(english).isEmpty, "only in zh-CN.json: \(chinese.subtracting(english).sorted())")
        #expect(english.count > 50)
        // No empty strings, and the same placeholders in both languages.
        for key in english {
            let en = resources.strings(.en).text(key)
            let zh = resources.strings(.zhCN).text(key)
            #expect(!en.isEmpty && !zh.isEmpty, "\(key)")
            #expect(Self.placeholders(en) == Self.placeholders(zh), "\(key): placeholders differ")
        }
    }

    @Test func everyKeyTheTemplatesAndPagesUseExists() throws {
        let resources = try ConsoleResources.bundled()
        let keys = Set(resources.strings(.en).flat.keys)
        var used: Set<String> = []
        for text in resources.templateTexts.values { used.formUnion(Self.templateKeys(text)) }
        #expect(used.contains("board.live.title") && used.contains("login.heading"))
        // Keys Swift code builds: navigation, roles, error pages, board metrics.
        used.formUnion(ConsoleRole.allCases.map { "roles." + $0.rawValue })
        for page in ["notFound", "forbidden", "csrf", "badRequest", "internal"] {
            used.formUnion(["errors.\(page).title", "errors.\(page).message"])
        }
        used.formUnion(["errors.forbidden.detail", "login.failed", "login.throttled", "login.expired", "board.emptyHint", "board.emptyHintAdmin"])
        used.formUnion(["nav.board", "nav.team", "board.title", "team.title", "login.title", "board.new", "board.noChannel", "board.live.pageView"])
        used.formUnion(["exposures", "clicks", "interactions", "conversions", "revenue", "newPeople", "activePeople"].map { "board.metrics." + $0 })
        used.formUnion(["team.added", "team.badRole"])
        let missing = used.subtracting(keys)
        #expect(missing.isEmpty, "missing strings: \(missing.sorted())")
        #expect(used.count > 40)
    }

    /// Hand-worked: grouping every three digits; ¥/$ with two decimals from minor units; 万 = 10⁴, 亿 = 10⁸; k, M, B.
    @Test func numbersMoneyAndCompactCountsReadRightInBothLanguages() {
        let zh = LocaleFormat(.zhCN)
        let en = LocaleFormat(.en)
        #expect(zh.integer(0) == "0")
        #expect(zh.integer(999) == "999")
        #expect(en.integer(1_234_567) == "1,234,567")
        #expect(en.integer(-1_000) == "-1,000")
        #expect(zh.money(minorUnits: 123_450, currency: "CNY") == "¥1,234.50")
        #expect(en.money(minorUnits: 123_450, currency: "usd") == "$1,234.50")
        #expect(en.money(minorUnits: 5, currency: "CNY") == "¥0.05")
        #expect(en.money(minorUnits: -100_001, currency: "CNY") == "-¥1,000.01")
        #expect(en.money(minorUnits: 1_234, currency: "JPY") == "JP¥1,234")  // yen has no minor unit
        // Tiles drop the fen from ¥10,000 up, rounding half away from zero; below it they stay.
        #expect(zh.money(minorUnits: 127_153_116, currency: "CNY", wholeFrom: 10_000) == "¥1,271,531")
        #expect(zh.money(minorUnits: 127_153_150, currency: "CNY", wholeFrom: 10_000) == "¥1,271,532")
        #expect(zh.money(minorUnits: -1_000_050, currency: "CNY", wholeFrom: 10_000) == "-¥10,001")
        #expect(zh.money(minorUnits: 999_999, currency: "CNY", wholeFrom: 10_000) == "¥9,999.99")
        #expect(en.money(minorUnits: 250, currency: "CHF") == "CHF 2.50")
        #expect(en.percent(0.1234) == "12.3%")
        #expect(en.percent(1) == "100.0%")
        #expect(en.signedPercent(0.052) == "+5.2%")
        #expect(en.signedPercent(-0.1) == "−10.0%")
        #expect(en.signedPercent(0.0001) == "0.0%")
        // 12,345 / 10⁴ = 1.2345 → 1.2万; 340,000,000 / 10⁸ = 3.4亿; 99,995,000 / 10⁸ = 0.99995 → 1亿 (rounds up into 亿).
        #expect(zh.compact(9_999) == "9,999")
        #expect(zh.compact(12_345) == "1.2万")
        #expect(zh.compact(30_000) == "3万")
        #expect(zh.compact(1_234_567) == "123.5万")
        #expect(zh.compact(340_000_000) == "3.4亿")
        #expect(zh.compact(99_995_000) == "1亿")
        // 12,345 / 10³ = 12.345 → 12.3k; 1,234,567 / 10⁶ → 1.2M; 999,950 → 999.95k rounds to 1,000.0k = 1M.
        #expect(en.compact(999) == "999")
        #expect(en.compact(12_345) == "12.3k")
        #expect(en.compact(1_234_567) == "1.2M")
        #expect(en.compact(999_950) == "1M")
        #expect(en.compact(2_500_000_000) == "2.5B")
        #expect(en.compact(-12_345) == "-12.3k")
    }

    @Test(arguments: TestStoreKind.available)
    func theLanguageComesFromTheSwitchTheUserOrTheBrowser(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            // The browser's preference decides on the login page; Chinese when it names neither language.
            var english = ConsoleBrowser(headers: [.acceptLanguage: "en-US,en;q=0.9,zh;q=0.5"])
            #expect(try await english.get(client, "/console/login").text.contains("<html lang=\"en\">"))
            var french = ConsoleBrowser(headers: [.acceptLanguage: "fr-FR,fr;q=0.9"])
            #expect(try await french.get(client, "/console/login").text.contains("<html lang=\"zh-CN\">"))
            // ?lang= wins and is remembered in a cookie.
            let switched = try await french.get(client, "/console/login?lang=en")
            #expect(switched.text.contains("<html lang=\"en\">"))
            #expect(switched.setCookie("siyu_lang")?.hasPrefix("siyu_lang=en;") == true)
            #expect(try await french.get(client, "/console/login").text.contains("Log in to Siyu"))

            // A user's saved language beats the browser's, but not an explicit switch.
            try await ConsoleFixtures.user(harness, "li@acme.cn", .analyst, locale: "en")
            var user = ConsoleBrowser(headers: [.acceptLanguage: "zh-CN"])
            _ = try await user.login(client, email: "li@acme.cn", password: ConsoleFixtures.password)
            #expect(try await user.get(client, "/console/team").text.contains("<html lang=\"en\">"))
            // Switching with the form saves it on the user and in the cookie.
            let csrf = try await user.csrfToken(client)
            let saved = try await user.post(client, "/console/locale", form: [("_csrf", csrf), ("lang", "zh-CN"), ("next", "/console/team")])
            #expect(saved.status == .seeOther)
            #expect(saved.headers[.location] == "/console/team")
            #expect(try await harness.store.user(workspaceId: harness.workspace.id, email: "li@acme.cn")?.locale == "zh-CN")
            let page = try await user.get(client, "/console/team")
            #expect(page.text.contains("<html lang=\"zh-CN\">"))
            #expect(page.text.contains("团队"))
            // Error pages speak the same language, inside the layout.
            let missing = try await user.get(client, "/console/no-such-page")
            #expect(missing.status == .notFound)
            #expect(missing.text.contains("页面不存在"))
            #expect(missing.text.contains("class=\"mainnav\""))
        }
    }

    static func placeholders(_ text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            found.insert(String(rest[open...close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }

    /// The `t.…` keys of `{{t.a.b}}` and `{{{t.a.b}}}` tags.
    static func templateKeys(_ text: String) -> Set<String> {
        var keys: Set<String> = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            var tag = rest[open.upperBound...]
            while tag.first == "{" || tag.first == " " { tag = tag.dropFirst() }
            guard let close = tag.range(of: "}}") else { break }
            let name = tag[..<close.lowerBound].trimmingCharacters(in: CharacterSet(charactersIn: " }"))
            if name.hasPrefix("t.") { keys.insert(String(name.dropFirst(2))) }
            rest = tag[close.upperBound...]
        }
        return keys
    }
}
