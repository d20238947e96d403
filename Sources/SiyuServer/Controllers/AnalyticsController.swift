import Hummingbird
import OrderedCollections
import SiyuCore
import SiyuStore

/// Admin API for analytics: `POST /api/v1/analytics/{funnel,funnel/people,retention,…}` with a
/// JSON query; answers JSON (people lists also as CSV with `?format=csv`).
struct AnalyticsController: Sendable {
    let store: any SiyuStore
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("analytics/funnel") { request, context in try await self.funnel(request, context) }
        group.post("analytics/funnel/people") { request, context in try await self.funnelPeople(request, context) }
        group.post("analytics/retention") { request, context in try await self.retention(request, context) }
        group.get("analytics/status") { request, context in try await self.status(request, context) }
        addKernelRoutes(to: group)
    }

    /// `GET /api/v1/analytics/status`: what the in-memory dataset holds, its memory, and how it was
    /// kept current (builds, merges, read from its snapshot file). Builds the dataset if needed.
    func status(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        _ = try await cache.dataset(workspaceId: workspace.id)
        guard let status = await cache.status(workspaceId: workspace.id) else { throw APIError.notFound("no analytics dataset yet") }
        let perEvent = { (bytes: Int) -> JSONValue in status.events > 0 ? AnalyticsJSON.number(Double(bytes) / Double(status.events)) : .null }
        return JSONResponse.make([
            "events": .int(Int64(status.events)),
            "people": .int(Int64(status.people)),
            "eventColumnBytes": .int(Int64(status.eventColumnBytes)),
            "eventColumnBytesPerEvent": perEvent(status.eventColumnBytes),
            "residentBytes": .int(Int64(status.residentBytes)),
            "residentBytesPerEvent": perEvent(status.residentBytes),
            "slotsInUse": .int(Int64(status.slotsInUse)),
            "garbageSlots": .int(Int64(status.garbageSlots)),
            "compactions": .int(Int64(status.compactions)),
            "builds": .int(Int64(status.builds)),
            "merges": .int(Int64(status.merges)),
            "lastMergeSeconds": AnalyticsJSON.number(status.lastMergeSeconds),
            "lastBuildSeconds": AnalyticsJSON.number(status.lastBuildSeconds),
            "loadedFromSnapshot": .bool(status.loadedFromSnapshot),
            "eventSeq": status.version.map { .int($0.eventSeq) } ?? .null,
            "peopleVersion": status.version.map { .int($0.peopleVersion) } ?? .null,
        ])
    }

    /// The workspace, its calendar, the parsed body and the current instant.
    func prepare(_ request: Request, _ context: AppRequestContext) async throws -> (Workspace, LocalCalendar, QueryReader) {
        let workspace = try context.requireWorkspace()
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else {
            throw APIError(.internalServerError, code: "internal_error", message: "unknown time zone \(workspace.timeZone)")
        }
        let body = try await JSONBody.read(request)
        return (workspace, calendar, try QueryReader(body, workspace: workspace, calendar: calendar, now: clock()))
    }

    func funnel(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        let query = try reader.funnel()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset) * (try reader.bool("compare") == true ? 2 : 1))
        let result = FunnelEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now).run()
        guard case .object(var object) = AnalyticsJSON.funnel(result, query: query) else { return JSONResponse.make(.null) }
        if try reader.bool("compare") == true {
            var previous = query
            previous.range = query.range.previous
            previous.trend = nil
            let earlier = FunnelEngine(dataset: dataset, query: previous, calendar: calendar, now: reader.now).run()
            object["previous"] = AnalyticsJSON.funnel(earlier, query: previous)
        }
        object["from"] = .string(Timestamp.iso8601(query.range.from))
        object["to"] = .string(Timestamp.iso8601(query.range.to))
        return JSONResponse.make(.object(object))
    }

    /// People of a funnel step: `"step": k, "status": "dropped"` (reached step k−1, not k) or
    /// `"reached"`; paged by person id (`limit`, `cursor`), or all as CSV with `?format=csv`.
    func funnelPeople(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        let query = try reader.funnel()
        guard let step = try reader.int("step", range: 0...(query.steps.count - 1)) else {
            throw QueryReader.fail("step is required", "step")
        }
        guard let status = FunnelStepStatus(rawValue: try reader.string("status") ?? "dropped") else {
            throw QueryReader.fail("status is dropped or reached", "status")
        }
        if status == .dropped && step == 0 { throw QueryReader.fail("nobody drops at the first step; ask for step 1 or later", "step") }
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        let engine = FunnelEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now)
        let people = engine.people(at: step, status, in: engine.outcomes())
        return try PeopleList.respond(
            request,
            people: people,
            dataset: dataset,
            currency: workspace.currency,
            reader: reader,
            name: "funnel-step-\(step)-\(status.rawValue)"
        )
    }

    func retention(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, calendar, reader) = try await prepare(request, context)
        let query = try reader.retention()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = RetentionEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now).run()
        return JSONResponse.make(AnalyticsJSON.retention(result))
    }
}

/// Paged lists of people (JSON) and their CSV export.
enum PeopleList {
    static func respond(
        _ request: Request,
        people: [Int],
        dataset: Dataset,
        currency: String,
        reader: QueryReader,
        name: String
    ) throws -> Response {
        if request.uri.queryParameters.get("format") == "csv" {
            return CSVResponse.stream(
                filename: name + ".csv",
                header: ["personId", "userId", "name", "firstChannel", "lastSeen"],
                count: people.count
            ) { index in
                let p = people[index]
                return [
                    String(dataset.personIds[p]), dataset.userIds[p] ?? "", dataset.traits[p]["name"]?.scalarText ?? "",
                    dataset.channelName(dataset.firstChannel[p]), dataset.lastSeen[p] == .min ? "" : Timestamp.iso8601(dataset.lastSeen[p]),
                ]
            }
        }
        let limit = try reader.int("limit", range: 1...1000) ?? 100
        let after = try reader.string("cursor").map { text -> Int64 in
            guard let id = Int64(text) else { throw QueryReader.fail("cursor is not valid", "cursor") }
            return id
        }
        let page = people.filter { after == nil || dataset.personIds[$0] > after! }.prefix(limit)
        let next = page.count == limit && people.contains { dataset.personIds[$0] > dataset.personIds[page.last!] }
        return JSONResponse.make([
            "total": .int(Int64(people.count)),
            "people": .array(page.map { AnalyticsJSON.person(dataset, $0, currency: currency) }),
            "nextCursor": next ? .string(String(dataset.personIds[page.last!])) : .null,
        ])
    }
}
