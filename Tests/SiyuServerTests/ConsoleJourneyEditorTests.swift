import Foundation
import Hummingbird
import HummingbirdTesting
import SiyuAPI
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// The journey editor: a journey made without JSON is stored exactly as the admin API stores the
/// same definition sent as JSON; rows are added, moved and removed by the form's buttons.
@Suite struct ConsoleJourneyEditorTests {
    let shop = TrackingAPITests()

    /// The welcome journey as the API's JSON (what the editor's fields below must produce).
    static let welcomeJSON = #"""
        {"entry": {"event": {"event": "Sign Up"}}, "start": "welcome", "nodes": [
            {"id": "welcome", "action": {"task": {"title": "欢迎电话", "assignee": "客服组", "dueMinutes": 60}}, "next": "wait"},
            {"id": "wait", "delay": {"value": 2, "unit": "day"}, "next": "vip"},
            {"id": "vip", "condition": {"all": [{"orders": {"op": "gte", "value": 1}}]}, "yes": "tag", "no": "done"},
            {"id": "tag", "action": {"addTag": "新客"}, "next": "done"},
            {"id": "done", "exit": {}}
        ], "goal": {"event": {"event": "Order Completed"}, "withinDays": 14}, "holdout": 0.1}
        """#

    /// The same journey as the editor's fields.
    static func welcomeFields(name: String, intent: String, next: String = "vip") -> [(String, String)] {
        [
            ("name", name), ("entryKind", "event"), ("entryEvent", "Sign Up"), ("entryKey", ""), ("goalEvent", "Order Completed"),
            ("goalDays", "14"), ("holdout", "10"),
            ("n1.id", "welcome"), ("n1.kind", "task"), ("n1.text", "欢迎电话"), ("n1.assignee", "客服组"), ("n1.dueMinutes", "60"), ("n1.next", "wait"),
            ("n2.id", "wait"), ("n2.kind", "delay"), ("n2.amount", "2"), ("n2.unit", "day"), ("n2.next", next),
            ("n3.id", "vip"), ("n3.kind", "condition"), ("n3.type", "orders"), ("n3.op", "gte"), ("n3.value", "1"), ("n3.yes", "tag"),
            ("n3.no", "done"),
            ("n4.id", "tag"), ("n4.kind", "addTag"), ("n4.text", "新客"), ("n4.next", "done"),
            ("n5.id", "done"), ("n5.kind", "exit"),
            ("intent", intent),
        ]
    }

    /// The ids of the editor's rows, in order.
    static func rowIds(_ html: String) -> [String] {
        html.components(separatedBy: "data-editor-row=").dropFirst().compactMap { part in
            guard let id = part.range(of: ".id\" value=\"") else { return nil }
            return String(part[id.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test(arguments: TestStoreKind.available)
    func aJourneyBuiltInTheEditorIsStoredAsTheAPIStoresItsJSON(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let workspace = harness.workspace.id
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let blank = try await browser.get(client, "/console/journeys/new")
            #expect(blank.status == .ok && blank.text.contains("data-journey-editor"))
            #expect(Self.rowIds(blank.text) == ["start", "done"])
            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: blank.text))

            let saved = try await browser.post(
                client,
                "/console/journeys/new",
                form: [("_csrf", token)] + Self.welcomeFields(name: "新客欢迎", intent: "save")
            )
            #expect(saved.status == .seeOther, "\(saved.text.prefix(2000))")
            let record = try #require(try await harness.store.journeys(workspaceId: workspace).first { $0.name == "新客欢迎" })
            #expect(saved.headers[.location] == "/console/journeys/\(record.id)/edit?saved=1")
            #expect(record.status == .draft)
            // The API, sent the same definition as JSON, stores the same text.
            let api = try await shop.post(client, harness, "/api/v1/journeys", #"{"name": "by API", "definition": \#(Self.welcomeJSON)}"#)
            #expect(api.status == .created, "\(api.json)")
            let apiId = try #require(api.json["id"]?.int64Value)
            let byAPI = try #require(try await harness.store.journey(id: apiId, workspaceId: workspace))
            #expect(record.draft == byAPI.draft)

            // Editing: the form comes back filled from the draft, with no problems.
            let edit = try await browser.get(client, "/console/journeys/\(record.id)/edit?saved=1")
            #expect(edit.status == .ok && edit.text.contains("「新客欢迎」的草稿已保存。") && !edit.text.contains("data-editor-problems"))
            #expect(Self.rowIds(edit.text) == ["welcome", "wait", "vip", "tag", "done"])
            #expect(edit.text.contains("<option value=\"orders\" selected>") && edit.text.contains("name=\"holdout\" value=\"10\""))

            // Publishing an unfinished draft (a link to a node that does not exist) saves it and refuses to publish.
            let unfinished = try await browser.post(
                client,
                "/console/journeys/\(record.id)/edit",
                form: [("_csrf", token)] + Self.welcomeFields(name: "新客欢迎", intent: "publish", next: "nowhere")
            )
            #expect(unfinished.status == .badRequest && unfinished.text.contains("data-editor-problems") && unfinished.text.contains("#2 wait"))
            let draft = try #require(try await harness.store.journey(id: record.id, workspaceId: workspace))
            #expect(draft.status == .draft && draft.draft.contains("nowhere"))
            // A value the contract refuses is not saved at all: a 201-character task title.
            var long = Self.welcomeFields(name: "新客欢迎", intent: "save")
            long[long.firstIndex { $0.0 == "n1.text" }!] = ("n1.text", String(repeating: "长", count: 201))
            let refused = try await browser.post(client, "/console/journeys/\(record.id)/edit", form: [("_csrf", token)] + long)
            #expect(refused.status == .badRequest && refused.text.contains("未保存"))
            #expect(try await harness.store.journey(id: record.id, workspaceId: workspace)?.draft == draft.draft)
            // A number field that is not a number says which.
            var words = Self.welcomeFields(name: "新客欢迎", intent: "save")
            words[words.firstIndex { $0.0 == "n2.amount" }!] = ("n2.amount", "two")
            let notNumber = try await browser.post(client, "/console/journeys/\(record.id)/edit", form: [("_csrf", token)] + words)
            #expect(notNumber.status == .badRequest && notNumber.text.contains("节点 2：amount 必须是整数。"))

            // Published: version 1, active, its page draws five nodes.
            let published = try await browser.post(
                client,
                "/console/journeys/\(record.id)/edit",
                form: [("_csrf", token)] + Self.welcomeFields(name: "新客欢迎", intent: "publish")
            )
            #expect(published.status == .seeOther && published.headers[.location] == "/console/journeys/\(record.id)")
            let live = try #require(try await harness.store.journey(id: record.id, workspaceId: workspace))
            #expect(live.status == .active && live.version == 1 && live.draft == byAPI.draft)
            let page = try await browser.get(client, "/console/journeys/\(record.id)")
            #expect(page.text.components(separatedBy: "<g data-node=").count - 1 == 5)
        }
    }

    @Test func rowsAreAddedMovedAndRemovedByTheFormsButtons() async throws {
        try await ServerHarness.run { client, harness in
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            try await ConsoleFixtures.user(harness, "view@acme.cn", .viewer)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let token = try await browser.csrfToken(client, page: "/console/journeys/new")
            var fields = Self.welcomeFields(name: "x", intent: "add") + [("addKind", "webhook")]
            let added = try await browser.post(client, "/console/journeys/new", form: [("_csrf", token)] + fields)
            #expect(added.status == .ok)
            // The new row gets the first free id, step6, and the webhook's URL field.
            #expect(Self.rowIds(added.text) == ["welcome", "wait", "vip", "tag", "done", "step6"])
            #expect(added.text.contains("name=\"n6.text\""))
            fields.removeAll { $0.0 == "intent" }
            let moved = try await browser.post(client, "/console/journeys/new", form: [("_csrf", token)] + fields + [("intent", "up-3")])
            #expect(Self.rowIds(moved.text) == ["welcome", "vip", "wait", "tag", "done"])
            let down = try await browser.post(client, "/console/journeys/new", form: [("_csrf", token)] + fields + [("intent", "down-5")])
            #expect(Self.rowIds(down.text) == ["welcome", "wait", "vip", "tag", "done"])
            let removed = try await browser.post(client, "/console/journeys/new", form: [("_csrf", token)] + fields + [("intent", "remove-4")])
            #expect(Self.rowIds(removed.text) == ["welcome", "wait", "vip", "done"])
            // Nothing was saved by these buttons; an unknown button is a 400.
            #expect(try await harness.store.journeys(workspaceId: harness.workspace.id).isEmpty)
            #expect(
                try await browser.post(client, "/console/journeys/new", form: [("_csrf", token)] + fields + [("intent", "drop")]).status
                    == .badRequest
            )

            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "view@acme.cn", password: ConsoleFixtures.password)
            #expect(try await viewer.get(client, "/console/journeys/new").status == .forbidden)
        }
    }

    /// Every demo journey reads into the editor's form and back into the same definition (nothing the
    /// editor cannot show is lost: such nodes are kept as they are).
    @Test func theDemoJourneysRoundTripThroughTheForm() throws {
        for (name, json) in DemoSetup.journeys(.init(thanks: 1, vipAlert: 2, winBack: 3, birthday: 4)) {
            let form = JourneyEditorForm(name: name, definition: json)
            #expect(!form.nodes.isEmpty)
            let back = try form.definition()
            var original = try JSONParser.parse(json)
            // The editor writes a lone condition as the builder does, wrapped in `all`, and a goal's event
            // named by a string as the matcher object it stands for (both read the same).
            if case .object(var object) = original, case .array(let nodes)? = object["nodes"] {
                if let event = object["goal"]?["event"]?.stringValue, case .object(var goal)? = object["goal"] {
                    goal["event"] = ["event": .string(event)]
                    object["goal"] = .object(goal)
                }
                object["nodes"] = .array(
                    nodes.map { node in
                        guard case .object(var n) = node, let rule = n["condition"], rule["all"] == nil, rule["any"] == nil else { return node }
                        n["condition"] = ["all": [rule]]
                        return .object(n)
                    }
                )
                original = .object(object)
            }
            #expect(Self.canonical(back) == Self.canonical(original), "\(name)")
        }
    }

    /// JSON with its object keys sorted, to compare definitions whatever their key order.
    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var sorted: JSONObject = [:]
            for key in object.keys.sorted() { sorted[key] = canonical(object[key]!) }
            return .object(sorted)
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }
}
