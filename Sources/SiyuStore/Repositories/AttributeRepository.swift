import SiyuCore

/// Numbers models write onto people (predicted CLV, P(alive), expected orders) and the fits behind them.
public protocol AttributeRepository: Sendable {
    /// Replaces every value of the named attributes (name → canonical person id → value) and
    /// records the fit, in one transaction. Values must be finite.
    func saveValueFit(workspaceId: Int64, fit: ValueFitRecord, attributes: [String: [Int64: Double]]) async throws -> ValueFitRecord
    func valueFits(workspaceId: Int64, limit: Int) async throws -> [ValueFitRecord]
    /// Every attribute of the workspace (for analytics).
    func allAttributes(workspaceId: Int64) async throws -> [String: [Int64: Double]]
    func attributes(personId: Int64, workspaceId: Int64) async throws -> [String: Double]
}
