import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// The segment pages and the rule builder on the five-person shop of ``TrackingAPITests/seed``
/// (orders: u1 ×2, u2 ×2, u3 ×1; u4 only viewed; u5 only identified; the clock is 2024-05-01T00:00Z).
@Suite struct ConsoleSegmentPagesTests {
    let shop = TrackingAPITests()

    /// The builder's fields for one condition row in group 1.
    static func builder(
        name: String,
        type: String,
        key: String = "",
        op: String = "",
        value: String = "",
        days: String = "",
        extra: [(String, String)] = []
    ) -> [(String, String)] {
        [
            ("name", name), ("description", ""), ("kind", "dynamic"), ("refresh", "60"), ("match", "all"), ("g1.match", "all"),
            ("g1.c1.type", type), ("g1.c1.key", key), ("g1.c1.op", op), ("g1.c1.value", value), ("g1.c1.days", days),
            ("g1.c2.type", ""), ("g2.match", "all"), ("g2.c1.type", ""),
        ] + extra
    }

    @Test func anOperatorBuildsASegmentWithoutJSONAndSeesItsMembers() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let workspaceId = harness.workspace.id
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let form = try await browser.get(client, "/console/segments/new")
            #expect(form.status == .ok)
            #expect(form.text.contains("data-segment-builder"))
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: form.text))

            // The live count: ordered at least once in the last 30 days = u1, u2, u3.
            var live = browser
            let preview = try await live.post(
                client,
                "/console/segments/preview",
                form: Self.builder(name: "", type: "event", key: "Order Completed", op: "gte", value: "1", days: "30"),
                headers: [.xCSRFToken: token]
            )
            #expect(preview.status == .ok)
            #expect(preview.json["count"] == 3)
            #expect(preview.json["text"] == "≈ 3 人")
            // An unfinished row: the live count says what is missing.
            let unfinished = try await live.post(
                client,
                "/console/segments/preview",
                form: Self.builder(name: "", type: "event", op: "gte", value: "1"),
                headers: [.xCSRFToken: token]
            )
            #expect(unfinished.json["error"] == "条件 1.1：请填写事件名。")
            // Without JavaScript, the Preview button shows the same count and saves nothing.
            let noScript = try await browser.post(
                client,
                "/console/segments",
                form: [("_csrf", token), ("intent", "preview")]
                    + Self.builder(name: "买过的人", type: "event", key: "Order Completed", op: "gte", value: "1", days: "30")
            )
            #expect(noScript.status == .ok)
            #expect(noScript.text.contains("≈ 3 人"))
            #expect(try await harness.store.segments(workspaceId: workspaceId).isEmpty)

            // Saving: repeat buyers (2+ orders) = u1 and u2; the stored rule is the README's JSON.
            let saved = try await browser.post(
                client,
                "/console/segments",
                form: [("_csrf", token), ("intent", "save")] + Self.builder(name: "复购客户", type: "orders", op: "gte", value: "2")
            )
            #expect(saved.status == .seeOther)
            let segment = try #require(try await harness.store.segments(workspaceId: workspaceId).first)
            #expect(segment.size == 2)
            #expect(segment.refreshMinutes == 60)
            #expect(try JSONParser.parse(segment.rule ?? "") == ["all": [["orders": ["op": "gte", "value": 2]]]])
            #expect(saved.headers[.location] == "/console/segments/\(segment.id)")

            let page = try await browser.get(client, "/console/segments/\(segment.id)")
            #expect(page.status == .ok)
            #expect(page.text.contains("data-segment-size>2</div>"))
            #expect(page.text.contains("下单至少 2 次"))
            #expect(page.text.contains("<svg"))
            let members = ConsolePeoplePagesTests.tableBody(page.text, "data-members-table")
            #expect(members.contains(">u1</a>") && members.contains(">u2</a>") && !members.contains(">u3</a>"))
            let csv = try await browser.get(client, "/console/segments/\(segment.id)/export?format=csv")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3)
            #expect(csv.text.contains(",u1,") && csv.text.contains(",u2,") && !csv.text.contains(",u3,"))

            // Editing: one order is enough → u1, u2, u3; the form comes back filled from the saved rule.
            let edit = try await browser.get(client, "/console/segments/\(segment.id)/edit")
            #expect(edit.text.contains("<option value=\"orders\" selected>"))
            let edited = try await browser.post(
                client,
                "/console/segments/\(segment.id)/edit",
                form: [("_csrf", token), ("intent", "save")] + Self.builder(name: "买过的客户", type: "orders", op: "gte", value: "1")
            )
            #expect(edited.status == .seeOther)
            #expect(try await harness.store.segment(id: segment.id, workspaceId: workspaceId)?.size == 3)
            let list = try await browser.get(client, "/console/segments")
            #expect(list.text.contains("买过的客户"))
            #expect(list.text.contains("<td class=\"chart\"><svg"))

            // Refresh now keeps the history: sizes 2, 3, 3.
            let refreshed = try await browser.post(client, "/console/segments/\(segment.id)/refresh", form: [("_csrf", token)])
            #expect(refreshed.status == .ok)
            #expect(refreshed.text.contains("当前有 3 人符合条件"))
            let sizes = try await harness.store.segmentSizes(id: segment.id, workspaceId: workspaceId, since: 0).map(\.size)
            #expect(sizes == [2, 3, 3])
        }
    }

    @Test func mistakesAreExplainedAndSaveNothing() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let workspaceId = harness.workspace.id
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let token = try await browser.csrfToken(client, page: "/console/segments/new")
            func save(_ fields: [(String, String)]) async throws -> TestResponse {
                try await browser.post(client, "/console/segments", form: [("_csrf", token), ("intent", "save")] + fields)
            }
            let noName = try await save(Self.builder(name: " ", type: "orders", op: "gte", value: "2"))
            #expect(noName.status == .badRequest)
            #expect(noName.text.contains("请为分群命名"))
            let noEvent = try await save(Self.builder(name: "A", type: "event", op: "gte", value: "1"))
            #expect(noEvent.status == .badRequest)
            #expect(noEvent.text.contains("条件 1.1：请填写事件名。"))
            let notANumber = try await save(Self.builder(name: "A", type: "orders", op: "gte", value: "two"))
            #expect(notANumber.text.contains("订单数必须是数字"))
            let noRows = try await save(Self.builder(name: "A", type: ""))
            #expect(noRows.text.contains("请至少添加一个条件"))
            // The form keeps what was typed.
            #expect(noEvent.text.contains("value=\"A\""))
            #expect(try await harness.store.segments(workspaceId: workspaceId).isEmpty)
            // A duplicate name is refused before anything is written.
            #expect(try await save(Self.builder(name: "A", type: "tag", value: "vip")).status == .seeOther)
            let duplicate = try await save(Self.builder(name: "A", type: "orders", op: "gte", value: "1"))
            #expect(duplicate.status == .badRequest)
            #expect(try await harness.store.segments(workspaceId: workspaceId).count == 1)
            // A static segment from a CSV of user ids: u3 and u4 match, "nobody" does not.
            let csv = try await save([
                ("name", "名单"), ("kind", "static"), ("source", "csv"), ("csv", "userId,note\nu3,x\nu4,y\nnobody,z\n"), ("g1.c1.type", ""),
            ])
            #expect(csv.status == .seeOther)
            let list = try #require(try await harness.store.segments(workspaceId: workspaceId).first { $0.name == "名单" })
            #expect(list.kind == .static && list.size == 2)
            // A CSV without an id column is explained.
            let badCSV = try await save([("name", "名单2"), ("kind", "static"), ("source", "csv"), ("csv", "phone\n138\n")])
            #expect(badCSV.status == .badRequest)
            #expect(badCSV.text.contains("CSV 需要 personId 或 userId 列"))
        }
    }

    @Test func viewersSeeNoEditControlsAndForgedPostsAreRefused() async throws {
        try await ServerHarness.run { client, harness in
            try await shop.seed(client, harness)
            let created = try await shop.post(client, harness, "/api/v1/segments", #"{"name": "复购", "rule": {"orders": {"op": "gte", "value": 2}}}"#)
            let id = try #require(created.json["id"]?.int64Value)
            try await ConsoleFixtures.user(harness, "look@acme.cn", .viewer)
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var viewer = ConsoleBrowser(headers: [.acceptLanguage: "en"])
            _ = try await viewer.login(client, email: "look@acme.cn", password: ConsoleFixtures.password)
            let list = try await viewer.get(client, "/console/segments")
            #expect(list.status == .ok)
            #expect(list.text.contains("<h1>Segments</h1>"))
            #expect(!list.text.contains("data-edit-control"))
            let page = try await viewer.get(client, "/console/segments/\(id)")
            #expect(page.status == .ok)
            #expect(!page.text.contains("data-edit-control"))
            #expect(page.text.contains("placed at least 2 orders"))
            #expect(try await viewer.get(client, "/console/segments/new").status == .forbidden)
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let refused = try await viewer.post(client, "/console/segments/\(id)/refresh", form: [("_csrf", token)])
            #expect(refused.status == .forbidden)
            let refusedSave = try await viewer.post(
                client,
                "/console/segments",
                form: [("_csrf", token), ("intent", "save")] + Self.builder(name: "X", type: "tag", value: "vip")
            )
            #expect(refusedSave.status == .forbidden)

            var op = ConsoleBrowser()
            _ = try await op.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let forged = try await op.post(
                client,
                "/console/segments",
                form: [("intent", "save")] + Self.builder(name: "X", type: "tag", value: "vip")
            )
            #expect(forged.status == .forbidden)
            let forgedPreview = try await op.post(client, "/console/segments/preview", form: Self.builder(name: "", type: "tag", value: "vip"))
            #expect(forgedPreview.status == .forbidden)
            #expect(try await harness.store.segments(workspaceId: harness.workspace.id).count == 1)
        }
    }

    /// Every README rule form the builder shows comes back from its rows unchanged.
    @Test func theBuilderProducesTheREADMERules() throws {
        let rules = [
            #"{"all": [{"trait": "city", "op": "eq", "value": "上海"}, {"tag": "vip"}, {"identity": "phone"}]}"#,
            #"{"any": [{"firstChannel": {"op": "in", "value": ["douyin", "xiaohongshu"]}}, {"lastChannel": {"op": "notIn", "value": ["app"]}}]}"#,
            #"{"all": [{"event": "Order Completed", "count": {"op": "gte", "value": 2}, "withinDays": 30}, {"orders": {"op": "gte", "value": 2}}]}"#,
            #"{"all": [{"revenue": {"op": "gt", "value": "500"}}, {"lastSeenDaysAgo": {"op": "gt", "value": 14}}]}"#,
            #"{"any": [{"label": "rfm8", "value": "importantWinBack"}, {"label": "tier.colours", "value": "red"}]}"#,
            #"{"all": [{"attribute": "p_alive", "op": "lt", "value": 0.3}, {"attribute": "clv", "op": "gt", "value": 300}]}"#,
            #"{"any": [{"all": [{"tag": "vip"}, {"orders": {"op": "gte", "value": 2}}]}, {"any": [{"tag": "kol"}, {"identity": "unionid"}]}]}"#,
        ]
        for text in rules {
            let rule = try JSONParser.parse(text)
            let form = try #require(SegmentRuleForm(rule: rule), "\(text)")
            #expect(try form.rule() == rule, "\(text)")
        }
        // `not` is not offered by the builder: such rules stay API-only.
        #expect(SegmentRuleForm(rule: try JSONParser.parse(#"{"not": {"tag": "vip"}}"#)) == nil)
    }

    @Test func stringsLookedUpFromSwiftExist() throws {
        let resources = try ConsoleResources.bundled()
        var keys = [
            "segments.nav", "segments.title", "segments.segmentTitle", "segments.newTitle", "segments.editTitle", "segments.sizeOverTime",
            "segments.noHistory", "segments.size", "segments.everyMinutes", "segments.onDemand", "segments.frozen", "segments.refreshed",
            "segments.uploaded", "segments.previewCount", "segments.words.and", "segments.words.or", "segments.words.anyGroup",
            "segments.words.allGroups", "segments.words.within", "segments.kinds.dynamic", "segments.kinds.static",
        ]
        keys += [
            "staticRefresh", "dynamicUpload", "noConditions", "missing", "number", "op", "type", "rule", "name", "description", "duplicate",
            "csvUnreadable", "csvEmpty", "csvColumn",
        ].map { "segments.errors." + $0 }
        keys += SegmentRuleForm.types.flatMap { ["segments.types." + $0, "segments.words." + $0] }
        keys += SegmentsPresenter.ops.flatMap { ["segments.ops." + $0, "segments.opWords." + $0] }
        keys += ["event", "trait", "value", "tag", "identity", "channel", "orders", "amount", "days", "class", "scheme", "tier", "band", "attribute"]
            .map { "segments.what." + $0 }
        keys += SegmentsPresenter.churnBands.map { "people.labelValues." + $0 }
        keys += SegmentsPresenter.tierSchemes.map { "people.schemes." + $0 } + SegmentsPresenter.attributes.map { "people.valueNames." + $0 }
        keys += ChannelKind.allCases.map { "settings.channels.kinds." + $0.rawValue }
        keys += SettingsPage.kpiLists.map { "settings.kpi.lists." + $0 }
        keys += ["settings.nav", "settings.title", "settings.secret.title", "settings.secret.writeKey", "settings.secret.adminToken"]
        for locale in ConsoleLocale.allCases {
            let strings = resources.strings(locale)
            for key in keys { #expect(strings.text(key) != key, "\(locale.rawValue): \(key)") }
        }
    }
}
