import SiyuCore

/// Labels that evaluations give people (tiers, RFM classes, journey stages), with the history of
/// every change so that movements between them can be counted.
public protocol LabelRepository: Sendable {
    /// Makes `assignments` (canonical person id → label) the scheme's current labels: a person
    /// whose label differs or who lost theirs gets a change row at the store's clock.
    func saveLabels(workspaceId: Int64, scheme: String, assignments: [Int64: String]) async throws -> LabelSaveSummary
    func labels(workspaceId: Int64, scheme: String) async throws -> [Int64: String]
    /// Every scheme's current labels (for analytics).
    func allLabels(workspaceId: Int64) async throws -> [String: [Int64: String]]
    /// Changes with `from <= at < to`, counted by (from, to).
    func labelMovements(workspaceId: Int64, scheme: String, from: Int64, to: Int64) async throws -> [LabelMovement]
    func labels(personId: Int64, workspaceId: Int64) async throws -> [PersonLabel]
}
