import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

/// The settings page: the workspace's time zone (admins), the KPI mapping (analysts), channels and keys (admins).
@Suite struct ConsoleSettingsPagesTests {
    @Test func anOwnerCreatesAWriteKeyThatIsShownOnce() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/settings")
            #expect(page.status == .ok)
            #expect(page.text.contains("<dd>Asia/Shanghai</dd>") && page.text.contains("<dd>CNY</dd>"))
            #expect(page.text.contains("抖音 Douyin"))
            #expect(page.text.contains("href=\"/console/team\""))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let before = try await harness.store.writeKeys(workspaceId: harness.workspace.id)
            // Existing keys are never printed whole.
            for key in before { #expect(!page.text.contains(key)) }

            let created = try await browser.post(client, "/console/settings/keys", form: [("_csrf", token)])
            #expect(created.status == .created)
            let after = try await harness.store.writeKeys(workspaceId: harness.workspace.id)
            let new = try #require(Set(after).subtracting(before).first)
            #expect(created.text.contains("value=\"\(new)\""))
            #expect(created.text.contains("密钥只显示这一次"))
            let again = try await browser.get(client, "/console/settings")
            #expect(!again.text.contains(new))
            #expect(again.text.contains(String(new.prefix(7)) + "…"))

            let admin = try await browser.post(client, "/console/settings/tokens", form: [("_csrf", token), ("name", "erp-sync")])
            #expect(admin.status == .created)
            let tokenValue = try #require(admin.text.components(separatedBy: "readonly value=\"").dropFirst().first?.prefix { $0 != "\"" })
            #expect(tokenValue.hasPrefix("sy_"))
            #expect(try await harness.store.workspace(adminToken: String(tokenValue))?.id == harness.workspace.id)
            let unnamed = try await browser.post(client, "/console/settings/tokens", form: [("_csrf", token), ("name", "")])
            #expect(unnamed.status == .badRequest)
        }
    }

    @Test func analystsEditTheKPIMappingAndBadInputChangesNothing() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "ana@acme.cn", .analyst)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "ana@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/settings")
            #expect(page.text.contains("data-edit-control=\"kpi-mapping\""))
            // An analyst may not manage channels or keys.
            #expect(!page.text.contains("data-edit-control=\"channel-form\""))
            #expect(!page.text.contains("data-edit-control=\"keys\""))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let fields: [(String, String)] = [
                ("_csrf", token), ("exposures", "Product Viewed"), ("clicks", "Product Clicked"), ("interactions", "Group Joined, Product Shared"),
                ("conversions", "Order Completed\nPaid"), ("keyActions", "Paid"), ("pageAndScreen", "on"), ("intent", "save"),
            ]
            let saved = try await browser.post(client, "/console/settings/kpi", form: fields)
            #expect(saved.status == .ok)
            #expect(saved.text.contains("The KPI mapping is saved"))
            let mapping = try await harness.store.settings(workspaceId: harness.workspace.id)["kpiMapping"]
            #expect(mapping?["conversions"] == ["Order Completed", "Paid"])
            #expect(mapping?["interactions"] == ["Group Joined", "Product Shared"])
            // No conversion event: explained, the saved mapping stays.
            let bad = try await browser.post(client, "/console/settings/kpi", form: fields.map { $0.0 == "conversions" ? ($0.0, " ") : $0 })
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("List at least one conversion event"))
            #expect(try await harness.store.settings(workspaceId: harness.workspace.id)["kpiMapping"] == mapping)
            // An analyst cannot add a channel even with a valid token.
            let channel = try await browser.post(
                client,
                "/console/settings/channels",
                form: [("_csrf", token), ("key", "kol:lily"), ("name", "Lily"), ("kind", "partner")]
            )
            #expect(channel.status == .forbidden)
        }
    }

    @Test func adminsAddChannelsViewersOnlyRead() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "admin@acme.cn", .admin)
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            var admin = ConsoleBrowser()
            _ = try await admin.login(client, email: "admin@acme.cn", password: ConsoleFixtures.password)
            let token = try await admin.csrfToken(client, page: "/console/settings")
            let added = try await admin.post(
                client,
                "/console/settings/channels",
                form: [("_csrf", token), ("key", "kol:lily"), ("name", "KOL 莉莉"), ("kind", "partner"), ("cost", "5000")]
            )
            #expect(added.status == .ok)
            let lily = try #require(try await harness.store.channels(workspaceId: harness.workspace.id).first { $0.key == "kol:lily" })
            #expect(lily.monthlyCostMinor == 500_000 && lily.kind == .partner)
            #expect(added.text.contains("¥5,000.00"))
            let count = try await harness.store.channels(workspaceId: harness.workspace.id).count
            let bad = try await admin.post(
                client,
                "/console/settings/channels",
                form: [("_csrf", token), ("key", "Bad Key"), ("name", "x"), ("kind", "paid")]
            )
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("渠道标识只能包含"))
            let badCost = try await admin.post(
                client,
                "/console/settings/channels",
                form: [("_csrf", token), ("key", "ads"), ("name", "投放"), ("kind", "paid"), ("cost", "lots")]
            )
            #expect(badCost.status == .badRequest)
            #expect(try await harness.store.channels(workspaceId: harness.workspace.id).count == count)
            let forged = try await admin.post(client, "/console/settings/keys", form: [])
            #expect(forged.status == .forbidden)

            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let page = try await viewer.get(client, "/console/settings")
            #expect(page.status == .ok)
            #expect(!page.text.contains("data-edit-control"))
            #expect(page.text.contains("KOL 莉莉"))
            let viewerToken = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            #expect(try await viewer.post(client, "/console/settings/keys", form: [("_csrf", viewerToken)]).status == .forbidden)
            #expect(
                try await viewer.post(client, "/console/settings/kpi", form: [("_csrf", viewerToken), ("conversions", "x")]).status == .forbidden
            )
        }
    }

    @Test func anOwnerMovesTheWorkspaceToAnotherTimeZone() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "boss@acme.cn", .owner)
            var browser = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await browser.login(client, email: "boss@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/settings")
            #expect(page.text.contains("data-edit-control=\"workspace\""))
            #expect(page.text.contains("<option value=\"Asia/Shanghai\" selected>"))
            #expect(page.text.contains("stored orders and channel costs are amounts in the workspace currency"))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))

            let moved = try await browser.post(client, "/console/settings/workspace", form: [("_csrf", token), ("timeZone", "Asia/Tokyo")])
            #expect(moved.status == .ok)
            #expect(moved.text.contains("The time zone is now Asia/Tokyo"))
            #expect(moved.text.contains("<dd>Asia/Tokyo</dd>"))
            #expect(try await harness.store.workspace(id: harness.workspace.id)?.timeZone == "Asia/Tokyo")
            // A later request reads the workspace afresh.
            let again = try await browser.get(client, "/console/settings")
            #expect(again.text.contains("<dd>Asia/Tokyo</dd>") && again.text.contains("<option value=\"Asia/Tokyo\" selected>"))

            // A zone the calendar does not know is explained and changes nothing.
            let bad = try await browser.post(client, "/console/settings/workspace", form: [("_csrf", token), ("timeZone", "Mars/Olympus")])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("“Mars/Olympus” is not a time zone Siyu knows"))
            #expect(try await harness.store.workspace(id: harness.workspace.id)?.timeZone == "Asia/Tokyo")

            // Without the CSRF token the change is refused.
            let forged = try await browser.post(client, "/console/settings/workspace", form: [("timeZone", "UTC")])
            #expect(forged.status == .forbidden)
            #expect(try await harness.store.workspace(id: harness.workspace.id)?.timeZone == "Asia/Tokyo")
        }
    }

    @Test func aZoneOutsideTheListStaysSelectable() async throws {
        try await ServerHarness.run { client, harness in
            try await harness.store.updateWorkspaceTimeZone(id: harness.workspace.id, timeZone: "Africa/Nairobi")
            try await ConsoleFixtures.user(harness, "admin@acme.cn", .admin)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "admin@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/settings")
            #expect(page.text.contains("<option value=\"Africa/Nairobi\" selected>"))
            #expect(page.text.contains("<option value=\"Asia/Shanghai\">"))
        }
    }

    @Test func viewersAndOperatorsCannotChangeTheTimeZone() async throws {
        try await ServerHarness.run { client, harness in
            for (email, role) in [("look@acme.cn", ConsoleRole.viewer), ("ops@acme.cn", .operator)] {
                try await ConsoleFixtures.user(harness, email, role)
                var browser = ConsoleBrowser()
                _ = try await browser.login(client, email: email, password: ConsoleFixtures.password)
                let page = try await browser.get(client, "/console/settings")
                #expect(page.status == .ok)
                #expect(!page.text.contains("action=\"/console/settings/workspace\""))
                #expect(page.text.contains("<dd>Asia/Shanghai</dd>"))
                let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
                let refused = try await browser.post(client, "/console/settings/workspace", form: [("_csrf", token), ("timeZone", "Asia/Tokyo")])
                #expect(refused.status == .forbidden)
            }
            #expect(try await harness.store.workspace(id: harness.workspace.id)?.timeZone == "Asia/Shanghai")
        }
    }
}
