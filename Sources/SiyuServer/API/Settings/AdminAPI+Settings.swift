import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Settings: the saved analytics settings (``AnalyticsSettings``), each saved, checked or reset.
extension AdminAPI {
    /// `GET /api/v1/settings`: every key with its saved value (`null` when not saved), and the
    /// defaults of the KPI mapping.
    func getSettings(_ input: Operations.GetSettings.Input) async throws -> Operations.GetSettings.Output {
        let workspace = try workspace
        let saved = try await settings.settings(workspaceId: workspace.id)
        var object = JSONObject()
        for key in AnalyticsSettings.keys { object[key] = saved[key] ?? .null }
        object["defaults"] = ["kpiMapping": AnalyticsSettings.json(KPIEventMapping.segmentEcommerce)]
        return .ok(.init(body: .json(OpenAPIObjectContainer(object))))
    }

    /// `PUT /api/v1/settings/kpiMapping {"exposures": [...], "clicks": [...], ...}`,
    /// `PUT /api/v1/settings/tiers.pyramid {"tiers": [{"code", "fraction"}]}`,
    /// `PUT /api/v1/settings/tiers.colours {"rules": [...], "fallback": …}`,
    /// `PUT /api/v1/settings/tiers.ladder {"rungs": [...]}`, `PUT /api/v1/settings/journey {"stages": [...]}`,
    /// `PUT /api/v1/settings/valueSimple {"averageRevenuePerUser", "retentionRate", "averageLifetime", "coefficient"}`.
    func putSetting(_ input: Operations.PutSetting.Input) async throws -> Operations.PutSetting.Output {
        let workspace = try workspace
        let key = try Self.settingKey(input.path.key)
        guard case .json(let body) = input.body else { throw APIError.badRequest("a setting is a JSON object") }
        let value = JSONValue.object(JSONObject(body))
        try AnalyticsSettings.check(key: key, value: value, workspace: workspace, now: clock())
        let saved = try await settings.saveSetting(workspaceId: workspace.id, key: key, value: value)
        return .ok(.init(body: .json(OpenAPIObjectContainer([key: saved[key] ?? .null]))))
    }

    /// `DELETE /api/v1/settings/{key}`: back to the default.
    func deleteSetting(_ input: Operations.DeleteSetting.Input) async throws -> Operations.DeleteSetting.Output {
        let workspace = try workspace
        let key = try Self.settingKey(input.path.key)
        _ = try await settings.saveSetting(workspaceId: workspace.id, key: key, value: nil)
        return .ok(.init(body: .json(OpenAPIObjectContainer([key: .null]))))
    }

    static func settingKey(_ key: String) throws -> String {
        guard AnalyticsSettings.keys.contains(key) else {
            throw APIError.notFound("settings are \(AnalyticsSettings.keys.joined(separator: ", "))")
        }
        return key
    }
}
