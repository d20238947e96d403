import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The people search and a person's page, on the five-person shop of ``TrackingAPITests/seed``:
/// u1 ordered ¥100 (Apr 28) + ¥50 (Apr 29), u2 ¥300 (Apr 28) + ¥20 (Apr 30), u3 ¥80 (Apr 29),
/// u4 viewed a product (Apr 30 09:00Z), u5 only identified with city 上海. Orders at 10:00Z = 18:00 in Shanghai.
@Suite struct ConsolePeoplePagesTests {
    let shop = TrackingAPITests()

    func person(_ harness: ServerHarness, _ userId: String) async throws -> Int64 {
        try #require(try await harness.store.personId(identity: IdentityKey(IdentityKey.userId, userId), workspaceId: harness.workspace.id))
    }

    static func tableBody(_ html: String, _ marker: String) -> String {
        guard let start = html.range(of: marker), let body = html[start.upperBound...].range(of: "<tbody>") else { return "" }
        return String(html[body.upperBound...].components(separatedBy: "</tbody>")[0])
    }

    @Test func searchFindsPeopleByTextTraitAndIdWithTheirNumbers() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            try await ConsoleFixtures.user(harness, "ana@acme.cn", .analyst)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "ana@acme.cn", password: ConsoleFixtures.password)

            // Everyone: five rows, and the workspace total.
            let all = try await browser.get(client, "/console/people")
            #expect(all.status == .ok)
            #expect(Self.tableBody(all.text, "data-people-table").components(separatedBy: "<tr>").count - 1 == 5)
            #expect(all.text.contains("本工作区共 5 位用户"))

            // u2: 2 orders, ¥300 + ¥20 = ¥320.00, last seen Apr 30 10:00Z = 18:00 Shanghai.
            let u2 = try await browser.get(client, "/console/people?q=u2")
            let rows = Self.tableBody(u2.text, "data-people-table")
            #expect(rows.components(separatedBy: "<tr>").count - 1 == 1)
            #expect(rows.contains(">u2</a>"))
            #expect(rows.contains("<td class=\"num\">2</td><td class=\"num\">¥320.00</td>"))
            #expect(rows.contains("2024-04-30 18:00"))

            // A trait: only u5 lives in 上海. A person id finds exactly that person.
            let city = try await browser.get(client, "/console/people?trait=" + ConsoleBrowser.encode("city = 上海"))
            let cityRows = Self.tableBody(city.text, "data-people-table")
            #expect(cityRows.contains(">u5</a>") && !cityRows.contains(">u1</a>"))
            let u3 = try await person(harness, "u3")
            let byId = try await browser.get(client, "/console/people?q=\(u3)")
            #expect(Self.tableBody(byId.text, "data-people-table").contains("href=\"/console/people/\(u3)\""))
            #expect(Self.tableBody(byId.text, "data-people-table").contains("¥80.00"))

            // A malformed identity is explained, in English too.
            let bad = try await browser.get(client, "/console/people?identity=openid&lang=en")
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("An identity is written kind:value"))
            let english = try await browser.get(client, "/console/people?lang=en")
            #expect(english.text.contains("<h1>People</h1>"))
        }
    }

    @Test func aPersonsPageShowsProfileTimelineAndSegments() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let created = try await shop.post(
                client,
                harness,
                "/api/v1/segments",
                #"{"name": "复购客户", "rule": {"orders": {"op": "gte", "value": 2}}}"#
            )
            #expect(created.status == .created)
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let u1 = try await person(harness, "u1")
            let page = try await browser.get(client, "/console/people/\(u1)")
            #expect(page.status == .ok)
            let html = page.text
            // u1: 2 orders, ¥150.00; the timeline is newest first (Apr 29 before Apr 28) in Shanghai time.
            #expect(html.contains("<div class=\"tile-value\" data-orders>2</div>"))
            #expect(html.contains("<div class=\"tile-value\" data-revenue>¥150.00</div>"))
            let timeline = Self.tableBody(html, "data-timeline")
            let newer = try #require(timeline.range(of: "2024-04-29 18:00"))
            let older = try #require(timeline.range(of: "2024-04-28 18:00"))
            #expect(newer.lowerBound < older.lowerBound)
            #expect(timeline.components(separatedBy: "Order Completed").count - 1 == 2)
            // The repeat-buyer segment (u1 and u2) is listed; identities show the user id.
            #expect(html.contains("复购客户"))
            #expect(html.contains("<td>user_id</td>"))
            // A viewer sees no tag control.
            #expect(!html.contains("data-edit-control"))
            let english = try await browser.get(client, "/console/people/\(u1)?lang=en")
            #expect(english.text.contains("Event timeline"))
            #expect(try await browser.get(client, "/console/people/999999").status == .notFound)
        }
    }

    @Test func operatorsEditTagsViewersAndForgedPostsCannot() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let u4 = try await person(harness, "u4")
            let workspaceId = harness.workspace.id
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            var op = ConsoleBrowser()
            _ = try await op.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let page = try await op.get(client, "/console/people/\(u4)")
            #expect(page.text.contains("data-edit-control=\"add-tag\""))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))

            let added = try await op.post(client, "/console/people/\(u4)/tags", form: [("_csrf", token), ("add", "高意向")])
            #expect(added.status == .ok)
            #expect(added.text.contains("已添加标签“高意向”"))
            #expect(try await harness.store.tags(personId: u4, workspaceId: workspaceId) == ["高意向"])
            // An empty tag is explained and changes nothing.
            let empty = try await op.post(client, "/console/people/\(u4)/tags", form: [("_csrf", token), ("add", " ")])
            #expect(empty.status == .badRequest)
            #expect(try await harness.store.tags(personId: u4, workspaceId: workspaceId) == ["高意向"])
            // Without the CSRF token: refused, unchanged.
            let forged = try await op.post(client, "/console/people/\(u4)/tags", form: [("remove", "高意向")])
            #expect(forged.status == .forbidden)
            #expect(try await harness.store.tags(personId: u4, workspaceId: workspaceId) == ["高意向"])
            // A viewer with a valid token is refused too.
            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let viewerToken = try await viewer.csrfToken(client, page: "/console/people/\(u4)")
            let refused = try await viewer.post(client, "/console/people/\(u4)/tags", form: [("_csrf", viewerToken), ("remove", "高意向")])
            #expect(refused.status == .forbidden)
            #expect(try await harness.store.tags(personId: u4, workspaceId: workspaceId) == ["高意向"])
            // The tag is searchable, and the operator removes it.
            let tagged = try await op.get(client, "/console/people?tag=" + ConsoleBrowser.encode("高意向"))
            #expect(Self.tableBody(tagged.text, "data-people-table").contains(">u4</a>"))
            let removed = try await op.post(client, "/console/people/\(u4)/tags", form: [("_csrf", token), ("remove", "高意向")])
            #expect(removed.status == .ok)
            #expect(try await harness.store.tags(personId: u4, workspaceId: workspaceId) == [])
        }
    }

    /// Keys the people pages look up from Swift exist in both languages.
    @Test func stringsLookedUpFromSwiftExist() throws {
        let resources = try ConsoleResources.bundled()
        let keys = [
            "people.nav", "people.title", "people.personTitle", "people.total", "people.mergedNote", "people.search.badIdentity",
            "people.search.badTrait", "people.tags.empty", "people.tags.added", "people.tags.removed", "people.labelValues.red",
            "people.schemes.rfm8", "people.valueNames.clv", "people.valueNames.p_alive",
        ]
        for locale in ConsoleLocale.allCases {
            let strings = resources.strings(locale)
            for key in keys { #expect(strings.text(key) != key, "\(locale.rawValue): \(key)") }
        }
    }
}
