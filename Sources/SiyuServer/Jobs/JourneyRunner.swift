import Crypto
import Foundation
import Logging
import SiyuAPI
import SiyuCore
import SiyuStore

/// Runs journeys: enters people (by event within a second of it being stored, by segment and
/// label on a slower beat), wakes those waiting for an event, records goals, and walks everyone
/// due, storing each walk's result with its side effects as outbox rows in one transaction.
///
/// Due work is read through the index on due time; a walk applies only to the step it was computed
/// from, so a crash between reading and storing repeats the same walk with the same outbox keys.
actor JourneyRunner {
    typealias Store = any JourneyRepository & JourneyRunRepository & OutboxRepository & EventRepository & SegmentRepository
        & LabelRepository & WorkspaceRepository & PeopleRepository & MessagingRepository

    let store: Store
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64
    let logger: Logger

    /// Read versions, by `id/version`.
    private var versions: [String: Journey] = [:]
    /// People through each rate-limited node (`journey/node`) in its current period: (period, count),
    /// one entry per node, so the table does not grow with time.
    private var passed: [String: (period: Int64, count: Int)] = [:]
    /// When each journey's segment or label entry last ran.
    private var audienceRun: [Int64: Int64] = [:]
    /// Each message template's channel (fixed for a template's life), read once.
    private var templateChannels: [Int64: MessageChannel] = [:]
    /// Workspaces with subscription groups, looked up every ``audienceMillis``: their events are read
    /// for `Subscribed` and `Unsubscribed` even when no journey runs.
    private var subscribing: (at: Int64, workspaces: [Workspace]) = (.min / 2, [])

    /// Due instances read per pass, and how often segment and label entries are looked at.
    static let batch = 500
    static let audienceMillis: Int64 = 60_000

    init(store: Store, cache: AnalyticsCache, clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.store = store
        self.cache = cache
        self.clock = clock
        self.logger = logger
    }

    /// One pass; returns how many instances moved.
    @discardableResult
    func tick() async throws -> Int {
        let active = try await store.activeJourneys()
        var running: [(JourneyRecord, Journey, Workspace)] = []
        for record in active {
            guard let workspace = try await store.workspace(id: record.workspaceId) else { continue }
            do {
                running.append((record, try await journey(record.id, record.version, workspace), workspace))
            } catch {
                logger.error("journey version cannot be read", metadata: ["journey": "\(record.id)", "error": "\(error)"])
            }
        }
        let now = clock()
        if now - subscribing.at >= Self.audienceMillis {
            var found: [Workspace] = []
            for workspace in try await store.workspaces() where !(try await store.subscriptionGroups(workspaceId: workspace.id).isEmpty) {
                found.append(workspace)
            }
            subscribing = (now, found)
        }
        let grouped = Dictionary(grouping: running, by: { $0.2.id })
        for (workspaceId, group) in grouped {
            try await runEvents(workspace: group[0].2, group.map(\.1))
        }
        for workspace in subscribing.workspaces where grouped[workspace.id] == nil {
            try await runEvents(workspace: workspace, [])
        }
        for (record, journey, workspace) in running where now - (audienceRun[record.id] ?? .min / 2) >= Self.audienceMillis {
            audienceRun[record.id] = now
            try await enterAudience(journey, workspace: workspace, now: now)
        }
        return try await runDue(active: Set(active.map(\.id)))
    }

    /// Segment and label entries of every active journey now, whatever their beat; how many entered.
    func enterAudiences() async throws -> Int {
        var entered = 0
        let now = clock()
        for record in try await store.activeJourneys() {
            guard let workspace = try await store.workspace(id: record.workspaceId) else { continue }
            audienceRun[record.id] = now
            entered += try await enterAudience(try await journey(record.id, record.version, workspace), workspace: workspace, now: now)
        }
        return entered
    }

    // MARK: - Entering and waking

    /// Events stored since the workspace's cursor: entries by event, goals, and waits for events.
    func runEvents(workspace: Workspace, _ journeys: [Journey]) async throws {
        let workspaceId = workspace.id
        var cursor: Int64
        if let saved = try await store.journeyEventCursor(workspaceId: workspaceId) {
            cursor = saved
        } else {
            // The first pass starts at the newest event: journeys run on what happens from now on.
            cursor = try await store.recentEvents(workspaceId: workspaceId, until: .max, limit: 1).first?.seq ?? 0
            try await store.saveJourneyEventCursor(workspaceId: workspaceId, seq: cursor)
        }
        while true {
            let events = try await store.events(workspaceId: workspaceId, afterSeq: cursor, since: nil, limit: 1000)
            guard let last = events.last else { return }
            var dataset: Dataset?
            for event in events {
                try await handle(event, journeys, workspace: workspace) {
                    if let dataset { return dataset }
                    let read = try await self.cache.dataset(workspaceId: workspaceId)
                    dataset = read
                    return read
                }
            }
            cursor = last.seq
            try await store.saveJourneyEventCursor(workspaceId: workspaceId, seq: cursor)
            if events.count < 1000 { return }
        }
    }

    /// One event: entries, goals and waits it ends; `dataset` reads the workspace's dataset when a walk needs it.
    func handle(_ event: StoredEvent, _ journeys: [Journey], workspace: Workspace, dataset: () async throws -> Dataset) async throws {
        let name = event.message.event
        let properties = event.message.properties
        let person = event.personId
        if name == "Unsubscribed" || name == "Subscribed" {
            try await recordChoice(event, subscribed: name == "Subscribed", workspace: workspace)
        }
        for journey in journeys {
            if case .event(let matcher, let key) = journey.entry, matcher.matches(name: name, properties: properties) {
                let value: String? =
                    switch key {
                    case .messageId: event.message.messageId
                    case .property(let property): properties[property]?.scalarText
                    }
                if let value {
                    // An event's property may be long (up to the event's own limit): a key past 200 bytes
                    // is stored as its SHA-256, so instances stay small and the key stays unique.
                    let key =
                        value.utf8.count <= 200
                        ? "event:" + value : "event#" + SHA256.hash(data: Data(value.utf8)).map { String(format: "%02x", $0) }.joined()
                    _ = try await enter(
                        journey,
                        workspace: workspace,
                        people: [person],
                        key: { _ in key },
                        oneAtATime: false,
                        event: JSONWriter.string(.object(properties))
                    )
                }
            }
            if let goal = journey.goal, goal.event.matches(name: name, properties: properties) {
                let since = event.message.timestamp - Int64(goal.withinDays) * 86_400_000
                _ = try await store.recordJourneyGoal(
                    workspaceId: workspace.id,
                    journeyId: journey.id,
                    personId: person,
                    enteredSince: since,
                    at: event.message.timestamp
                )
            }
        }
        // Those waiting for this event (or any event) move on now.
        let keys = [JourneyWaitKey.event(name), JourneyWaitKey.event(nil)]
        for instance in try await store.waitingJourneyInstances(workspaceId: workspace.id, personId: person, waitKeys: keys) {
            guard let journey = try? await self.journey(instance.journeyId, instance.version, workspace),
                case .waitFor(.event(let matcher), _, _, _)? = journey.nodes[instance.node]?.kind,
                matcher.matches(name: name, properties: properties)
            else { continue }
            try await walk(instance, journey, workspace: workspace, dataset: try await dataset(), wake: .matched)
        }
    }

    /// A `Subscribed` or `Unsubscribed` event: its `group` (a group's id or name) or `channel` (every
    /// group of it); an `Unsubscribed` event naming neither leaves every group.
    func recordChoice(_ event: StoredEvent, subscribed: Bool, workspace: Workspace) async throws {
        let properties = event.message.properties
        let groups = try await store.subscriptionGroups(workspaceId: workspace.id)
        let chosen: [SubscriptionGroup]
        if let named = properties["group"]?.scalarText {
            chosen = groups.filter { String($0.id) == named || $0.name == named }
        } else if let channel = properties["channel"]?.stringValue {
            chosen = groups.filter { $0.channel.rawValue == channel }
        } else {
            chosen = subscribed ? [] : groups
        }
        let choices = chosen.map {
            SubscriptionChoice(groupId: $0.id, personId: event.personId, subscribed: subscribed, source: "event", updatedAt: event.message.timestamp)
        }
        _ = try await store.setSubscriptions(workspaceId: workspace.id, choices)
    }

    /// Segment and label entries: the members now (each once, or again after leaving with `reEntry`).
    @discardableResult
    func enterAudience(_ journey: Journey, workspace: Workspace, now: Int64) async throws -> Int {
        let people: [Int64]
        switch journey.entry {
        case .segment(let id):
            people = try await store.segmentMembers(id: id, workspaceId: workspace.id, afterPersonId: 0, limit: -1)
        case .label(let scheme, let values):
            let wanted = Set(values)
            people = try await store.labels(workspaceId: workspace.id, scheme: scheme).filter { wanted.contains($0.value) }.map(\.key).sorted()
        case .event:
            return 0
        }
        guard !people.isEmpty else { return 0 }
        var entered = 0
        // Without re-entry a person enters once ever (one key per person); with it, again once they have left.
        let reEntry = journey.reEntry
        for start in stride(from: 0, to: people.count, by: 1000) {
            let chunk = Array(people[start..<min(start + 1000, people.count)])
            entered += try await enter(
                journey,
                workspace: workspace,
                people: chunk,
                key: { person in reEntry ? "person:\(person):\(now)" : "person:\(person)" },
                oneAtATime: true
            )
        }
        return entered
    }

    func enter(
        _ journey: Journey,
        workspace: Workspace,
        people: [Int64],
        key: (Int64) -> String,
        oneAtATime: Bool,
        event: String? = nil
    ) async throws -> Int {
        let entrants = people.map { person in
            JourneyEntrant(
                personId: person,
                entryKey: key(person),
                heldOut: JourneyBucket.isHeldOut(journey: journey.id, person: person, share: journey.holdout),
                event: event
            )
        }
        return try await store.enterJourney(
            workspaceId: workspace.id,
            journeyId: journey.id,
            version: journey.version,
            start: journey.start,
            entrants: entrants,
            oneAtATime: oneAtATime,
            now: clock()
        ).count
    }

    // MARK: - Walking

    /// Every instance due now, by due time, in batches; a paused journey's instances wait.
    func runDue(active: Set<Int64>) async throws -> Int {
        var moved = 0
        var skipped = Set<Int64>()
        // One read of each workspace and its dataset per pass, not per person.
        var workspaces: [Int64: Workspace?] = [:]
        var datasets: [Int64: Dataset] = [:]
        while !Task.isCancelled {
            let due = try await store.dueJourneyInstances(now: clock(), limit: Self.batch + skipped.count).filter { !skipped.contains($0.id) }
            guard !due.isEmpty else { break }
            // The batch's walks are worked out, then stored in one transaction.
            var planned: [(JourneyAdvance, moves: Bool)] = []
            for instance in due {
                if workspaces[instance.workspaceId] == nil { workspaces[instance.workspaceId] = try await store.workspace(id: instance.workspaceId) }
                guard active.contains(instance.journeyId), let workspace = workspaces[instance.workspaceId] ?? nil else {
                    skipped.insert(instance.id)
                    continue
                }
                do {
                    let journey = try await journey(instance.journeyId, instance.version, workspace)
                    if datasets[workspace.id] == nil { datasets[workspace.id] = try await cache.dataset(workspaceId: workspace.id) }
                    planned.append(try await plan(instance, journey, workspace: workspace, dataset: datasets[workspace.id]!, wake: .due))
                } catch {
                    skipped.insert(instance.id)
                    logger.error("journey walk failed", metadata: ["instance": "\(instance.id)", "error": "\(error)"])
                }
            }
            let applied = try await store.advanceJourneys(planned.map(\.0))
            for ((advance, moves), stored) in zip(planned, applied) {
                if stored && moves {
                    moved += 1
                }
                // A segment or label wait that has not happened yet is looked at again later.
                else {
                    skipped.insert(advance.instanceId)
                }
            }
            if due.count < Self.batch { break }
        }
        return moved
    }

    /// Walks one instance and stores the result; false when nothing moved.
    @discardableResult
    func walk(_ instance: JourneyInstance, _ journey: Journey, workspace: Workspace, dataset: Dataset, wake: JourneyWalker.Wake) async throws -> Bool
    {
        let (advance, moves) = try await plan(instance, journey, workspace: workspace, dataset: dataset, wake: wake)
        return try await store.advanceJourney(advance) && moves
    }

    /// One instance's walk, to store: the advance, and whether it moves the person (a segment or label
    /// wait that has not happened yet only sets its next look).
    func plan(
        _ instance: JourneyInstance,
        _ journey: Journey,
        workspace: Workspace,
        dataset: Dataset,
        wake: JourneyWalker.Wake
    ) async throws -> (JourneyAdvance, moves: Bool) {
        let now = clock()
        var wake = wake
        // A wait for a segment or a label is checked when due: joined means matched; before the
        // timeout, look again in a minute.
        if instance.state == .waiting, wake == .due, case .waitFor(let what, _, _, _)? = journey.nodes[instance.node]?.kind {
            switch what {
            case .event: break
            case .segment, .label:
                if try await holds(what, person: instance.personId, workspace: workspace) {
                    wake = .matched
                } else if let timeout = JourneyWaitKey.timeout(instance.waitKey), now < timeout {
                    let look = JourneyAdvance(
                        instanceId: instance.id,
                        fromStep: instance.step,
                        node: instance.node,
                        state: .waiting,
                        dueAt: min(timeout, now + Self.audienceMillis),
                        waitKey: instance.waitKey,
                        counts: [],
                        outbox: [],
                        now: now
                    )
                    return (look, false)
                }
            }
        }
        let facts = try await person(instance.personId, workspace: workspace, dataset: dataset, now: now)
        let walk = JourneyWalker(journey).walk(
            from: .init(node: instance.node, waiting: instance.state == .waiting),
            wake: wake,
            person: facts,
            now: now
        ) { node, count, period in
            let bucket = now / period
            let key = "\(journey.id)/\(node)"
            let through = passed[key].flatMap { $0.period == bucket ? $0.count : nil } ?? 0
            guard through < count else { return (bucket + 1) * period }
            passed[key] = (bucket, through + 1)
            return nil
        }
        let (state, dueAt, waitKey): (JourneyInstanceState, Int64?, String?) =
            switch walk.end {
            case .exited: (.exited, nil, nil)
            case .waitUntil(_, let until): (.waiting, until, nil)
            case .waitFor(_, let what, let until):
                switch what {
                case .event(let matcher): (.waiting, until, JourneyWaitKey.event(matcher.event))
                case .segment, .label: (.waiting, min(until, now + Self.audienceMillis), JourneyWaitKey.audience(what, timeout: until))
                }
            }
        let node: String =
            switch walk.end {
            case .exited(let node), .waitUntil(let node, _), .waitFor(let node, _, _): node
            }
        for act in walk.actions {
            guard case .message(let message) = act.action, templateChannels[message.templateId] == nil else { continue }
            templateChannels[message.templateId] = try await store.template(id: message.templateId, workspaceId: workspace.id)?.channel
        }
        let channels = templateChannels
        let outbox = walk.actions.enumerated().map { index, act in
            JourneyOutbox.draft(act, journey: journey, instance: instance, index: index, now: now, templateChannels: channels)
        }
        let advance = JourneyAdvance(
            instanceId: instance.id,
            fromStep: instance.step,
            node: node,
            state: state,
            dueAt: dueAt,
            waitKey: waitKey,
            counts: walk.steps.map { ($0.node, $0.outcome.rawValue) },
            outbox: outbox,
            now: now
        )
        return (advance, true)
    }

    /// Whether a person is in the segment or has the label now.
    func holds(_ what: JourneyWait, person: Int64, workspace: Workspace) async throws -> Bool {
        switch what {
        case .event: return false
        case .segment(let id): return try await store.segments(personId: person, workspaceId: workspace.id).contains { $0.id == id }
        case .label(let scheme, let values):
            return try await store.labels(personId: person, workspaceId: workspace.id).contains { $0.scheme == scheme && values.contains($0.value) }
        }
    }

    /// The person as a walk sees them: traits and rules from the analytics dataset (the store's
    /// profile when the dataset has not caught up yet), and their own time zone.
    func person(_ id: Int64, workspace: Workspace, dataset: Dataset, now: Int64) async throws -> JourneyWalker.Person {
        let calendar = LocalCalendar.zone(workspace.timeZone) ?? .shanghai
        var traits: JSONObject = [:]
        let index = dataset.personIndex(of: id)
        if let index {
            traits = dataset.traits[index]
        } else if let profile = try await store.person(id: id, workspaceId: workspace.id) {
            traits = profile.traits
        }
        let own = traits["timezone"]?.stringValue.flatMap(LocalCalendar.zone)
        return JourneyWalker.Person(id: id, traits: traits, workspaceCalendar: calendar, personCalendar: own) { rule in
            guard let index else { return false }
            return PersonRuleEvaluator(rule, dataset: dataset, now: now).matches(index)
        }
    }

    /// A published version, read once.
    func journey(_ id: Int64, _ version: Int, _ workspace: Workspace) async throws -> Journey {
        let key = "\(id)/\(version)"
        if let known = versions[key] { return known }
        guard let text = try await store.journeyDefinition(journeyId: id, version: version) else {
            throw StoreError.notFound("journey \(id) has no version \(version)")
        }
        let context = try QueryContext(workspace: workspace, now: clock())
        let journey = try JourneyReader(context: context).journey(try AdminAPI.definition(text), id: id, version: version)
        versions[key] = journey
        return journey
    }
}

/// What a waiting instance waits for, as stored (`wait_key`), so an event finds its waiters by index.
enum JourneyWaitKey {
    /// `event:Order Completed`, or `event:*` for any event.
    static func event(_ name: String?) -> String { "event:" + (name ?? "*") }

    /// `segment:12@<timeout>` or `label:rfm8@<timeout>`: looked at when due, until the timeout.
    static func audience(_ what: JourneyWait, timeout: Int64) -> String {
        switch what {
        case .segment(let id): "segment:\(id)@\(timeout)"
        case .label(let scheme, _): "label:\(scheme)@\(timeout)"
        case .event(let matcher): event(matcher.event)
        }
    }

    static func timeout(_ key: String?) -> Int64? {
        guard let key, let at = key.lastIndex(of: "@") else { return nil }
        return Int64(key[key.index(after: at)...])
    }
}

extension PeriodicJob {
    /// Four times a second: journey entries, wake-ups and due walks, then the outbox's due rows.
    /// Entry by event therefore follows an acknowledged event within a second, and a due message
    /// is attempted within a second of its time.
    static func journeys(
        store: any SiyuStore,
        cache: AnalyticsCache,
        clock: @escaping @Sendable () -> Int64,
        logger: Logger
    ) -> PeriodicJob {
        let worker = JourneyWorker(store: store, cache: cache, clock: clock, logger: logger)
        return PeriodicJob(firstDelay: .seconds(1), interval: .milliseconds(250)) {
            // Cancellation is the server stopping, not a failure.
            do {
                try await worker.pass()
            } catch is CancellationError {
                return
            } catch {
                logger.error("journey pass failed", metadata: ["error": "\(error)"])
            }
            do {
                try await worker.deliver()
            } catch is CancellationError {
                return
            } catch {
                logger.error("outbox delivery failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
