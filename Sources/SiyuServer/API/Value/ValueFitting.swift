import SiyuCore
import SiyuStore

/// Fits a workspace's customer value and writes the predictions onto its people (the API, the
/// daily job and `siyu value fit --workspace` share it).
public struct ValueFitting: Sendable {
    /// The steps, for a progress display.
    public enum Step: Int, Sendable, CaseIterable {
        case loading = 1
        case fitting, writing

        public var note: String {
            switch self {
            case .loading: return "loading orders"
            case .fitting: return "fitting the models"
            case .writing: return "writing predictions onto people"
            }
        }
    }

    let store: any AttributeRepository & LabelRepository & SettingsRepository
    let cache: AnalyticsCache

    public init(store: any AttributeRepository & LabelRepository & SettingsRepository, cache: AnalyticsCache) {
        self.store = store
        self.cache = cache
    }

    /// The simple formula's inputs an operator sets: `{"averageRevenuePerUser": 12.5 (per week, in the
    /// workspace currency), "retentionRate": 0.3, "averageLifetime": 20 (weeks), "coefficient": 0.4}`,
    /// any of them (a `null` or missing one is estimated from the data).
    static func simpleInputs(_ value: JSONValue, path: String = "") throws -> SimpleLifetimeValue.Inputs {
        guard case .object(let object) = value else {
            throw APIError.badRequest("the simple formula's inputs are an object", field: path.isEmpty ? nil : String(path.dropLast()))
        }
        let names = ["averageRevenuePerUser", "retentionRate", "averageLifetime", "coefficient"]
        if let unknown = object.keys.first(where: { !names.contains($0) }) {
            throw APIError.badRequest(
                "the simple formula has no input `\(unknown)`; its inputs are \(names.joined(separator: ", "))",
                field: path + unknown
            )
        }
        func number(_ key: String) throws -> Double? {
            guard let value = object[key], !value.isNull else { return nil }
            guard let number = value.doubleValue else { throw APIError.badRequest("\(key) must be a number", field: path + key) }
            return number
        }
        let inputs = SimpleLifetimeValue.Inputs(
            averageRevenuePerUser: try number("averageRevenuePerUser"),
            retentionRate: try number("retentionRate"),
            averageLifetime: try number("averageLifetime"),
            coefficient: try number("coefficient")
        )
        if let problem = inputs.problems().first { throw APIError.badRequest(problem.message, field: path + problem.field) }
        return inputs
    }

    /// The saved `valueSimple` setting's inputs (none when unset or no longer readable).
    static func savedSimpleInputs(_ settings: JSONObject) -> SimpleLifetimeValue.Inputs {
        settings[AnalyticsSettings.valueSimpleKey].flatMap { try? simpleInputs($0) } ?? .init()
    }

    public func run(
        workspace: Workspace,
        now: Int64,
        model: PurchaseModelKind = .bgnbd,
        penalizer: Double = 0,
        simpleInputs: SimpleLifetimeValue.Inputs? = nil,
        progress: (Step) -> Void = { _ in }
    ) async throws -> ValueFitRecord {
        progress(.loading)
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else {
            throw APIError(.internalServerError, code: "internal_error", message: "unknown time zone \(workspace.timeZone)")
        }
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        var simple = simpleInputs ?? .init()
        if simpleInputs == nil { simple = Self.savedSimpleInputs(try await store.settings(workspaceId: workspace.id)) }
        // Whole local days: orders up to the start of today.
        let cutoff = calendar.start(ofDay: calendar.day(now))
        progress(.fitting)
        let exponent = Money.exponent(of: workspace.currency)
        let inputs = simple
        try await cache.valueFits.enter(workspace.id)
        let outcome: Result<WorkspaceValue, any Error>
        do {
            outcome = .success(
                try await HeavyWork.run {
                    try WorkspaceValue.fit(
                        dataset: dataset,
                        calendar: calendar,
                        cutoff: cutoff,
                        exponent: exponent,
                        model: model,
                        penalizer: penalizer,
                        simpleInputs: inputs
                    )
                }
            )
        } catch {
            outcome = .failure(error)
        }
        await cache.valueFits.leave(workspace.id)
        let value: WorkspaceValue
        do {
            value = try outcome.get()
        } catch let error as ValueModelError {
            throw APIError(.unprocessableContent, code: "cannot_fit", message: error.message)
        }
        let record = ValueFitRecord(
            id: 0,
            model: model.rawValue,
            fittedAt: now,
            cutoff: cutoff,
            customers: value.customers,
            report: value.fit.jsonReport()
        )
        progress(.writing)
        let stored = try await store.saveValueFit(workspaceId: workspace.id, fit: record, attributes: value.attributes)
        _ = try await store.saveLabels(workspaceId: workspace.id, scheme: WorkspaceValue.churnLabel, assignments: value.churnBands)
        _ = try await store.saveLabels(workspaceId: workspace.id, scheme: WorkspaceValue.recencyLabel, assignments: value.recencyBands)
        return stored
    }
}
