import Hummingbird
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// Stickiness, lifecycle, the KPI set, RFM, tiers, revenue concentration and journey stages.
extension AnalyticsController {
    func addKernelRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("analytics/stickiness") { request, context in try await self.stickiness(request, context) }
        group.post("analytics/lifecycle") { request, context in try await self.lifecycle(request, context) }
        group.post("analytics/kpis") { request, context in try await self.kpis(request, context) }
        group.post("analytics/rfm") { request, context in try await self.rfm(request, context) }
        group.post("analytics/rfm/people") { request, context in try await self.rfmPeople(request, context) }
        group.post("analytics/tiers") { request, context in try await self.tiers(request, context) }
        group.post("analytics/tiers/movements") { request, context in try await self.tierMovements(request, context) }
        group.post("analytics/concentration") { request, context in try await self.concentration(request, context) }
        group.post("analytics/journey") { request, context in try await self.journey(request, context) }
    }

    func stickiness(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.stickiness, query: "stickiness")
        let query = try reader.stickiness()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = StickinessEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now).run()
        return JSONResponse.make(AnalyticsJSON.stickiness(result))
    }

    func lifecycle(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.lifecycle, query: "lifecycle")
        let query = try reader.lifecycle()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = LifecycleEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now).run()
        return JSONResponse.make(AnalyticsJSON.lifecycle(result))
    }

    func kpis(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.kpis, query: "KPI")
        let kpis = KPIService(store: store, cache: cache)
        let query = try await kpis.query(reader, workspaceId: workspace.id)
        let result = try await kpis.run(query, workspaceId: workspace.id, calendar: calendar, now: reader.now)
        return JSONResponse.make(AnalyticsJSON.kpis(result, currency: workspace.currency))
    }

    /// RFM over the range; with `"save": true` the classes become the labels `rfm11` and `rfm8`
    /// (segments can use them, movements are recorded).
    func rfm(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.rfm, query: "RFM")
        let query = try reader.rfm()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = RFMEngine(dataset: dataset, query: query).run()
        guard case .object(var object) = AnalyticsJSON.rfm(result, currency: workspace.currency) else { return JSONResponse.make(.null) }
        object["asOf"] = .string(Timestamp.iso8601(query.asOf))
        if try reader.bool("save") == true {
            guard query.people == nil else { throw QueryReader.fail("saved classes cover everyone: drop `people` to save", "save") }
            let eleven = try await store.saveLabels(workspaceId: workspace.id, scheme: "rfm11", assignments: result.segmentLabels)
            let eight = try await store.saveLabels(workspaceId: workspace.id, scheme: "rfm8", assignments: result.classLabels)
            object["saved"] = ["rfm11": .int(Int64(eleven.changed)), "rfm8": .int(Int64(eight.changed))]
        }
        return JSONResponse.make(.object(object))
    }

    /// The buyers of one RFM class (`"class": "importantValue"`) or segment (`"segment": "atRisk"`), paged or CSV.
    func rfmPeople(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.rfmPeople, query: "RFM people")
        let query = try reader.rfm()
        let rfmClass = try reader.string("class").map { code -> RFMClass in
            guard let value = RFMClass(rawValue: code) else { throw QueryReader.fail("unknown RFM class `\(code)`", "class") }
            return value
        }
        let segment = try reader.string("segment").map { code -> RFMSegment in
            guard let value = RFMSegment(rawValue: code) else { throw QueryReader.fail("unknown RFM segment `\(code)`", "segment") }
            return value
        }
        guard (rfmClass == nil) != (segment == nil) else { throw QueryReader.fail("give a class or a segment", "class") }
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let rows = RFMEngine(dataset: dataset, query: query).run().rows
            .filter { row in rfmClass.map { row.rfmClass == $0 } ?? (row.segment == segment) }
        let people = rows.compactMap { dataset.personIndex(of: $0.personId) }
        let asOf = Timestamp.iso8601(query.asOf)
        // Each person's own R, F and M values and scores beside the usual columns.
        let scores = PeopleList.Extra(
            header: ["asOf", "recencyDays", "frequency", "monetary", "lastOrder", "r", "f", "m", "segment", "class"],
            csv: { index in
                let row = rows[index]
                return [
                    asOf, String(row.recencyDays), String(row.frequency),
                    Money(minorUnits: row.monetary, currency: workspace.currency).decimalText, Timestamp.iso8601(row.lastOrder),
                    String(row.r), String(row.f), String(row.m), row.segment.rawValue, row.rfmClass.rawValue,
                ]
            },
            json: { index in
                let row = rows[index]
                return [
                    "recencyDays": .int(Int64(row.recencyDays)), "frequency": .int(Int64(row.frequency)),
                    "monetary": AnalyticsJSON.money(row.monetary, workspace.currency), "lastOrder": .string(Timestamp.iso8601(row.lastOrder)),
                    "r": .int(Int64(row.r)), "f": .int(Int64(row.f)), "m": .int(Int64(row.m)),
                    "segment": .string(row.segment.rawValue), "class": .string(row.rfmClass.rawValue),
                ]
            },
            answer: ["asOf": .string(asOf)]
        )
        return try PeopleList.respond(
            request,
            people: people,
            dataset: dataset,
            currency: workspace.currency,
            reader: reader,
            name: "rfm-\(rfmClass?.rawValue ?? segment!.rawValue)",
            extra: scores
        )
    }

    /// A tier scheme evaluated now; with `"save": true` the assignments are stored (label
    /// `tier.<scheme>`) and the movements of this evaluation are answered.
    func tiers(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, request) = try await prepare(request, context)
        let saved = try await store.settings(workspaceId: workspace.id)
        let name = try request.string("scheme") ?? TierScheme.Kind.pyramid.rawValue
        guard let kind = TierScheme.Kind(rawValue: name) else {
            throw QueryReader.fail("scheme must be one of \(TierScheme.Kind.allCases.map(\.rawValue).joined(separator: ", "))", "scheme")
        }
        try request.refuseUnknownFields(QueryFields.tiers(kind), query: "\(name) tier")
        let reader = try request.filling(saved["tiers." + name]?.objectValue ?? [:])
        let scheme = try reader.tierScheme()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: scheme.propertyKeys)
        let assignment = scheme.assign(dataset, now: reader.now)
        guard case .object(var object) = AnalyticsJSON.tiers(assignment, currency: workspace.currency) else { return JSONResponse.make(.null) }
        if try reader.bool("save") == true {
            let previous = try await store.labels(workspaceId: workspace.id, scheme: scheme.kind.labelScheme)
            let summary = try await store.saveLabels(workspaceId: workspace.id, scheme: scheme.kind.labelScheme, assignments: assignment.assignments)
            let movements = TierMovements.compare(previous: previous, current: assignment.assignments)
            object["saved"] = [
                "changed": .int(Int64(summary.changed)), "unchanged": .int(Int64(summary.unchanged)),
                "movements": AnalyticsJSON.movements(
                    movements.matrix.flatMap { from, row in
                        row.map { to, people in
                            LabelMovement(
                                from: from == TierMovements.noTier ? nil : from,
                                to: to == TierMovements.noTier ? nil : to,
                                people: people
                            )
                        }
                    }.filter { $0.from != $0.to }.sorted { ($0.people, $1.from ?? "", $1.to ?? "") > ($1.people, $0.from ?? "", $0.to ?? "") }
                ),
            ]
        }
        return JSONResponse.make(.object(object))
    }

    /// Stored movements of a scheme (`tier.pyramid`, `rfm8`, …) between `from` and `to`.
    func tierMovements(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.tierMovements, query: "tier movement")
        let scheme = try reader.string("scheme") ?? "tier.pyramid"
        let range = try reader.range(defaultDays: 30)
        let movements = try await store.labelMovements(workspaceId: workspace.id, scheme: scheme, from: range.from, to: range.to)
        let current = try await store.labels(workspaceId: workspace.id, scheme: scheme)
        var sizes: [String: Int] = [:]
        for value in current.values { sizes[value, default: 0] += 1 }
        return JSONResponse.make([
            "scheme": .string(scheme),
            "current": .object(JSONObject(uniqueKeysWithValues: sizes.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
            "movements": AnalyticsJSON.movements(movements),
        ])
    }

    func concentration(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, reader) = try await prepare(request, context)
        try reader.refuseUnknownFields(QueryFields.concentration, query: "concentration")
        let query = try reader.concentration()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let result = ConcentrationEngine(dataset: dataset, query: query).run()
        return JSONResponse.make(AnalyticsJSON.concentration(result, currency: workspace.currency))
    }

    /// Journey stages; with `"save": true` each person's deepest stage becomes the label `journey`.
    func journey(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, _, request) = try await prepare(request, context)
        try request.refuseUnknownFields(QueryFields.journey, query: "journey")
        let saved = try await store.settings(workspaceId: workspace.id)
        let reader = try request.filling(saved["journey"]?.objectValue ?? [:])
        let query = try reader.journey()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = JourneyEngine(dataset: dataset, query: query, now: reader.now).run()
        guard case .object(var object) = AnalyticsJSON.journey(result) else { return JSONResponse.make(.null) }
        if try reader.bool("save") == true {
            let summary = try await store.saveLabels(workspaceId: workspace.id, scheme: "journey", assignments: result.assignments)
            object["saved"] = ["changed": .int(Int64(summary.changed))]
        }
        return JSONResponse.make(.object(object))
    }
}
