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
        try reader.refuseUnknownFields(QueryFields.funnel, query: "funnel")
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
        try reader.refuseUnknownFields(QueryFields.funnelPeople, query: "funnel people")
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
        try reader.refuseUnknownFields(QueryFields.retention, query: "retention")
        let query = try reader.retention()
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: query.propertyKeys)
        try AnswerSize.check(query.answerCells(in: dataset))
        let result = RetentionEngine(dataset: dataset, query: query, calendar: calendar, now: reader.now).run()
        return JSONResponse.make(AnalyticsJSON.retention(result))
    }
}

/// Paged lists of people (JSON) and their CSV export.
enum PeopleList {
    /// Columns a list adds to each person (by position in the list) and fields it adds to the answer.
    struct Extra: Sendable {
        var header: [String]
        var csv: @Sendable (Int) -> [String]
        var json: @Sendable (Int) -> JSONObject
        var answer: JSONObject = [:]
    }

    /// The columns of a person in a CSV list.
    static let csvHeader = ["personId", "userId", "name", "firstChannel", "lastSeen"]

    /// Person `p` of the dataset as a CSV list's row.
    static func csvRow(_ dataset: Dataset, _ p: Int) -> [String] {
        [
            String(dataset.personIds[p]), dataset.userIds[p] ?? "", dataset.traits[p]["name"]?.scalarText ?? "",
            dataset.channelName(dataset.firstChannel[p]), dataset.lastSeen[p] == .min ? "" : Timestamp.iso8601(dataset.lastSeen[p]),
        ]
    }

    static func respond(
        _ request: Request,
        people: [Int],
        dataset: Dataset,
        currency: String,
        reader: QueryReader,
        name: String,
        extra: Extra? = nil
    ) throws -> Response {
        if request.uri.queryParameters.get("format") == "csv" {
            return CSVResponse.stream(filename: name + ".csv", header: csvHeader + (extra?.header ?? []), count: people.count) { index in
                csvRow(dataset, people[index]) + (extra?.csv(index) ?? [])
            }
        }
        let limit = try reader.int("limit", range: 1...1000) ?? 100
        let after = try reader.string("cursor").map { text -> Int64 in
            guard let id = Int64(text) else { throw QueryReader.fail("cursor is not valid", "cursor") }
            return id
        }
        let (page, nextCursor) = Self.page(people, dataset: dataset, limit: limit, after: after)
        var answer: JSONObject = [
            "total": .int(Int64(people.count)),
            "people": .array(
                page.map { index in
                    var entry = AnalyticsJSON.person(dataset, people[index], currency: currency)
                    if let extra, case .object(var object) = entry {
                        for (key, value) in extra.json(index) { object[key] = value }
                        entry = .object(object)
                    }
                    return entry
                }
            ),
            "nextCursor": nextCursor.map(JSONValue.string) ?? .null,
        ]
        for (key, value) in extra?.answer ?? [:] { answer[key] = value }
        return JSONResponse.make(.object(answer))
    }

    /// One page of `people` (dataset indexes) in ascending person id, starting after the person id
    /// `after`: the positions in `people` of the page's entries and the cursor of the next page.
    static func page(_ people: [Int], dataset: Dataset, limit: Int, after: Int64?) -> (positions: ArraySlice<Int>, nextCursor: String?) {
        let order = people.indices.sorted { dataset.personIds[people[$0]] < dataset.personIds[people[$1]] }
        let start = after.map { after in order.firstIndex { dataset.personIds[people[$0]] > after } ?? order.count } ?? 0
        let end = min(order.count, start + limit)
        let next = end < order.count && end > start ? String(dataset.personIds[people[order[end - 1]]]) : nil
        return (order[start..<end], next)
    }
}
