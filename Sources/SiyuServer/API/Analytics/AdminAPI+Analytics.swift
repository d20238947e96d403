import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Analytics: funnels (with their people), retention, stickiness, lifecycle, the KPI set, RFM (with
/// its buyers), tiers and their movements, revenue concentration, journey stages, and the status of
/// the in-memory dataset. A query body is the query language of docs/analytics.md, decoded into the
/// contract's request types and read with ``QueryContext``; answers are the contract's structs.
extension AdminAPI {
    /// `GET /api/v1/analytics/status`: what the in-memory dataset holds, its memory, and how it was
    /// kept current (builds, merges, read from its snapshot file). Builds the dataset if needed.
    func analyticsStatus(_ input: Operations.AnalyticsStatus.Input) async throws -> Operations.AnalyticsStatus.Output {
        let workspace = try self.workspace
        _ = try await cache.dataset(workspaceId: workspace.id)
        guard let status = await cache.status(workspaceId: workspace.id) else { throw APIError.notFound("no analytics dataset yet") }
        return .ok(.init(body: .json(.init(status))))
    }

    func funnel(_ input: Operations.Funnel.Input) async throws -> Operations.Funnel.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let (workspace, calendar) = (context.workspace, context.calendar)
        let query = try body.query(context)
        let compare = body.compare == true
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset) * (compare ? 2 : 1))
        let result = FunnelEngine(dataset: dataset, query: query, calendar: calendar, now: context.now).run()
        var previous: (FunnelResult, FunnelQuery)?
        if compare {
            var earlier = query
            earlier.range = query.range.previous
            earlier.trend = nil
            previous = (FunnelEngine(dataset: dataset, query: earlier, calendar: calendar, now: context.now).run(), earlier)
        }
        return .ok(.init(body: .json(.init(result, query: query, previous: previous))))
    }

    /// People of a funnel step: `"step": k, "status": "dropped"` (reached step k−1, not k) or
    /// `"reached"`; paged by person id (`limit`, `cursor`), or all as CSV with `?format=csv`.
    func funnelPeople(_ input: Operations.FunnelPeople.Input) async throws -> Operations.FunnelPeople.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let query = try body.funnel.query(context)
        let (step, status) = try body.step(steps: query.steps.count)
        let dataset = try await cache.dataset(workspaceId: context.workspace.id, propertyKeys: query.propertyKeys)
        let engine = FunnelEngine(dataset: dataset, query: query, calendar: context.calendar, now: context.now)
        let people = engine.people(at: step, status, in: engine.outcomes())
        if input.query.format == "csv" {
            let body = CSVResponse.body(header: PeopleList.csvHeader, count: people.count) { PeopleList.csvRow(dataset, people[$0]) }
            let name = CSVResponse.disposition("funnel-step-\(step)-\(status.rawValue).csv")
            return .ok(.init(headers: .init(contentDisposition: name), body: .csv(body)))
        }
        let (page, nextCursor) = try PeopleList.page(people, dataset: dataset, limit: body.limit, cursor: body.cursor)
        let entries = page.map { Components.Schemas.AnalyticsPerson(dataset, people[$0]) }
        return .ok(.init(body: .json(.init(total: people.count, people: entries, nextCursor: nextCursor))))
    }

    func retention(_ input: Operations.Retention.Input) async throws -> Operations.Retention.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let query = try body.query(context)
        let dataset = try await cache.dataset(workspaceId: context.workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = RetentionEngine(dataset: dataset, query: query, calendar: context.calendar, now: context.now).run()
        return .ok(.init(body: .json(.init(result))))
    }

    func stickiness(_ input: Operations.Stickiness.Input) async throws -> Operations.Stickiness.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let query = try body.query(context)
        let dataset = try await cache.dataset(workspaceId: context.workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = StickinessEngine(dataset: dataset, query: query, calendar: context.calendar, now: context.now).run()
        return .ok(.init(body: .json(.init(result))))
    }

    func lifecycle(_ input: Operations.Lifecycle.Input) async throws -> Operations.Lifecycle.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let query = try body.query(context)
        let dataset = try await cache.dataset(workspaceId: context.workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = LifecycleEngine(dataset: dataset, query: query, calendar: context.calendar, now: context.now).run()
        return .ok(.init(body: .json(.init(result))))
    }

    /// The KPI set, with the saved KPI event mapping where the request gives none.
    func kpis(_ input: Operations.Kpis.Input) async throws -> Operations.Kpis.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let kpis = KPIService(store: settings, cache: cache)
        let query = try await kpis.query(body, context)
        let result = try await kpis.run(query, workspaceId: context.workspace.id, calendar: context.calendar, now: context.now)
        return .ok(.init(body: .json(.init(result, currency: context.workspace.currency))))
    }

    /// RFM over the range; with `"save": true` the classes become the labels `rfm11` and `rfm8`
    /// (segments can use them, movements are recorded).
    func rfm(_ input: Operations.Rfm.Input) async throws -> Operations.Rfm.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try self.workspace
        let query = try body.query(try queryContext())
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = RFMEngine(dataset: dataset, query: query).run()
        var saved: Components.Schemas.RFMSaved?
        if body.save == true {
            guard query.people == nil else { throw QueryContext.fail("saved classes cover everyone: drop `people` to save", "save") }
            let eleven = try await labels.saveLabels(workspaceId: workspace.id, scheme: "rfm11", assignments: result.segmentLabels)
            let eight = try await labels.saveLabels(workspaceId: workspace.id, scheme: "rfm8", assignments: result.classLabels)
            saved = .init(rfm11: eleven.changed, rfm8: eight.changed)
        }
        return .ok(.init(body: .json(.init(result, query: query, currency: workspace.currency, saved: saved))))
    }

    /// The buyers of one RFM class (`"class": "importantValue"`) or segment (`"segment": "atRisk"`),
    /// paged, or all as CSV with each buyer's R, F and M values and scores.
    func rfmPeople(_ input: Operations.RfmPeople.Input) async throws -> Operations.RfmPeople.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try self.workspace
        let query = try body.rfm.query(try queryContext())
        let (rfmClass, segment) = try body.group()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let rows = RFMEngine(dataset: dataset, query: query).run().rows
            .filter { row in rfmClass.map { row.rfmClass == $0 } ?? (row.segment == segment) }
        let people = rows.compactMap { dataset.personIndex(of: $0.personId) }
        let asOf = Timestamp.iso8601(query.asOf)
        let currency = workspace.currency
        if input.query.format == "csv" {
            let header = PeopleList.csvHeader + ["asOf", "recencyDays", "frequency", "monetary", "lastOrder", "r", "f", "m", "segment", "class"]
            let body = CSVResponse.body(header: header, count: people.count) { index in
                let row = rows[index]
                return PeopleList.csvRow(dataset, people[index]) + [
                    asOf, String(row.recencyDays), String(row.frequency), Money(minorUnits: row.monetary, currency: currency).decimalText,
                    Timestamp.iso8601(row.lastOrder), String(row.r), String(row.f), String(row.m), row.segment.rawValue, row.rfmClass.rawValue,
                ]
            }
            let name = CSVResponse.disposition("rfm-\(rfmClass?.rawValue ?? segment?.rawValue ?? "").csv")
            return .ok(.init(headers: .init(contentDisposition: name), body: .csv(body)))
        }
        let (page, nextCursor) = try PeopleList.page(people, dataset: dataset, limit: body.limit, cursor: body.cursor)
        let entries = try page.map { index in
            let row = rows[index]
            let person = Components.Schemas.AnalyticsPerson(dataset, people[index])
            guard let segment = Components.Schemas.RFMSegment(rawValue: row.segment.rawValue),
                let rfmClass = Components.Schemas.RFMClass(rawValue: row.rfmClass.rawValue)
            else { throw APIError(.internalServerError, code: "internal_error", message: "an RFM class the contract does not list") }
            return Components.Schemas.RFMBuyer(
                id: person.id,
                userId: person.userId,
                name: person.name,
                firstChannel: person.firstChannel,
                lastSeen: person.lastSeen,
                recencyDays: row.recencyDays,
                frequency: row.frequency,
                monetary: .init(minorUnits: row.monetary, currency: currency),
                lastOrder: Timestamp.iso8601(row.lastOrder),
                r: row.r,
                f: row.f,
                m: row.m,
                segment: segment,
                _class: rfmClass
            )
        }
        return .ok(.init(body: .json(.init(total: people.count, people: entries, nextCursor: nextCursor, asOf: asOf))))
    }

    /// A tier scheme evaluated now, with the scheme's saved setting where the request gives none;
    /// with `"save": true` the assignments are stored (label `tier.<scheme>`) and the movements of
    /// this evaluation are answered.
    func tiers(_ input: Operations.Tiers.Input) async throws -> Operations.Tiers.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let workspace = context.workspace
        let kind = try body.kind
        try body.refuseFieldsOutside(kind)
        let setting = try await settings.settings(workspaceId: workspace.id)["tiers." + kind.rawValue]
        let scheme = try body.filling(try AnalyticsSettings.tiers(setting, kind)).scheme(context)
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: scheme.propertyKeys)
        let assignment = scheme.assign(dataset, now: context.now)
        var saved: Components.Schemas.TiersSaved?
        if body.save == true {
            let previous = try await labels.labels(workspaceId: workspace.id, scheme: scheme.kind.labelScheme)
            let summary = try await labels.saveLabels(workspaceId: workspace.id, scheme: scheme.kind.labelScheme, assignments: assignment.assignments)
            let movements = TierMovements.compare(previous: previous, current: assignment.assignments).movements
            saved = .init(changed: summary.changed, unchanged: summary.unchanged, movements: movements.map(Components.Schemas.LabelMovement.init))
        }
        return .ok(.init(body: .json(.init(assignment, kind: kind, currency: workspace.currency, saved: saved))))
    }

    /// Stored movements of a scheme (`tier.pyramid`, `rfm8`, …) between `from` and `to`, and its current sizes.
    func tierMovements(_ input: Operations.TierMovements.Input) async throws -> Operations.TierMovements.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let workspace = context.workspace
        let scheme = body.scheme ?? "tier.pyramid"
        let range = try context.range(from: body.from, to: body.to, defaultDays: 30)
        let movements = try await labels.labelMovements(workspaceId: workspace.id, scheme: scheme, from: range.from, to: range.to)
        let current = try await labels.labels(workspaceId: workspace.id, scheme: scheme)
        var sizes: [String: Int] = [:]
        for value in current.values { sizes[value, default: 0] += 1 }
        return .ok(
            .init(
                body: .json(
                    .init(
                        scheme: scheme,
                        current: .init(additionalProperties: sizes),
                        movements: movements.map(Components.Schemas.LabelMovement.init)
                    )
                )
            )
        )
    }

    func concentration(_ input: Operations.Concentration.Input) async throws -> Operations.Concentration.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try self.workspace
        let query = try body.query(try queryContext())
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let result = ConcentrationEngine(dataset: dataset, query: query).run()
        return .ok(.init(body: .json(.init(result, currency: workspace.currency))))
    }

    /// Journey stages, with the saved stages where the request gives none; with `"save": true` each
    /// person's deepest stage becomes the label `journey`.
    func journey(_ input: Operations.Journey.Input) async throws -> Operations.Journey.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let context = try queryContext()
        let workspace = context.workspace
        let setting = try await settings.settings(workspaceId: workspace.id)["journey"]
        let query = try body.filling(try AnalyticsSettings.journey(setting)).query(context)
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = JourneyEngine(dataset: dataset, query: query, now: context.now).run()
        var saved: Components.Schemas.JourneySaved?
        if body.save == true {
            let summary = try await labels.saveLabels(workspaceId: workspace.id, scheme: "journey", assignments: result.assignments)
            saved = .init(changed: summary.changed)
        }
        return .ok(.init(body: .json(.init(result, saved: saved))))
    }

    /// The workspace's calendar and the instant now, for reading a query.
    func queryContext() throws -> QueryContext { try QueryContext(workspace: workspace, now: clock()) }
}
