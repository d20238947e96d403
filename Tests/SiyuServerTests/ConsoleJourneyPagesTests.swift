import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTestSupport
import Testing

@testable import SiyuServer

/// The journey pages, the outbox and the staff tasks in the console (the clock is 2024-05-01T00:00Z,
/// 08:00 in the workspace's Asia/Shanghai).
@Suite struct ConsoleJourneyPagesTests {
    let shop = TrackingAPITests()

    /// A journey whose name, tag and task title need escaping: a task, a 2-day delay, a condition, a tag, the exit.
    static let careJourney = #"""
        {"name": "关怀 <b>&</b>", "definition": {
            "entry": {"event": {"event": "Order Completed"}, "key": "order_id"},
            "start": "thanks",
            "nodes": [
                {"id": "thanks", "action": {"task": {"title": "回访 \"<i>\""}}, "next": "wait"},
                {"id": "wait", "delay": {"value": 2, "unit": "day"}, "next": "vip"},
                {"id": "vip", "condition": {"orders": {"op": "gte", "value": 2}}, "yes": "tag", "no": "done"},
                {"id": "tag", "action": {"addTag": "vip<&>"}, "next": "done"},
                {"id": "done", "exit": {}}
            ],
            "goal": {"event": "Review Submitted", "withinDays": 7},
            "holdout": 0.1
        }}
        """#

    /// The SVG group of one node: from `<g data-node="id"` to its `</g>`.
    static func nodeGroup(_ svg: String, _ id: String) -> String? {
        guard let start = svg.range(of: "<g data-node=\"\(id)\"") else { return nil }
        guard let end = svg[start.upperBound...].range(of: "</g>") else { return nil }
        return String(svg[start.lowerBound..<end.upperBound])
    }

    /// Creates and publishes the care journey, then stores what people did in it (no job involved:
    /// the journey enters on events, and none are sent). Returns its id.
    ///
    /// Three people go through and one is held out. All three pass `thanks` and wait in `wait`;
    /// person 1 is woken and goes on through `vip` (yes), `tag` and out at `done`. Per node, by hand:
    /// thanks passed 3; wait waiting 3, passed 1; vip passed 1; tag passed 1; done exited 1.
    /// States now: person 1 exited, persons 2 and 3 waiting, person 4 held out (4 entered, 2 waiting).
    /// Goal: person 1 (went through) and person 4 (held out) convert: 1 of 3 against 1 of 1.
    func seedJourney(_ client: some TestClientProtocol, _ harness: ServerHarness) async throws -> Int64 {
        let store = harness.store
        let workspace = harness.workspace.id
        let created = try await shop.post(client, harness, "/api/v1/journeys", Self.careJourney)
        #expect(created.status == .created, "\(created.json)")
        let id = try #require(created.json["id"]?.int64Value)
        #expect(try await shop.post(client, harness, "/api/v1/journeys/\(id)/publish", "").status == .ok)
        let entered = try await store.enterJourney(
            workspaceId: workspace,
            journeyId: id,
            version: 1,
            start: "thanks",
            entrants: (1...4).map { JourneyEntrant(personId: Int64($0), entryKey: "o\($0)", heldOut: $0 == 4) },
            oneAtATime: false,
            // Entered "in 30 days": not due for the server's own journey job (its clock stays at serverNow), so only this test moves them.
            now: serverNow + 30 * 86_400_000
        )
        for instance in entered where !instance.state.isHeldOut {
            // Person 1's task row waits a day, so the server's own delivery job leaves it to this test.
            let outbox =
                instance.personId == 1
                ? [
                    OutboxDraft(
                        key: "t1",
                        channel: "task",
                        payload: #"{"title": "x"}"#,
                        notBefore: serverNow + 86_400_000,
                        journeyId: id,
                        personId: 1
                    )
                ]
                : []
            let waiting = JourneyAdvance(
                instanceId: instance.id,
                fromStep: instance.step,
                node: "wait",
                state: .waiting,
                dueAt: serverNow + 172_800_000,
                waitKey: nil,
                counts: [("thanks", "passed"), ("wait", "waiting")],
                outbox: outbox,
                now: serverNow
            )
            #expect(try await store.advanceJourney(waiting))
        }
        let firstEntered = try #require(entered.first { $0.personId == 1 })
        let first = try #require(try await store.journeyInstance(id: firstEntered.id))
        let onward = JourneyAdvance(
            instanceId: first.id,
            fromStep: first.step,
            node: "done",
            state: .exited,
            dueAt: nil,
            waitKey: nil,
            counts: [("wait", "passed"), ("vip", "passed"), ("tag", "passed"), ("done", "exited")],
            outbox: [],
            now: serverNow
        )
        #expect(try await store.advanceJourney(onward))
        for person in [1, 4] {
            let converted = try await store.recordJourneyGoal(
                workspaceId: workspace,
                journeyId: id,
                personId: Int64(person),
                enteredSince: 0,
                at: serverNow + 31 * 86_400_000
            )
            #expect(converted == 1)
        }
        // The task row, delivered now: one row of this journey sent today.
        let claimed = try await store.claimOutbox(now: serverNow + 86_400_000, limit: 10, leaseMillis: 30_000)
        #expect(claimed.map(\.key) == ["t1"])
        try await store.finishOutbox(id: claimed[0].id, attempt: claimed[0].attempts, result: .delivered(response: "200 ok"), now: serverNow)
        return id
    }

    @Test(arguments: TestStoreKind.available)
    func theJourneyListAndFlowShowTheSeededCounts(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let id = try await seedJourney(client, harness)
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)

            let list = try await browser.get(client, "/console/journeys")
            #expect(list.status == .ok)
            let row = ConsolePeoplePagesTests.tableBody(list.text, "data-journeys-table")
            // The name is escaped; 4 entered (3 + 1 held out), 2 waiting, 1 row sent today.
            #expect(row.contains("关怀 &lt;b&gt;&amp;&lt;/b&gt;") && !row.contains("<b>&</b>"))
            #expect(row.contains("<td class=\"num\" data-entered>4</td>") && row.contains("<td class=\"num\" data-waiting>2</td>"))
            #expect(row.contains("<td class=\"num\" data-sent-today>1</td>"))
            #expect(row.contains("运行中") && row.contains("v1"))
            // Goal: 1 of 3 = 33.3 % went through, 1 of 1 = 100.0 % held out.
            #expect(row.contains(">33.3%<") && row.contains(">100.0%<"))
            // The difference and its interval are the admin API report's, in percentage points.
            let report = try await shop.get(client, harness, "/api/v1/journeys/\(id)/report")
            let goal = try #require(report.json["goal"])
            func points(_ value: Double) -> String {
                let text = String(format: "%.1f", abs(value) * 100)
                return (value < 0 ? "−" : "+") + text + " 个百分点"
            }
            let difference = try #require(goal["difference"]?.doubleValue)
            // 1/3 − 1/1 = −0.667.
            #expect(abs(difference - (1.0 / 3 - 1)) < 1e-9)
            #expect(row.contains(points(difference)))
            #expect(row.contains(points(try #require(goal["lower"]?.doubleValue)) + " 至 " + points(try #require(goal["upper"]?.doubleValue))))
            #expect(row.contains("action=\"/console/journeys/\(id)/pause\"") && row.contains("href=\"/console/journeys/\(id)/stop\""))

            let page = try await browser.get(client, "/console/journeys/\(id)")
            #expect(page.status == .ok)
            let svgStart = try #require(page.text.range(of: "<svg"))
            let svgEnd = try #require(page.text.range(of: "</svg>"))
            let svg = String(page.text[svgStart.lowerBound..<svgEnd.upperBound])
            // One group per node, none other.
            #expect(svg.components(separatedBy: "<g data-node=").count - 1 == 5)
            let expected: [(String, [String: Int])] = [
                ("thanks", ["passed": 3]), ("wait", ["waiting": 3, "passed": 1]), ("vip", ["passed": 1]), ("tag", ["passed": 1]),
                ("done", ["exited": 1]),
            ]
            for (node, counts) in expected {
                let group = try #require(Self.nodeGroup(svg, node), "node \(node)")
                for (outcome, count) in counts { #expect(group.contains("data-\(outcome.lowercased())=\"\(count)\""), "\(node) \(outcome)") }
                #expect(group.components(separatedBy: "data-").count - 2 == counts.count, "\(node): only the outcomes seeded")
            }
            // Kinds, descriptions and counts in words; the operator's text escaped.
            let wait = try #require(Self.nodeGroup(svg, "wait"))
            #expect(wait.contains(">延时<") && wait.contains(">等待 2 天<") && wait.contains(">等待 3 · 通过 1<"))
            #expect(try #require(Self.nodeGroup(svg, "tag")).contains(">添加标签 vip&lt;&amp;&gt;<"))
            #expect(try #require(Self.nodeGroup(svg, "thanks")).contains("员工任务：回访 &quot;&lt;i&gt;&quot;"))
            #expect(try #require(Self.nodeGroup(svg, "vip")).contains("下单"))
            #expect(!svg.contains("<i>") && !svg.contains("vip<&>"))
            // Links: the condition's yes and no are labelled; the no link skips the tag's layer.
            #expect(svg.contains("data-edge=\"vip→tag\"") && svg.contains("data-edge=\"vip→done\"") && svg.contains(">是<") && svg.contains(">否<"))
            #expect(svg.components(separatedBy: "data-edge=").count - 1 == 5)
            // The goal table below: went through 3 / 1 / 33.3 %, held out 1 / 1 / 100.0 %.
            let table = ConsolePeoplePagesTests.tableBody(page.text, "data-goal-table")
            #expect(table.contains("<th scope=\"row\">参与组</th><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">33.3%</td>"))
            #expect(table.contains("<th scope=\"row\">对照组</th><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">100.0%</td>"))
            #expect(page.text.contains("目标：进入后 7 天内发生 Review Submitted。"))

            // English.
            let english = try await browser.get(client, "/console/journeys/\(id)?lang=en")
            #expect(
                english.text.contains("<html lang=\"en\">") && english.text.contains(">Wait 2 days<")
                    && english.text.contains(">waiting 3 · passed 1<")
            )
            for path in ["/console/journeys", "/console/journeys/\(id)", "/console/outbox", "/console/tasks"] {
                for lang in ["zh-CN", "en"] {
                    let text = try await browser.get(client, path + "?lang=" + lang).text
                    for prefix in ["journeys.", "outbox.", "tasks."] {
                        // A key without its string shows itself (`journeys.kinds.delay`); file names do not count.
                        let shown = text.replacingOccurrences(of: "journeys.css", with: "")
                        #expect(!shown.contains(">" + prefix) && !shown.contains(" " + prefix), "\(path) \(lang): \(prefix)")
                    }
                }
            }
        }
    }

    @Test func pauseResumeAndAStopThatAsksFirst() async throws {
        try await ServerHarness.run { client, harness in
            let id = try await seedJourney(client, harness)
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            try await ConsoleFixtures.user(harness, "view@acme.cn", .viewer)
            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "view@acme.cn", password: ConsoleFixtures.password)
            let seen = try await viewer.get(client, "/console/journeys")
            #expect(seen.status == .ok && !seen.text.contains("data-edit-control"))
            let viewerToken = try #require(ConsoleBrowser.hiddenValue("_csrf", in: seen.text))
            #expect(try await viewer.post(client, "/console/journeys/\(id)/pause", form: [("_csrf", viewerToken)]).status == .forbidden)

            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let token = try await browser.csrfToken(client, page: "/console/journeys")
            let paused = try await browser.post(client, "/console/journeys/\(id)/pause", form: [("_csrf", token)])
            #expect(paused.status == .ok && paused.text.contains("已暂停"))
            #expect(try await harness.store.journey(id: id, workspaceId: harness.workspace.id)?.status == .paused)
            let resumed = try await browser.post(client, "/console/journeys/\(id)/resume", form: [("_csrf", token), ("back", "journey")])
            #expect(resumed.status == .ok && resumed.text.contains("data-journey-flow"))
            #expect(try await harness.store.journey(id: id, workspaceId: harness.workspace.id)?.status == .active)

            // Stop: the question first (2 people inside), and nothing stops without `confirm=yes`.
            let question = try await browser.get(client, "/console/journeys/\(id)/stop")
            #expect(question.status == .ok && question.text.contains("data-stop-confirm") && question.text.contains("name=\"confirm\" value=\"yes\""))
            #expect(question.text.contains("当前在旅程中的人数： 2"))
            let unconfirmed = try await browser.post(client, "/console/journeys/\(id)/stop", form: [("_csrf", token)])
            #expect(
                unconfirmed.status == .ok && unconfirmed.text.contains("data-stop-confirm"),
                "\(unconfirmed.status) \(unconfirmed.text.prefix(3000))"
            )
            #expect(try await harness.store.journey(id: id, workspaceId: harness.workspace.id)?.status == .active)
            let stopped = try await browser.post(client, "/console/journeys/\(id)/stop", form: [("_csrf", token), ("confirm", "yes")])
            #expect(stopped.status == .ok && stopped.text.contains("已停止"))
            #expect(try await harness.store.journey(id: id, workspaceId: harness.workspace.id)?.status == .stopped)
            // Nobody waits in a stopped journey; it offers no buttons any more.
            let list = ConsolePeoplePagesTests.tableBody(try await browser.get(client, "/console/journeys").text, "data-journeys-table")
            #expect(list.contains("<td class=\"num\" data-waiting>0</td>") && !list.contains("/pause\"") && !list.contains("/stop\""))
            // A stopped journey is final: resuming it is refused on the page.
            #expect(try await browser.post(client, "/console/journeys/\(id)/resume", form: [("_csrf", token)]).status == .conflict)
            #expect(try await browser.post(client, "/console/journeys/999/pause", form: [("_csrf", token)]).status == .notFound)
            #expect(try await browser.post(client, "/console/journeys/\(id)/delete", form: [("_csrf", token)]).status == .notFound)
        }
    }

    @Test(arguments: TestStoreKind.available)
    func theOutboxShowsAFailedRowEscapedAndRetriesIt(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            let id = try await seedJourney(client, harness)
            let store = harness.store
            // A webhook row due tomorrow (out of the server job's reach), claimed and failed by hand.
            let instance = try #require(try await store.dueJourneyInstances(now: .max, limit: 10).first)
            let row = OutboxDraft(key: "w1", channel: "webhook", payload: "{}", notBefore: serverNow + 86_400_000, journeyId: id, personId: 2)
            let advance = JourneyAdvance(
                instanceId: instance.id,
                fromStep: instance.step,
                node: instance.node,
                state: .waiting,
                dueAt: serverNow + 172_800_000,
                waitKey: nil,
                counts: [],
                outbox: [row],
                now: serverNow
            )
            #expect(try await store.advanceJourney(advance))
            let claimed = try #require(try await store.claimOutbox(now: serverNow + 86_400_000, limit: 10, leaseMillis: 30_000).first)
            try await store.finishOutbox(id: claimed.id, attempt: claimed.attempts, result: .failed(error: "404 <b>not found</b>"), now: serverNow)

            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/outbox")
            #expect(page.status == .ok)
            let rows = ConsolePeoplePagesTests.tableBody(page.text, "data-outbox-table")
            // Two rows: the delivered task (t1) and the failed webhook (w1), newest first; only the failed one has a retry button.
            #expect(rows.components(separatedBy: "data-outbox-row=").count - 1 == 2)
            #expect(rows.contains("404 &lt;b&gt;not found&lt;/b&gt;") && !rows.contains("<b>not found"))
            #expect(rows.contains("200 ok") && rows.contains("员工任务") && rows.contains("Webhook"))
            #expect(rows.components(separatedBy: "/retry\"").count - 1 == 1 && rows.contains("action=\"/console/outbox/\(claimed.id)/retry\""))
            #expect(rows.contains("关怀 &lt;b&gt;&amp;&lt;/b&gt;"))
            let failedOnly = ConsolePeoplePagesTests.tableBody(
                try await browser.get(client, "/console/outbox?status=failed").text,
                "data-outbox-table"
            )
            #expect(failedOnly.components(separatedBy: "data-outbox-row=").count - 1 == 1)

            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let retried = try await browser.post(client, "/console/outbox/\(claimed.id)/retry", form: [("_csrf", token)])
            #expect(retried.status == .ok && retried.text.contains("已重新排队"))
            // Back in line: pending, or already tried again by the server's own delivery job (it fails again
            // for want of a URL, with a second attempt).
            let after = try #require(
                try await store.outboxMessages(workspaceId: harness.workspace.id, status: nil, limit: 10).first { $0.id == claimed.id }
            )
            #expect(after.status != .failed || after.attempts == 2)
            // A row that has not failed (the delivered task) is not retried: the page says so.
            let delivered = try #require(try await store.outboxMessages(workspaceId: harness.workspace.id, status: .delivered, limit: 10).first)
            let again = try await browser.post(client, "/console/outbox/\(delivered.id)/retry", form: [("_csrf", token)])
            #expect(again.status == .conflict && again.text.contains("不是本工作区的失败记录"))
        }
    }

    @Test(arguments: TestStoreKind.available)
    func staffTasksAreListedWithOverdueOnesMarkedAndConfirmed(_ kind: TestStoreKind) async throws {
        try await ServerHarness.run(store: kind) { client, harness in
            try await shop.seed(client, harness)
            let store = harness.store
            let workspace = harness.workspace.id
            let u1 = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u1"), workspaceId: workspace))
            // A delivered task row (due 10:00Z, after the clock: not overdue) and one due an hour ago (overdue).
            let row = try await StaffTaskAPITests.taskRow(harness, title: "回访 <script>x</script>", personId: u1)
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            _ = await OutboxDelivery(store: store, clock: { serverNow }, logger: logger).attempt(row, secret: nil)
            let late = try await store.recordStaffTask(
                workspaceId: workspace,
                StaffTaskDraft(key: "late", personId: 99, journeyId: nil, title: "赠品寄送", assignee: nil, dueAt: serverNow - 3_600_000),
                now: serverNow - 7_200_000
            )
            try await ConsoleFixtures.user(harness, "op@acme.cn", .operator)
            try await ConsoleFixtures.user(harness, "view@acme.cn", .viewer)
            var browser = ConsoleBrowser()
            _ = try await browser.login(client, email: "op@acme.cn", password: ConsoleFixtures.password)
            let page = try await browser.get(client, "/console/tasks")
            #expect(page.status == .ok)
            let open = ConsolePeoplePagesTests.tableBody(page.text, "data-open-tasks")
            // Earliest due first: the late one (overdue, marked once), then the journey's.
            #expect(open.components(separatedBy: "data-task=").count - 1 == 2)
            let lateAt = try #require(open.range(of: "data-task=\"\(late.id)\""))
            let rowAt = try #require(open.range(of: "回访 &lt;script&gt;x&lt;/script&gt;"))
            #expect(lateAt.lowerBound < rowAt.lowerBound)
            #expect(open.components(separatedBy: "data-overdue").count - 1 == 1 && open.contains("<tr data-task=\"\(late.id)\" class=\"overdue\">"))
            #expect(!open.contains("<script>"))
            // The person links to their page, by name when known (u1 is "u1" by user id); the journey to its page.
            #expect(open.contains("<a href=\"/console/people/\(u1)\">u1</a>") && open.contains("<a href=\"/console/people/99\">#99</a>"))
            #expect(open.contains(">下单关怀</a>") && open.contains("客服组"))
            // Due 2024-05-01T10:00Z = 18:00 in Shanghai.
            #expect(open.contains("2024-05-01 18:00"))

            let token = try #require(ConsoleBrowser.hiddenValue("_csrf", in: page.text))
            let task = try #require(try await store.staffTasks(workspaceId: workspace, status: .open, limit: 10).first { $0.key == row.key })
            let done = try await browser.post(
                client,
                "/console/tasks/\(task.id)/confirm",
                form: [("_csrf", token), ("note", "已电话回访 <ok>"), ("status", "done")]
            )
            #expect(done.status == .ok && done.text.contains("已完成"))
            let stored = try #require(try await store.staffTask(id: task.id, workspaceId: workspace))
            #expect(stored.status == .done && stored.confirmedBy == "op@acme.cn" && stored.note == "已电话回访 <ok>" && stored.confirmedAt == serverNow)
            let closed = ConsolePeoplePagesTests.tableBody(done.text, "data-closed-tasks")
            #expect(closed.contains("已电话回访 &lt;ok&gt;") && closed.contains("op@acme.cn"))
            #expect(ConsolePeoplePagesTests.tableBody(done.text, "data-open-tasks").components(separatedBy: "data-task=").count - 1 == 1)
            // Twice: refused; a status that is not a confirmation: a 400; a note past 1,000 characters: refused.
            #expect(
                try await browser.post(client, "/console/tasks/\(task.id)/confirm", form: [("_csrf", token), ("status", "dismissed")]).status
                    == .conflict
            )
            #expect(
                try await browser.post(client, "/console/tasks/\(late.id)/confirm", form: [("_csrf", token), ("status", "open")]).status
                    == .badRequest
            )
            let long = String(repeating: "长", count: 1001)
            #expect(
                try await browser.post(client, "/console/tasks/\(late.id)/confirm", form: [("_csrf", token), ("status", "done"), ("note", long)])
                    .status
                    == .badRequest
            )
            #expect(
                try await browser.post(client, "/console/tasks/999999/confirm", form: [("_csrf", token), ("status", "done")]).status == .notFound
            )
            // A viewer reads the list but cannot confirm.
            var viewer = ConsoleBrowser()
            _ = try await viewer.login(client, email: "view@acme.cn", password: ConsoleFixtures.password)
            let seen = try await viewer.get(client, "/console/tasks")
            #expect(seen.text.contains("赠品寄送") && !seen.text.contains("data-task-confirm"))
            let viewerToken = try #require(ConsoleBrowser.hiddenValue("_csrf", in: seen.text))
            #expect(
                try await viewer.post(client, "/console/tasks/\(late.id)/confirm", form: [("_csrf", viewerToken), ("status", "done")]).status
                    == .forbidden
            )
            #expect(try await store.staffTask(id: late.id, workspaceId: workspace)?.status == .open)
        }
    }
}

extension JourneyInstanceState {
    fileprivate var isHeldOut: Bool { self == .heldOut }
}
