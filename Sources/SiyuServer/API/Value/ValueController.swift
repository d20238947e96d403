import Hummingbird
import SiyuCore
import SiyuStore

/// Admin API for customer value: fit the models on the workspace's orders (predictions go onto
/// profiles), the stored fits with their quality report, and the value distribution by decile,
/// churn band and first-touch channel.
struct ValueController: Sendable {
    let store: any SiyuStore
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("value/fit") { request, context in try await self.fit(request, context) }
        group.get("value/models") { request, context in try await self.models(request, context) }
        group.get("value/summary") { request, context in try await self.summary(request, context) }
    }

    /// `POST /api/v1/value/fit {"model": "bgnbd"|"pareto"|"mbgnbd", "penalizer": 0.001, "simple": {…}}`;
    /// `simple` sets inputs of the simple formula for this fit (else the saved `valueSimple` setting's).
    func fit(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let body = try await JSONBody.read(request)
        guard case .object(let object) = body else { throw APIError.badRequest("the request body must be a JSON object") }
        if let unknown = object.keys.first(where: { !["model", "penalizer", "simple"].contains($0) }) {
            throw APIError.badRequest("unknown field `\(unknown)`", field: unknown)
        }
        let simple = try object["simple"].flatMap { $0.isNull ? nil : try Self.simpleInputs($0, path: "simple.") }
        var model = PurchaseModelKind.bgnbd
        if let name = object["model"], !name.isNull {
            guard let text = name.stringValue, let kind = PurchaseModelKind(rawValue: text) else {
                throw APIError.badRequest("model is bgnbd, pareto or mbgnbd", field: "model")
            }
            model = kind
        }
        var penalizer = 0.0
        if let value = object["penalizer"], !value.isNull {
            guard let number = value.doubleValue, number >= 0, number <= 10 else {
                throw APIError.badRequest("penalizer is a number from 0 to 10", field: "penalizer")
            }
            penalizer = number
        }
        let record = try await ValueFitting(store: store, cache: cache).run(
            workspace: workspace,
            now: clock(),
            model: model,
            penalizer: penalizer,
            simpleInputs: simple
        )
        return JSONResponse.make(Self.json(record))
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
        settings[SettingsController.valueSimpleKey].flatMap { try? simpleInputs($0) } ?? .init()
    }

    func models(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let fits = try await store.valueFits(workspaceId: workspace.id, limit: 20)
        return JSONResponse.make(["fits": .array(fits.map(Self.json))])
    }

    /// CLV deciles, people per churn band, and value by first-touch channel, from the latest fit.
    func summary(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        guard let clv = dataset.attributes[WorkspaceValue.Attribute.clv] else {
            throw APIError(.conflict, code: "not_fitted", message: "no customer-value fit yet: POST /api/v1/value/fit first")
        }
        let alive = dataset.attributes[WorkspaceValue.Attribute.probabilityAlive]
        var values: [(person: Int, value: Double)] = []
        for p in 0..<dataset.personCount where !clv[p].isNaN { values.append((p, clv[p])) }
        values.sort { $0.value > $1.value }
        let total = values.reduce(0) { $0 + $1.value }
        var deciles: [JSONValue] = []
        if !values.isEmpty {
            for decile in 0..<10 {
                let lower = values.count * decile / 10
                let upper = values.count * (decile + 1) / 10
                guard upper > lower else { continue }
                let slice = values[lower..<upper]
                let sum = slice.reduce(0) { $0 + $1.value }
                deciles.append([
                    "decile": .int(Int64(decile + 1)), "people": .int(Int64(slice.count)), "totalCLV": AnalyticsJSON.number(sum),
                    "meanCLV": AnalyticsJSON.number(sum / Double(slice.count)), "minCLV": AnalyticsJSON.number(slice.last!.value),
                    "share": AnalyticsJSON.number(total > 0 ? sum / total : nil),
                ])
            }
        }
        var bands: [String: Int] = ["red": 0, "yellow": 0, "green": 0]
        if let alive {
            for p in 0..<dataset.personCount where !alive[p].isNaN { bands[ChurnRisk(probabilityAlive: alive[p]).rawValue, default: 0] += 1 }
        }
        // Recency bands as of now (they move every day, without a refit).
        var recencyBands: [String: Int] = ["red": 0, "yellow": 0, "green": 0]
        var recencyRule: JSONValue = .null
        if let calendar = LocalCalendar.zone(workspace.timeZone), let recency = RecencyBands.evaluate(dataset, calendar: calendar, now: clock()) {
            for band in recency.people.values { recencyBands[band.rawValue, default: 0] += 1 }
            recencyRule = [
                "repurchaseCycleDays": AnalyticsJSON.number(recency.bands.cycleDays), "gaps": .int(Int64(recency.bands.gaps)),
                "yellowAfterDays": AnalyticsJSON.number(recency.bands.yellowAfterDays),
                "redAfterDays": AnalyticsJSON.number(recency.bands.redAfterDays),
            ]
        }
        let latest = try await store.valueFits(workspaceId: workspace.id, limit: 1).first
        let report = latest.flatMap { try? JSONParser.parse($0.report) }
        let usesSimple = report?["recommendsSimpleFormula"]?.boolValue == true
        var channels: [String: (people: Int, clv: Double, revenue: Int64)] = [:]
        for (p, value) in values {
            let channel = dataset.channelName(dataset.firstChannel[p])
            var revenue: Int64 = 0
            for e in dataset.eventStart(p)..<dataset.eventEnd(p) where dataset.isOrder[e] { revenue.addSaturated(dataset.revenue[e]) }
            let current = channels[channel] ?? (0, 0, 0)
            channels[channel] = (current.people + 1, current.clv + value, current.revenue.addingSaturated(revenue))
        }
        return JSONResponse.make([
            "currency": .string(workspace.currency),
            "customers": .int(Int64(values.count)),
            "totalCLV": AnalyticsJSON.number(total),
            "deciles": .array(deciles),
            "clvMonths": .int(Int64(CustomerValueFit.Request().lifetimeValue.months)),
            "clvSource": .string(usesSimple ? "simple" : "model"),
            "churnBands": ["red": .int(Int64(bands["red"]!)), "yellow": .int(Int64(bands["yellow"]!)), "green": .int(Int64(bands["green"]!))],
            "recencyBands": [
                "red": .int(Int64(recencyBands["red"]!)), "yellow": .int(Int64(recencyBands["yellow"]!)),
                "green": .int(Int64(recencyBands["green"]!)),
            ],
            "recencyRule": recencyRule,
            "byFirstChannel": .array(
                channels.sorted { ($0.value.clv, $1.key) > ($1.value.clv, $0.key) }.map { channel, entry in
                    [
                        "channel": .string(channel), "customers": .int(Int64(entry.people)), "totalCLV": AnalyticsJSON.number(entry.clv),
                        "meanCLV": AnalyticsJSON.number(entry.clv / Double(entry.people)),
                        "revenueSoFar": AnalyticsJSON.money(entry.revenue, workspace.currency),
                    ]
                }
            ),
        ])
    }

    static func json(_ record: ValueFitRecord) -> JSONValue {
        [
            "id": .int(record.id), "model": .string(record.model), "fittedAt": .string(Timestamp.iso8601(record.fittedAt)),
            "cutoff": .string(Timestamp.iso8601(record.cutoff)), "customers": .int(Int64(record.customers)),
            "report": (try? JSONParser.parse(record.report)) ?? .string(record.report),
        ]
    }
}

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

    let store: any SiyuStore
    let cache: AnalyticsCache

    public init(store: any SiyuStore, cache: AnalyticsCache) {
        self.store = store
        self.cache = cache
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
        if simpleInputs == nil { simple = ValueController.savedSimpleInputs(try await store.settings(workspaceId: workspace.id)) }
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
