import SiyuCore

/// A workspace's analytics settings (KPI event mapping, tier and journey configurations), kept as
/// one JSON object; keys the store does not know are kept as they are.
public protocol SettingsRepository: Sendable {
    func settings(workspaceId: Int64) async throws -> JSONObject
    /// Sets (or with nil removes) one key and answers the whole object.
    func saveSetting(workspaceId: Int64, key: String, value: JSONValue?) async throws -> JSONObject
}
