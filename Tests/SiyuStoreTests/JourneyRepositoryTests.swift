import SiyuCore
import Testing

@testable import SiyuStore

/// Journeys, the people inside them and the outbox, the same on both stores.
@Suite struct JourneyRepositoryTests {
    static let definition = #"{"start": "a", "nodes": [{"id": "a", "exit": {}}]}"#

    @Test(arguments: StoreKind.available)
    func draftsArePublishedAsVersionsAndMoveThroughTheirStatuses(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store, name: "acme").workspace
            let beta = try await TestWorkspace.create(store, name: "beta").workspace
            let draft = try await store.createJourney(workspaceId: acme.id, name: "Welcome", definition: Self.definition)
            #expect(draft.status == .draft && draft.version == 0 && draft.createdAt == testNow)
            // Names are unique in a workspace, not across workspaces; bad names are refused.
            await #expect(throws: StoreError.conflict("a journey named `Welcome` already exists")) {
                _ = try await store.createJourney(workspaceId: acme.id, name: "Welcome", definition: "{}")
            }
            _ = try await store.createJourney(workspaceId: beta.id, name: "Welcome", definition: "{}")
            await #expect(throws: StoreError.self) { _ = try await store.createJourney(workspaceId: acme.id, name: "  ", definition: "{}") }
            await #expect(throws: StoreError.self) {
                _ = try await store.createJourney(workspaceId: acme.id, name: "big", definition: String(repeating: "x", count: 256 * 1024 + 1))
            }
            // Another workspace cannot see or change it.
            #expect(try await store.journey(id: draft.id, workspaceId: beta.id) == nil)
            await #expect(throws: StoreError.notFound("no journey \(draft.id) in this workspace")) {
                _ = try await store.publishJourney(id: draft.id, workspaceId: beta.id)
            }
            // Publishing makes version 1 of the draft; editing the draft leaves version 1 as it was.
            let one = try await store.publishJourney(id: draft.id, workspaceId: acme.id)
            #expect(one.status == .active && one.version == 1)
            _ = try await store.updateJourney(id: draft.id, workspaceId: acme.id, name: nil, definition: "{\"v\": 2}")
            let two = try await store.publishJourney(id: draft.id, workspaceId: acme.id)
            #expect(two.version == 2)
            #expect(try await store.journeyDefinition(journeyId: draft.id, version: 1) == Self.definition)
            #expect(try await store.journeyDefinition(journeyId: draft.id, version: 2) == "{\"v\": 2}")
            #expect(try await store.activeJourneys().map(\.id) == [draft.id])
            // Pause, resume, stop; a stopped journey is final.
            #expect(try await store.setJourneyStatus(id: draft.id, workspaceId: acme.id, status: .paused).status == .paused)
            #expect(try await store.activeJourneys().isEmpty)
            #expect(try await store.setJourneyStatus(id: draft.id, workspaceId: acme.id, status: .active).status == .active)
            #expect(try await store.setJourneyStatus(id: draft.id, workspaceId: acme.id, status: .stopped).status == .stopped)
            await #expect(throws: StoreError.conflict("a stopped journey cannot become active")) {
                _ = try await store.setJourneyStatus(id: draft.id, workspaceId: acme.id, status: .active)
            }
            await #expect(throws: StoreError.self) { _ = try await store.publishJourney(id: draft.id, workspaceId: acme.id) }
        }
    }

    @Test(arguments: StoreKind.available)
    func entryKeysEnterOnceAndAdvancesApplyOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store).workspace
            let journey = try await store.createJourney(workspaceId: acme.id, name: "Care", definition: Self.definition)
            _ = try await store.publishJourney(id: journey.id, workspaceId: acme.id)
            let entrants = [
                JourneyEntrant(personId: 1, entryKey: "order:1", heldOut: false), JourneyEntrant(personId: 1, entryKey: "order:2", heldOut: false),
                JourneyEntrant(personId: 2, entryKey: "order:3", heldOut: true),
            ]
            let entered = try await store.enterJourney(
                workspaceId: acme.id,
                journeyId: journey.id,
                version: 1,
                start: "a",
                entrants: entrants,
                oneAtATime: false,
                now: testNow
            )
            #expect(entered.map(\.entryKey) == ["order:1", "order:2", "order:3"])
            #expect(entered.map(\.state) == [.active, .active, .heldOut])
            // The same order again enters nobody; with oneAtATime, person 1 (inside) does not enter on a new key.
            let again = try await store.enterJourney(
                workspaceId: acme.id,
                journeyId: journey.id,
                version: 1,
                start: "a",
                entrants: entrants + [JourneyEntrant(personId: 1, entryKey: "order:4", heldOut: false)],
                oneAtATime: true,
                now: testNow
            )
            #expect(again.isEmpty)
            // Due now: the two active ones (held-out people are never due).
            let due = try await store.dueJourneyInstances(now: testNow, limit: 10)
            #expect(Set(due.map(\.entryKey)) == ["order:1", "order:2"])
            let first = try #require(due.first { $0.entryKey == "order:1" })
            // An advance: waiting a day, one count, one outbox row. Applied once; a stale one stores nothing.
            let message = OutboxDraft(
                key: "j\(journey.id)/v1/p1/a/order:1",
                channel: "webhook",
                payload: "{}",
                notBefore: testNow,
                journeyId: journey.id,
                personId: 1
            )
            let advance = JourneyAdvance(
                instanceId: first.id,
                fromStep: first.step,
                node: "a",
                state: .waiting,
                dueAt: testNow + 86_400_000,
                waitKey: nil,
                counts: [("a", "waiting")],
                outbox: [message, message],
                now: testNow
            )
            #expect(try await store.advanceJourney(advance) == true)
            #expect(try await store.advanceJourney(advance) == false)
            let moved = try #require(try await store.journeyInstance(id: first.id))
            #expect(moved.state == .waiting && moved.dueAt == testNow + 86_400_000 && moved.step == first.step + 1)
            #expect(try await store.dueJourneyInstances(now: testNow, limit: 10).map(\.entryKey) == ["order:2"])
            #expect(try await store.dueJourneyInstances(now: testNow + 86_400_000, limit: 10).count == 2)
            #expect(
                try await store.journeyNodeCounts(journeyId: journey.id, workspaceId: acme.id) == [
                    JourneyNodeCount(version: 1, node: "a", outcome: "waiting", count: 1)
                ]
            )
            // One row for the key, however often it was asked for.
            #expect(try await store.outboxMessages(workspaceId: acme.id, status: nil, limit: 10).map(\.key) == [message.key])

            // Waiting for an event: found by person and key.
            let second = try #require(due.first { $0.entryKey == "order:2" })
            let waitFor = JourneyAdvance(
                instanceId: second.id,
                fromStep: second.step,
                node: "a",
                state: .waiting,
                dueAt: testNow + 1_800_000,
                waitKey: "event:Order Completed",
                counts: [],
                outbox: [],
                now: testNow
            )
            #expect(try await store.advanceJourney(waitFor))
            #expect(
                try await store.waitingJourneyInstances(workspaceId: acme.id, personId: 1, waitKeys: ["event:Order Completed"]).map(\.id) == [
                    second.id
                ]
            )
            #expect(try await store.waitingJourneyInstances(workspaceId: acme.id, personId: 2, waitKeys: ["event:Order Completed"]).isEmpty)

            // Goals: person 2 (held out) converts; person 1's two instances both convert once.
            #expect(
                try await store.recordJourneyGoal(
                    workspaceId: acme.id,
                    journeyId: journey.id,
                    personId: 2,
                    enteredSince: testNow - 1,
                    at: testNow + 5
                ) == 1
            )
            #expect(
                try await store.recordJourneyGoal(
                    workspaceId: acme.id,
                    journeyId: journey.id,
                    personId: 1,
                    enteredSince: testNow - 1,
                    at: testNow + 6
                ) == 2
            )
            #expect(
                try await store.recordJourneyGoal(
                    workspaceId: acme.id,
                    journeyId: journey.id,
                    personId: 1,
                    enteredSince: testNow - 1,
                    at: testNow + 7
                ) == 0
            )
            #expect(
                try await store.journeyGoalCounts(journeyId: journey.id, workspaceId: acme.id)
                    == JourneyGoalCounts(treated: 2, treatedConverted: 2, heldOut: 1, heldOutConverted: 1)
            )
            // Stopping the journey lets everyone out: nobody is due any more.
            _ = try await store.setJourneyStatus(id: journey.id, workspaceId: acme.id, status: .stopped)
            #expect(try await store.dueJourneyInstances(now: testNow + 10 * 86_400_000, limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func theOutboxLeasesRetriesAndFinishesEachRowOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let acme = try await TestWorkspace.create(store).workspace
            let journey = try await store.createJourney(workspaceId: acme.id, name: "Care", definition: Self.definition)
            _ = try await store.publishJourney(id: journey.id, workspaceId: acme.id)
            let entered = try await store.enterJourney(
                workspaceId: acme.id,
                journeyId: journey.id,
                version: 1,
                start: "a",
                entrants: [JourneyEntrant(personId: 1, entryKey: "k", heldOut: false)],
                oneAtATime: false,
                now: testNow
            )
            let drafts = (1...3).map {
                OutboxDraft(
                    key: "m\($0)",
                    channel: "webhook",
                    payload: "{\"n\": \($0)}",
                    notBefore: testNow + Int64($0) * 1000,
                    journeyId: nil,
                    personId: 1
                )
            }
            let advance = JourneyAdvance(
                instanceId: entered[0].id,
                fromStep: 0,
                node: "a",
                state: .exited,
                dueAt: nil,
                waitKey: nil,
                counts: [],
                outbox: drafts,
                now: testNow
            )
            #expect(try await store.advanceJourney(advance))
            // At +2 s two rows are due (m1, m2); claimed for 60 s, nothing more is due until the lease ends.
            let claimed = try await store.claimOutbox(now: testNow + 2000, limit: 10, leaseMillis: 60_000)
            #expect(claimed.map(\.key) == ["m1", "m2"] && claimed.allSatisfy { $0.status == .sending && $0.attempts == 1 })
            #expect(try await store.claimOutbox(now: testNow + 2000, limit: 10, leaseMillis: 60_000).isEmpty)
            // m1 delivered; m2 to retry at +10 s.
            try await store.finishOutbox(id: claimed[0].id, attempt: 1, result: .delivered(response: "200"), now: testNow + 2100)
            try await store.finishOutbox(id: claimed[1].id, attempt: 1, result: .retry(at: testNow + 10_000, error: "HTTP 503"), now: testNow + 2100)
            // A late finish of an attempt that is no longer current changes nothing.
            try await store.finishOutbox(id: claimed[0].id, attempt: 1, result: .failed(error: "late"), now: testNow + 2200)
            let later = try await store.claimOutbox(now: testNow + 10_000, limit: 10, leaseMillis: 60_000)
            #expect(later.map(\.key) == ["m2", "m3"])
            #expect(later[0].attempts == 2 && later[0].lastError == "HTTP 503")
            // A worker that dies: m2 and m3 come back when their lease ends (attempt 3 and 2).
            let reclaimed = try await store.claimOutbox(now: testNow + 70_001, limit: 10, leaseMillis: 60_000)
            #expect(reclaimed.map(\.key) == ["m2", "m3"] && reclaimed.map(\.attempts) == [3, 2])
            try await store.finishOutbox(
                id: reclaimed[0].id,
                attempt: 3,
                result: .failed(error: String(repeating: "e", count: 5000)),
                now: testNow + 70_100
            )
            try await store.finishOutbox(id: reclaimed[1].id, attempt: 2, result: .delivered(response: "ok"), now: testNow + 70_100)
            let rows = try await store.outboxMessages(workspaceId: acme.id, status: nil, limit: 10)
            #expect(rows.map(\.key) == ["m3", "m2", "m1"])
            #expect(rows.map(\.status) == [.delivered, .failed, .delivered])
            #expect(rows[1].lastError?.utf8.count ?? 0 <= OutboxText.maximumBytes)
            #expect(rows[2].response == "200" && rows[2].deliveredAt == testNow + 2100)
            #expect(try await store.outboxCounts(workspaceId: acme.id, since: testNow)["webhook"] == [.delivered: 2, .failed: 1])
            // An operator's retry puts the failed row back in line; other rows and other workspaces are not touched.
            let beta = try await TestWorkspace.create(store, name: "beta").workspace
            #expect(try await store.retryOutbox(id: rows[1].id, workspaceId: beta.id, now: testNow + 80_000) == nil)
            #expect(try await store.retryOutbox(id: rows[0].id, workspaceId: acme.id, now: testNow + 80_000) == nil)
            #expect(try await store.retryOutbox(id: rows[1].id, workspaceId: acme.id, now: testNow + 80_000)?.status == .pending)
            #expect(try await store.claimOutbox(now: testNow + 80_000, limit: 10, leaseMillis: 1000).map(\.key) == ["m2"])
        }
    }
}
