import SiyuCore

/// Journeys: drafts, published versions and their status.
public protocol JourneyRepository: Sendable {
    /// Creates a draft journey (name unique in the workspace).
    func createJourney(workspaceId: Int64, name: String, definition: String) async throws -> JourneyRecord
    func journeys(workspaceId: Int64) async throws -> [JourneyRecord]
    func journey(id: Int64, workspaceId: Int64) async throws -> JourneyRecord?
    /// Changes the name or the draft definition (nil: unchanged).
    func updateJourney(id: Int64, workspaceId: Int64, name: String?, definition: String?) async throws -> JourneyRecord
    /// Publishes the draft as the next version and makes the journey active.
    func publishJourney(id: Int64, workspaceId: Int64) async throws -> JourneyRecord
    func setJourneyStatus(id: Int64, workspaceId: Int64, status: JourneyStatus) async throws -> JourneyRecord
    /// A published version's definition (JSON text).
    func journeyDefinition(journeyId: Int64, version: Int) async throws -> String?
    /// Active journeys of every workspace (the scheduler's and the entry triggers' list).
    func activeJourneys() async throws -> [JourneyRecord]
}

extension JourneyRepository {
    /// A workspace's journeys' names by id (for lists that name the journey of each row).
    public func journeyNames(workspaceId: Int64) async throws -> [Int64: String] {
        Dictionary(try await journeys(workspaceId: workspaceId).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
    }
}
