import SiyuCore

/// People inside journeys: entering, the due index, waking on events, and each walk's result.
public protocol JourneyRunRepository: Sendable {
    /// Enters people into a version of a journey at its `start` node at `now`, as `active` (due at once) or `heldOut`.
    /// An entry key already used in the journey enters nobody; with `oneAtATime`, neither does a
    /// person who is still inside (not exited). Returns the instances created.
    func enterJourney(
        workspaceId: Int64,
        journeyId: Int64,
        version: Int,
        start: String,
        entrants: [JourneyEntrant],
        oneAtATime: Bool,
        now: Int64
    )
        async throws -> [JourneyInstance]
    /// Instances due at `now` (active ones, and waiting ones whose time came), by due time, at most `limit`.
    func dueJourneyInstances(now: Int64, limit: Int) async throws -> [JourneyInstance]
    /// A person's instances waiting for one of `waitKeys`.
    func waitingJourneyInstances(workspaceId: Int64, personId: Int64, waitKeys: [String]) async throws -> [JourneyInstance]
    func journeyInstance(id: Int64) async throws -> JourneyInstance?
    /// Stores walks' results in one transaction (each instance, its node counts, its outbox rows, the
    /// outbox rows' keys deduplicated); per walk, false (storing nothing of it) when its instance has
    /// moved since `fromStep`.
    func advanceJourneys(_ advances: [JourneyAdvance]) async throws -> [Bool]
    /// Per version, node and outcome, how many people.
    func journeyNodeCounts(journeyId: Int64, workspaceId: Int64) async throws -> [JourneyNodeCount]
    /// Records the goal for a person's instances of the journey entered since `enteredSince` that have none yet.
    func recordJourneyGoal(workspaceId: Int64, journeyId: Int64, personId: Int64, enteredSince: Int64, at: Int64) async throws -> Int
    /// Entrants and conversions, treated and held out.
    func journeyGoalCounts(journeyId: Int64, workspaceId: Int64) async throws -> JourneyGoalCounts
    /// The last event (`seq`) whose journey triggers ran, per workspace; nil before the first.
    func journeyEventCursor(workspaceId: Int64) async throws -> Int64?
    func saveJourneyEventCursor(workspaceId: Int64, seq: Int64) async throws
}

extension JourneyRunRepository {
    /// Stores one walk's result (``advanceJourneys(_:)``); false when its instance has moved since.
    public func advanceJourney(_ advance: JourneyAdvance) async throws -> Bool {
        try await advanceJourneys([advance]).first ?? false
    }
}
