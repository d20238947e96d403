import SiyuCore
import Testing

@testable import SiyuStore

/// Staff tasks, the same on both stores: one per outbox key, listed open-first, confirmed once, erased with their person.
@Suite struct StaffTaskRepositoryTests {
    static func draft(_ key: String, person: Int64? = 1, title: String = "回访", due: Int64? = nil) -> StaffTaskDraft {
        StaffTaskDraft(key: key, personId: person, journeyId: 7, title: title, assignee: "小李", dueAt: due)
    }

    @Test(arguments: StoreKind.available)
    func aKeyMakesOneTaskThatIsConfirmedOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme").workspace
            let beta = try await TestWorkspace.create(store, name: "beta").workspace
            let first = try await store.recordStaffTask(workspaceId: acme.id, Self.draft("k1", due: testNow + 3_600_000), now: testNow)
            #expect(first.status == .open && first.title == "回访" && first.assignee == "小李" && first.dueAt == testNow + 3_600_000)
            #expect(first.createdAt == testNow && first.journeyId == 7 && first.confirmedAt == nil)
            // The same key again (a redelivered row) answers the same task, unchanged; another workspace has its own.
            let again = try await store.recordStaffTask(workspaceId: acme.id, Self.draft("k1", title: "changed"), now: testNow + 5)
            #expect(again == first)
            let other = try await store.recordStaffTask(workspaceId: beta.id, Self.draft("k1"), now: testNow)
            #expect(other.id != first.id)
            // Ordering: open first by due (k3 due in 1 min, k1 in 1 h, k2 none), then confirmed ones.
            _ = try await store.recordStaffTask(workspaceId: acme.id, Self.draft("k2"), now: testNow)
            let third = try await store.recordStaffTask(workspaceId: acme.id, Self.draft("k3", due: testNow + 60_000), now: testNow)
            #expect(try await store.staffTasks(workspaceId: acme.id, status: nil, limit: 10).map(\.key) == ["k3", "k1", "k2"])
            #expect(try await store.staffTasks(workspaceId: acme.id, status: nil, limit: 2).map(\.key) == ["k3", "k1"])

            // Confirming: k3 done with a note at +10, k1 dismissed at +20; the later confirmation lists first.
            let done = try #require(
                try await store.confirmStaffTask(id: third.id, workspaceId: acme.id, status: .done, by: "op@acme.cn", note: "已回访", now: testNow + 10)
            )
            #expect(done.status == .done && done.confirmedBy == "op@acme.cn" && done.confirmedAt == testNow + 10 && done.note == "已回访")
            // An empty note is none.
            let dismissed = try #require(
                try await store.confirmStaffTask(
                    id: first.id,
                    workspaceId: acme.id,
                    status: .dismissed,
                    by: "admin API",
                    note: "  ",
                    now: testNow + 20
                )
            )
            #expect(dismissed.status == .dismissed && dismissed.note == nil)
            #expect(try await store.staffTasks(workspaceId: acme.id, status: nil, limit: 10).map(\.key) == ["k2", "k1", "k3"])
            #expect(try await store.staffTasks(workspaceId: acme.id, status: .done, limit: 10).map(\.key) == ["k3"])
            #expect(try await store.staffTasks(workspaceId: acme.id, status: .open, limit: 10).map(\.key) == ["k2"])
            // Once only; not from another workspace; never back to open; a note is bounded.
            await #expect(throws: StoreError.conflict("task \(third.id) is already done")) {
                _ = try await store.confirmStaffTask(id: third.id, workspaceId: acme.id, status: .dismissed, by: "x", note: nil, now: testNow)
            }
            #expect(try await store.confirmStaffTask(id: third.id, workspaceId: beta.id, status: .done, by: "x", note: nil, now: testNow) == nil)
            #expect(try await store.staffTask(id: third.id, workspaceId: beta.id) == nil)
            #expect(try await store.staffTask(id: third.id, workspaceId: acme.id)?.status == .done)
            let open = try #require(try await store.staffTasks(workspaceId: acme.id, status: .open, limit: 1).first)
            await #expect(throws: StoreError.self) {
                _ = try await store.confirmStaffTask(id: open.id, workspaceId: acme.id, status: .open, by: "x", note: nil, now: testNow)
            }
            await #expect(throws: StoreError.self) {
                _ = try await store.confirmStaffTask(
                    id: open.id,
                    workspaceId: acme.id,
                    status: .done,
                    by: "x",
                    note: String(repeating: "长", count: 1001),
                    now: testNow
                )
            }
            #expect(try await store.staffTask(id: open.id, workspaceId: acme.id)?.status == .open)
        }
    }

    @Test(arguments: StoreKind.available)
    func titlesAreBoundedAndTasksLeaveWithTheirPerson(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store)
            let ws = acme.workspace.id
            try await acme.ingest(store, [message("1", user: "u"), message("2", user: "v")])
            let u = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "u"), workspaceId: ws))
            let v = try #require(try await store.personId(identity: IdentityKey(IdentityKey.userId, "v"), workspaceId: ws))
            // 250 characters with a control character: cut to 200, the control character dropped.
            let long = try await store.recordStaffTask(
                workspaceId: ws,
                Self.draft("long", person: u, title: "\u{7}" + String(repeating: "回", count: 250)),
                now: testNow
            )
            #expect(long.title == String(repeating: "回", count: 200))
            _ = try await store.recordStaffTask(workspaceId: ws, Self.draft("v", person: v), now: testNow)
            _ = try await store.erasePerson(id: u, workspaceId: ws)
            // u's task is gone with u; v's stays.
            #expect(try await store.staffTasks(workspaceId: ws, status: nil, limit: 10).map(\.key) == ["v"])
        }
    }
}

/// What the console's journey list counts in the store, the same on both stores.
@Suite struct JourneyActivityRepositoryTests {
    @Test(arguments: StoreKind.available)
    func statesAndTodaysOutboxAreCountedPerJourney(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store).workspace
            let care = try await store.createJourney(workspaceId: acme.id, name: "Care", definition: JourneyRepositoryTests.definition)
            let other = try await store.createJourney(workspaceId: acme.id, name: "Other", definition: JourneyRepositoryTests.definition)
            for journey in [care, other] { _ = try await store.publishJourney(id: journey.id, workspaceId: acme.id) }
            // Care: three entrants, one held out; Other: one.
            let entered = try await store.enterJourney(
                workspaceId: acme.id,
                journeyId: care.id,
                version: 1,
                start: "a",
                entrants: [
                    JourneyEntrant(personId: 1, entryKey: "k1", heldOut: false), JourneyEntrant(personId: 2, entryKey: "k2", heldOut: false),
                    JourneyEntrant(personId: 3, entryKey: "k3", heldOut: true),
                ],
                oneAtATime: false,
                now: testNow
            )
            _ = try await store.enterJourney(
                workspaceId: acme.id,
                journeyId: other.id,
                version: 1,
                start: "a",
                entrants: [JourneyEntrant(personId: 1, entryKey: "o1", heldOut: false)],
                oneAtATime: false,
                now: testNow
            )
            // Person 1 waits in Care with two outbox rows made now; one made yesterday is not today's.
            func draft(_ key: String, at: Int64) -> OutboxDraft {
                OutboxDraft(key: key, channel: "task", payload: "{}", notBefore: at, journeyId: care.id, personId: 1)
            }
            let first = try #require(entered.first { $0.entryKey == "k1" })
            let advance = JourneyAdvance(
                instanceId: first.id,
                fromStep: first.step,
                node: "a",
                state: .waiting,
                dueAt: testNow + 60_000,
                waitKey: nil,
                counts: [],
                outbox: [draft("t1", at: testNow), draft("t2", at: testNow)],
                now: testNow
            )
            #expect(try await store.advanceJourney(advance))
            let states = try await store.journeyInstanceStates(workspaceId: acme.id)
            #expect(states[care.id] == [.waiting: 1, .active: 1, .heldOut: 1])
            #expect(states[other.id] == [.active: 1])
            // Both rows were made at testNow: counted since testNow, not since a minute later.
            #expect(try await store.journeyOutboxCounts(workspaceId: acme.id, since: testNow) == [care.id: [.pending: 2]])
            #expect(try await store.journeyOutboxCounts(workspaceId: acme.id, since: testNow + 60_000).isEmpty)
        }
    }
}
