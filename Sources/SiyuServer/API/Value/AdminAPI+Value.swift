import Foundation
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Customer value: fit the models on the workspace's orders (predictions go onto profiles), the
/// stored fits with their quality report, and the value distribution by decile, churn band and
/// first-touch channel.
extension AdminAPI {
    /// `POST /api/v1/value/fit {"model": "bgnbd"|"pareto"|"mbgnbd", "penalizer": 0.001, "simple": {…}}`;
    /// `simple` sets inputs of the simple formula for this fit (else the saved `valueSimple` setting's).
    func fitValueModel(_ input: Operations.FitValueModel.Input) async throws -> Operations.FitValueModel.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let simple = try body.simple.map { try SimpleLifetimeValue.Inputs(checking: $0, path: "simple.") }
        let model = body.model.flatMap { PurchaseModelKind(rawValue: $0.rawValue) } ?? .bgnbd
        let penalizer = body.penalizer ?? 0
        guard penalizer.isFinite, (0...10).contains(penalizer) else {
            throw APIError.badRequest("penalizer is a number from 0 to 10", field: "penalizer")
        }
        let record = try await valueFitting.run(workspace: workspace, now: clock(), model: model, penalizer: penalizer, simpleInputs: simple)
        return .ok(.init(body: .json(try .init(record))))
    }

    /// `GET /api/v1/value/models`: the 20 newest fits.
    func listValueModels(_ input: Operations.ListValueModels.Input) async throws -> Operations.ListValueModels.Output {
        let workspace = try workspace
        let fits = try await attributes.valueFits(workspaceId: workspace.id, limit: 20)
        return .ok(.init(body: .json(.init(fits: try fits.map(Components.Schemas.ValueModelFit.init)))))
    }

    /// `GET /api/v1/value/summary`: CLV deciles, people per churn band, and value by first-touch
    /// channel, from the latest fit.
    func getValueSummary(_ input: Operations.GetValueSummary.Input) async throws -> Operations.GetValueSummary.Output {
        let workspace = try workspace
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        let latest = try await attributes.valueFits(workspaceId: workspace.id, limit: 1).first
        return .ok(.init(body: .json(try .init(dataset: dataset, workspace: workspace, latestFit: latest, now: clock()))))
    }
}

extension SimpleLifetimeValue.Inputs {
    /// The contract's inputs, checked; a mistake names its field under `path`.
    init(checking inputs: Components.Schemas.ValueSimpleInputs, path: String) throws {
        self.init(
            averageRevenuePerUser: inputs.averageRevenuePerUser,
            retentionRate: inputs.retentionRate,
            averageLifetime: inputs.averageLifetime,
            coefficient: inputs.coefficient
        )
        if let problem = problems().first { throw APIError.badRequest(problem.message, field: path + problem.field) }
    }
}

extension Components.Schemas.ValueModelFit {
    init(_ record: ValueFitRecord) throws {
        guard let model = ModelPayload(rawValue: record.model) else {
            throw APIError(.internalServerError, code: "internal_error", message: "fit \(record.id) has the unknown model \(record.model)")
        }
        let report = (try? JSONParser.parse(record.report))?.objectValue ?? [:]
        self.init(
            id: record.id,
            model: model,
            fittedAt: Timestamp.iso8601(record.fittedAt),
            cutoff: Timestamp.iso8601(record.cutoff),
            customers: record.customers,
            report: OpenAPIObjectContainer(report)
        )
    }
}

extension Components.Schemas.ValueSummary {
    /// CLV deciles, people per churn band, recency bands as of `now` (they move every day, without
    /// a refit), and value by first-touch channel; 409 `not_fitted` before the first fit.
    init(dataset: Dataset, workspace: Workspace, latestFit: ValueFitRecord?, now: Int64) throws {
        guard let clv = dataset.attributes[WorkspaceValue.Attribute.clv] else {
            throw APIError(.conflict, code: "not_fitted", message: "no customer-value fit yet: POST /api/v1/value/fit first")
        }
        let number = AnalyticsNumber.rounded
        var values: [(person: Int, value: Double)] = []
        for p in 0..<dataset.personCount where !clv[p].isNaN { values.append((p, clv[p])) }
        values.sort { $0.value > $1.value }
        let total = values.reduce(0) { $0 + $1.value }
        var deciles: [Components.Schemas.ValueDecile] = []
        for decile in 0..<(values.isEmpty ? 0 : 10) {
            let lower = values.count * decile / 10
            let upper = values.count * (decile + 1) / 10
            guard upper > lower else { continue }
            let slice = values[lower..<upper]
            let sum = slice.reduce(0) { $0 + $1.value }
            deciles.append(
                .init(
                    decile: decile + 1,
                    people: slice.count,
                    totalCLV: number(sum),
                    meanCLV: number(sum / Double(slice.count)),
                    minCLV: number(slice.last!.value),
                    share: number(total > 0 ? sum / total : nil)
                )
            )
        }
        var churn: [ChurnRisk: Int] = [:]
        if let alive = dataset.attributes[WorkspaceValue.Attribute.probabilityAlive] {
            for p in 0..<dataset.personCount where !alive[p].isNaN { churn[ChurnRisk(probabilityAlive: alive[p]), default: 0] += 1 }
        }
        var recencyBands: [ChurnRisk: Int] = [:]
        var recencyRule: Components.Schemas.ValueRecencyRule?
        if let calendar = LocalCalendar.zone(workspace.timeZone), let recency = RecencyBands.evaluate(dataset, calendar: calendar, now: now) {
            for band in recency.people.values { recencyBands[band, default: 0] += 1 }
            recencyRule = .init(
                repurchaseCycleDays: number(recency.bands.cycleDays),
                gaps: recency.bands.gaps,
                yellowAfterDays: number(recency.bands.yellowAfterDays),
                redAfterDays: number(recency.bands.redAfterDays)
            )
        }
        let report = latestFit.flatMap { try? JSONParser.parse($0.report) }
        let usesSimple = report?["recommendsSimpleFormula"]?.boolValue == true
        var channels: [String: (people: Int, clv: Double, revenue: Int64)] = [:]
        for (p, value) in values {
            let channel = dataset.channelName(dataset.firstChannel[p])
            var revenue: Int64 = 0
            for e in dataset.eventStart(p)..<dataset.eventEnd(p) where dataset.isOrder[e] { revenue.addSaturated(dataset.revenue[e]) }
            let current = channels[channel] ?? (0, 0, 0)
            channels[channel] = (current.people + 1, current.clv + value, current.revenue.addingSaturated(revenue))
        }
        self.init(
            currency: workspace.currency,
            customers: values.count,
            totalCLV: number(total),
            deciles: deciles,
            clvMonths: CustomerValueFit.Request().lifetimeValue.months,
            clvSource: usesSimple ? .simple : .model,
            churnBands: .init(churn),
            recencyBands: .init(recencyBands),
            recencyRule: recencyRule,
            byFirstChannel: channels.sorted { ($0.value.clv, $1.key) > ($1.value.clv, $0.key) }.map { channel, entry in
                .init(
                    channel: channel,
                    customers: entry.people,
                    totalCLV: number(entry.clv),
                    meanCLV: number(entry.clv / Double(entry.people)),
                    revenueSoFar: .init(Money(minorUnits: entry.revenue, currency: workspace.currency))
                )
            }
        )
    }
}

extension Components.Schemas.ValueBands {
    init(_ counts: [ChurnRisk: Int]) {
        self.init(red: counts[.red] ?? 0, yellow: counts[.yellow] ?? 0, green: counts[.green] ?? 0)
    }
}

extension Components.Schemas.AnalyticsMoney {
    init(_ money: Money) {
        self.init(amount: money.decimalText, minorUnits: money.minorUnits, currency: money.currency)
    }
}
