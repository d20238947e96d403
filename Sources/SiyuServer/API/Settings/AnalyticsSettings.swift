import SiyuAPI
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
        case "journey": Components.Schemas.JourneyRequest.settingFields
        case valueSimpleKey: nil
        default: TierScheme.Kind(rawValue: String(key.dropFirst("tiers.".count))).map { $0.fields.union(["people"]) }
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
        let context = try QueryContext(workspace: workspace, now: now)
        switch key {
        case "kpiMapping": _ = try Components.Schemas.KPIRequest().query(context, saved: value.decoded(as: Components.Schemas.KPIEventMapping.self))
        case "journey": _ = try journey(value)?.query(context)
        case valueSimpleKey: _ = try ValueFitting.simpleInputs(value)
        default:
            guard let kind = TierScheme.Kind(rawValue: String(key.dropFirst("tiers.".count))) else { return }
            _ = try tiers(value, kind)?.scheme(context)
        }
    }

    /// The saved `journey` setting as the request it configures.
    static func journey(_ saved: JSONValue?) throws -> Components.Schemas.JourneyRequest? {
        try saved.map { try $0.decoded(as: Components.Schemas.JourneyRequest.self) }
    }

    /// A saved `tiers.<scheme>` setting as the request it configures.
    static func tiers(_ saved: JSONValue?, _ kind: TierScheme.Kind) throws -> Components.Schemas.TiersRequest? {
        guard var object = saved?.objectValue else { return nil }
        object["scheme"] = .string(kind.rawValue)
        return try JSONValue.object(object).decoded(as: Components.Schemas.TiersRequest.self)
    }

    static func json(_ mapping: KPIEventMapping) -> JSONValue {
        [
            "exposures": .array(mapping.exposures.map(JSONValue.string)), "pageAndScreenAreExposures": .bool(mapping.pageAndScreenAreExposures),
            "clicks": .array(mapping.clicks.map(JSONValue.string)), "interactions": .array(mapping.interactions.map(JSONValue.string)),
            "conversions": .array(mapping.conversions.map(JSONValue.string)), "keyActions": .array(mapping.keyActions.map(JSONValue.string)),
        ]
    }
}
