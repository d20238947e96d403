import SiyuCore
import SiyuStore

/// A workspace's analytics settings: the KPI event mapping, the configuration of each tier scheme,
/// the journey stages and the simple value formula's inputs. Saved settings are what the queries
/// (when a request does not say otherwise) and the daily evaluation use; each is the part of a
/// query body it configures, stored as sent and checked as that query reads it.
enum AnalyticsSettings {
    /// The keys, and how to check a value: it must read as the body of the query it configures.
    static let keys = ["kpiMapping", "journey", valueSimpleKey] + TierScheme.Kind.allCases.map { "tiers." + $0.rawValue }
    /// The simple formula's inputs an operator set (``ValueFitting/simpleInputs(_:path:)``), used by every value fit.
    static let valueSimpleKey = "valueSimple"

    /// The fields a setting may hold: what it configures, never what a query does (`save`) or which
    /// scheme it asks for; nil for `valueSimple`, whose inputs are checked by name when read.
    static func fields(_ key: String) -> Set<String>? {
        switch key {
        case "kpiMapping": ["exposures", "pageAndScreenAreExposures", "clicks", "interactions", "conversions", "keyActions"]
        case "journey": QueryFields.journey.subtracting(["save"])
        case valueSimpleKey: nil
        default: TierScheme.Kind(rawValue: String(key.dropFirst("tiers.".count))).map { QueryFields.tiers($0).subtracting(["scheme", "save"]) }
        }
    }

    /// Reads the value as the query it configures would; a mistake names its field. A field the
    /// setting does not hold is refused: a saved `"save": true` would make every query that reads
    /// the setting store labels.
    static func check(key: String, value: JSONValue, workspace: Workspace, now: Int64) throws {
        if let fields = fields(key), let unknown = value.objectValue?.keys.first(where: { !fields.contains($0) }) {
            throw APIError.badRequest(
                "the \(key) setting has no field `\(unknown)`; its fields are \(fields.sorted().joined(separator: ", "))",
                field: unknown
            )
        }
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
