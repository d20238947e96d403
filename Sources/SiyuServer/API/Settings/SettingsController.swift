import Hummingbird
import SiyuCore
import SiyuStore

/// Admin API for a workspace's analytics settings: the KPI event mapping, the configuration of
/// each tier scheme and the journey stages. Saved settings are what the queries (when a request
/// does not say otherwise) and the daily evaluation use.
struct SettingsController: Sendable {
    let store: any SettingsRepository
    let clock: @Sendable () -> Int64

    /// The keys, and how to check a value: it must read as the body of the query it configures.
    static let keys = ["kpiMapping", "journey", valueSimpleKey] + TierScheme.Kind.allCases.map { "tiers." + $0.rawValue }
    /// The simple formula's inputs an operator set (``ValueFitting/simpleInputs(_:path:)``), used by every value fit.
    static let valueSimpleKey = "valueSimple"

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("settings") { request, context in try await self.show(request, context) }
        group.put("settings/:key") { request, context in try await self.save(request, context) }
        group.delete("settings/:key") { request, context in try await self.reset(request, context) }
    }

    /// `GET /api/v1/settings`: saved settings, and the defaults of the KPI mapping.
    func show(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let saved = try await store.settings(workspaceId: workspace.id)
        var object = JSONObject()
        for key in Self.keys { object[key] = saved[key] ?? .null }
        object["defaults"] = ["kpiMapping": Self.json(KPIEventMapping.segmentEcommerce)]
        return JSONResponse.make(.object(object))
    }

    /// `PUT /api/v1/settings/kpiMapping {"exposures": [...], "clicks": [...], ...}`,
    /// `PUT /api/v1/settings/tiers.pyramid {"tiers": [{"code", "fraction"}]}`,
    /// `PUT /api/v1/settings/tiers.colours {"rules": [...], "fallback": …}`,
    /// `PUT /api/v1/settings/tiers.ladder {"rungs": [...]}`, `PUT /api/v1/settings/journey {"stages": [...]}`,
    /// `PUT /api/v1/settings/valueSimple {"averageRevenuePerUser", "retentionRate", "averageLifetime", "coefficient"}`.
    func save(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let key = try Self.key(context)
        let value = try await JSONBody.read(request)
        guard case .object = value else { throw APIError.badRequest("a setting is a JSON object") }
        try Self.check(key: key, value: value, workspace: workspace, now: clock())
        let settings = try await store.saveSetting(workspaceId: workspace.id, key: key, value: value)
        return JSONResponse.make([key: settings[key] ?? .null])
    }

    func reset(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let key = try Self.key(context)
        _ = try await store.saveSetting(workspaceId: workspace.id, key: key, value: nil)
        return JSONResponse.make([key: .null])
    }

    static func key(_ context: AppRequestContext) throws -> String {
        guard let key = context.parameters.get("key"), keys.contains(key) else {
            throw APIError.notFound("settings are \(keys.joined(separator: ", "))")
        }
        return key
    }

    /// Reads the value as the query it configures would; a mistake names its field.
    static func check(key: String, value: JSONValue, workspace: Workspace, now: Int64) throws {
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else { return }
        switch key {
        case "kpiMapping": _ = try QueryReader(["mapping": value], workspace: workspace, calendar: calendar, now: now).kpis()
        case "journey": _ = try QueryReader(value, workspace: workspace, calendar: calendar, now: now).journey()
        case valueSimpleKey: _ = try ValueFitting.simpleInputs(value)
        default:
            var body = value.objectValue ?? [:]
            body["scheme"] = .string(String(key.dropFirst("tiers.".count)))
            _ = try QueryReader(.object(body), workspace: workspace, calendar: calendar, now: now).tierScheme()
        }
    }

    static func json(_ mapping: KPIEventMapping) -> JSONValue {
        [
            "exposures": .array(mapping.exposures.map(JSONValue.string)), "pageAndScreenAreExposures": .bool(mapping.pageAndScreenAreExposures),
            "clicks": .array(mapping.clicks.map(JSONValue.string)), "interactions": .array(mapping.interactions.map(JSONValue.string)),
            "conversions": .array(mapping.conversions.map(JSONValue.string)), "keyActions": .array(mapping.keyActions.map(JSONValue.string)),
        ]
    }
}

extension QueryReader {
    /// The same query with `saved` filling the fields the request left out.
    func filling(_ saved: JSONObject) throws -> QueryReader {
        var merged = saved
        for (key, value) in body { merged[key] = value }
        return try QueryReader(.object(merged), workspace: workspace, calendar: calendar, now: now)
    }
}
