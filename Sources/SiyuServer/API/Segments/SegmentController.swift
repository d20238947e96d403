import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SiyuCore
import SiyuStore

/// Admin API for segments: saved groups of people, dynamic (a rule, refreshed on a schedule and
/// on demand) or static (a frozen list, also from CSV), with members, size history and export.
struct SegmentController: Sendable {
    let store: any SiyuStore
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("segments") { request, context in try await self.list(request, context) }
        group.post("segments") { request, context in try await self.create(request, context) }
        group.post("segments/preview") { request, context in try await self.preview(request, context) }
        group.get("segments/:id") { request, context in try await self.show(request, context) }
        group.patch("segments/:id") { request, context in try await self.update(request, context) }
        group.delete("segments/:id") { request, context in try await self.delete(request, context) }
        group.post("segments/:id/refresh") { request, context in try await self.refresh(request, context) }
        group.get("segments/:id/members") { request, context in try await self.members(request, context) }
        group.post("segments/:id/members") { request, context in try await self.setMembers(request, context) }
        group.get("segments/:id/sizes") { request, context in try await self.sizes(request, context) }
        group.get("people/:id/segments") { request, context in try await self.personSegments(request, context) }
    }

    // MARK: - Handlers

    func list(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let segments = try await store.segments(workspaceId: workspace.id)
        return JSONResponse.make(["segments": .array(segments.map(Self.json))])
    }

    /// `POST /api/v1/segments {"name", "description"?, "kind": "dynamic"|"static", "rule"?,
    /// "refreshMinutes"?, "people"?: [ids]}`: a dynamic segment is computed at once; a static one
    /// is frozen from `people`, or from `rule` evaluated now.
    func create(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let body = try await JSONBody.read(request)
        let reader = try reader(body, workspace)
        var draft = try draft(reader, creating: true)
        let rule = try reader.body["rule"].map { try reader.rule($0, path: "rule") }
        let listed = try people(reader.body["people"], field: "people")
        let kind = draft.kind ?? .dynamic
        draft.kind = kind
        if kind == .dynamic && rule == nil { throw APIError.badRequest("a dynamic segment needs a rule", field: "rule") }
        if kind == .static && rule != nil && listed != nil {
            throw APIError.badRequest("a static segment is built from a rule or from people, not both", field: "people")
        }
        if kind == .static, case .some(.some) = draft.refreshMinutes {
            throw APIError.badRequest("a static segment is frozen: it has no refresh schedule", field: "refreshMinutes")
        }
        if let rule = reader.body["rule"] { draft.rule = JSONWriter.string(rule) }
        let segment = try await store.createSegment(workspaceId: workspace.id, draft: draft)
        let filled: SegmentRecord
        if let listed {
            filled = try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: listed)
        } else if let rule {
            filled = try await fill(segment, rule: rule, workspace: workspace, now: reader.now)
        } else {
            filled = try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: [])
        }
        return JSONResponse.make(Self.json(filled), status: .created)
    }

    /// `POST /api/v1/segments/preview {"rule"}`: how many people match now, and a few of them —
    /// the live count of the rule builder; nothing is saved.
    func preview(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let reader = try reader(try await JSONBody.read(request), workspace)
        guard let value = reader.body["rule"] else { throw APIError.badRequest("rule is required", field: "rule") }
        let rule = try reader.rule(value, path: "rule")
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: rule.propertyKeys)
        let members = PersonRuleEvaluator(rule, dataset: dataset, now: reader.now).members()
        return JSONResponse.make([
            "count": .int(Int64(members.count)),
            "people": .int(Int64(dataset.personCount)),
            "sample": .array(members.prefix(10).map { AnalyticsJSON.person(dataset, $0, currency: workspace.currency) }),
        ])
    }

    func show(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (_, segment) = try await segment(context)
        return JSONResponse.make(Self.json(segment))
    }

    /// `PATCH /api/v1/segments/:id` with any of name, description, rule, refreshMinutes (null
    /// clears the schedule). A changed rule recomputes the members at once.
    func update(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        let reader = try reader(try await JSONBody.read(request), workspace)
        var draft = try draft(reader, creating: false)
        if let kind = draft.kind, kind != segment.kind {
            throw APIError.badRequest("a segment's kind cannot change; create a new segment", field: "kind")
        }
        draft.kind = nil
        let rule = try reader.body["rule"].map { try reader.rule($0, path: "rule") }
        if segment.kind == .static, rule != nil || draft.refreshMinutes != nil {
            throw APIError.badRequest("a static segment is frozen: change its members with POST /segments/:id/members", field: "rule")
        }
        if let value = reader.body["rule"] { draft.rule = JSONWriter.string(value) }
        var updated = try await store.updateSegment(id: segment.id, workspaceId: workspace.id, draft: draft)
        if let rule { updated = try await fill(updated, rule: rule, workspace: workspace, now: reader.now) }
        return JSONResponse.make(Self.json(updated))
    }

    func delete(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        try await store.deleteSegment(id: segment.id, workspaceId: workspace.id)
        return JSONResponse.make(["deleted": .int(segment.id)])
    }

    /// `POST /api/v1/segments/:id/refresh`: recomputes a dynamic segment now.
    func refresh(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        guard segment.kind == .dynamic else {
            throw APIError(.conflict, code: "conflict", message: "a static segment is frozen; it is not refreshed")
        }
        let refreshed = try await SegmentRefresher(store: store, cache: cache).refresh(segment, workspace: workspace, now: clock())
        return JSONResponse.make(Self.json(refreshed))
    }

    /// `GET /api/v1/segments/:id/members?limit=100&cursor=…` (JSON, paged by person id) or
    /// `?format=csv` (all members).
    func members(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        let ids = try await store.segmentMembers(id: segment.id, workspaceId: workspace.id, afterPersonId: 0, limit: -1)
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        let people = ids.compactMap { dataset.personIndex(of: $0) }
        var parameters: JSONObject = [:]
        for key in ["limit", "cursor"] {
            guard let value = request.uri.queryParameters.get(key) else { continue }
            parameters[key] = key == "limit" ? (Int64(value).map(JSONValue.int) ?? .string(value)) : .string(value)
        }
        let reader = try reader(.object(parameters), workspace)
        return try PeopleList.respond(
            request,
            people: people,
            dataset: dataset,
            currency: workspace.currency,
            reader: reader,
            name: "segment-\(segment.id)"
        )
    }

    /// `POST /api/v1/segments/:id/members`: replaces a static segment's members, from JSON
    /// `{"people": [ids]}` / `{"userIds": […]}` or from CSV (`Content-Type: text/csv`) with a
    /// `personId` or `userId` column. Answers what was matched and what was not.
    func setMembers(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        guard segment.kind == .static else {
            throw APIError(.conflict, code: "conflict", message: "a dynamic segment's members come from its rule; make a static segment")
        }
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        var personIds: [String] = []
        var userIds: [String] = []
        if request.headers[.contentType]?.hasPrefix("text/csv") == true {
            var request = request
            let buffer = try await request.collectBody(upTo: 16 << 20)
            let records: [CSVRecord]
            do {
                records = try CSVReader.parse(buffer.readableBytesView)
            } catch let error as CSVError {
                throw APIError.badRequest("the CSV cannot be read: \(error)")
            }
            guard let header = records.first else { throw APIError.badRequest("the CSV is empty") }
            let names = header.fields.map { $0.lowercased().filter { $0.isLetter } }
            if let column = names.firstIndex(of: "personid") {
                personIds = records.dropFirst().map { $0.fields.count > column ? $0.fields[column] : "" }
            } else if let column = names.firstIndex(of: "userid") {
                userIds = records.dropFirst().map { $0.fields.count > column ? $0.fields[column] : "" }
            } else {
                throw APIError.badRequest("the CSV needs a personId or userId column (header: \(header.fields.joined(separator: ",")))")
            }
        } else {
            let body = try await JSONBody.read(request, limit: 16 << 20)
            if let ids = try people(body["people"], field: "people") { personIds = ids.map(String.init) }
            userIds = try JSONBody.strings(body, "userIds")
            if personIds.isEmpty && userIds.isEmpty && body["people"] == nil && body["userIds"] == nil {
                throw APIError.badRequest("send people (person ids) or userIds, or a CSV", field: "people")
            }
        }
        var matched: [Int64] = []
        var unknown: [String] = []
        for text in personIds {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let id = Int64(trimmed) else {
                unknown.append(trimmed)
                continue
            }
            if dataset.personIndex(of: id) != nil {
                matched.append(id)
            } else if try await store.person(id: id, workspaceId: workspace.id) != nil {
                matched.append(id)
            } else {
                unknown.append(trimmed)
            }
        }
        if !userIds.isEmpty {
            var byUserId: [String: Int64] = [:]
            for p in 0..<dataset.personCount { if let userId = dataset.userIds[p] { byUserId[userId] = dataset.personIds[p] } }
            for text in userIds {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if let id = byUserId[trimmed] {
                    matched.append(id)
                } else if let id = try await store.personId(identity: IdentityKey("user_id", trimmed), workspaceId: workspace.id) {
                    matched.append(id)
                } else {
                    unknown.append(trimmed)
                }
            }
        }
        let updated = try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: matched)
        var object: JSONObject = ["segment": Self.json(updated), "matched": .int(Int64(matched.count)), "unknown": .int(Int64(unknown.count))]
        object["unknownSample"] = .array(unknown.prefix(20).map(JSONValue.string))
        return JSONResponse.make(.object(object))
    }

    /// `GET /api/v1/segments/:id/sizes?days=90`: size at each refresh.
    func sizes(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let (workspace, segment) = try await segment(context)
        var days = 90
        if let text = request.uri.queryParameters.get("days") {
            guard let value = Int(text), (1...3660).contains(value) else { throw APIError.badRequest("days must be 1–3660", field: "days") }
            days = value
        }
        let sizes = try await store.segmentSizes(id: segment.id, workspaceId: workspace.id, since: clock() - Int64(days) * 86_400_000)
        return JSONResponse.make([
            "segment": .int(segment.id),
            "sizes": .array(sizes.map { ["at": .string(Timestamp.iso8601($0.at)), "size": .int(Int64($0.size))] }),
        ])
    }

    /// `GET /api/v1/people/:id/segments`: the segments a person is in, and their labels (tiers, classes).
    func personSegments(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.badRequest("person id must be a number", field: "id") }
        let segments = try await store.segments(personId: id, workspaceId: workspace.id)
        let labels = try await store.labels(personId: id, workspaceId: workspace.id)
        let values = try await store.attributes(personId: id, workspaceId: workspace.id)
        return JSONResponse.make([
            "segments": .array(segments.map(Self.json)),
            "labels": .array(labels.map(Self.json)),
            "values": .object(JSONObject(uniqueKeysWithValues: values.sorted { $0.key < $1.key }.map { ($0.key, AnalyticsJSON.number($0.value)) })),
        ])
    }

    // MARK: - Helpers

    func reader(_ body: JSONValue, _ workspace: Workspace) throws -> QueryReader {
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else {
            throw APIError(.internalServerError, code: "internal_error", message: "unknown time zone \(workspace.timeZone)")
        }
        return try QueryReader(body, workspace: workspace, calendar: calendar, now: clock())
    }

    func draft(_ reader: QueryReader, creating: Bool) throws -> SegmentDraft {
        var draft = SegmentDraft()
        draft.name = try reader.string("name")
        draft.description = try reader.string("description")
        if let kind = try reader.string("kind") {
            guard let value = SegmentKind(rawValue: kind) else { throw APIError.badRequest("kind is dynamic or static", field: "kind") }
            draft.kind = value
        }
        if let value = reader.body["refreshMinutes"] {
            if value.isNull {
                draft.refreshMinutes = .some(nil)
            } else {
                guard let minutes = value.int64Value else { throw APIError.badRequest("refreshMinutes is a whole number", field: "refreshMinutes") }
                draft.refreshMinutes = .some(Int(minutes))
            }
        } else if creating && draft.kind != .static {
            draft.refreshMinutes = .some(60)
        }
        let known: Set<String> = ["name", "description", "kind", "rule", "refreshMinutes", "people"]
        if let unknown = reader.body.keys.first(where: { !known.contains($0) }) {
            throw APIError.badRequest("unknown field `\(unknown)`", field: unknown)
        }
        return draft
    }

    func people(_ value: JSONValue?, field: String) throws -> [Int64]? {
        guard let value, !value.isNull else { return nil }
        guard case .array(let items) = value else { throw APIError.badRequest("\(field) is a list of person ids", field: field) }
        return try items.map { item in
            guard let id = item.int64Value else { throw APIError.badRequest("\(field) is a list of person ids", field: field) }
            return id
        }
    }

    func segment(_ context: AppRequestContext) async throws -> (Workspace, SegmentRecord) {
        let workspace = try context.requireWorkspace()
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.badRequest("segment id must be a number", field: "id") }
        guard let segment = try await store.segment(id: id, workspaceId: workspace.id) else {
            throw APIError.notFound("no segment \(id) in this workspace")
        }
        return (workspace, segment)
    }

    func fill(_ segment: SegmentRecord, rule: PersonRule, workspace: Workspace, now: Int64) async throws -> SegmentRecord {
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: rule.propertyKeys)
        let members = PersonRuleEvaluator(rule, dataset: dataset, now: now).members().map { dataset.personIds[$0] }
        return try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: members)
    }

    static func json(_ segment: SegmentRecord) -> JSONValue {
        var rule: JSONValue = .null
        if let text = segment.rule { rule = (try? JSONParser.parse(text)) ?? .string(text) }
        return [
            "id": .int(segment.id),
            "name": .string(segment.name),
            "description": .string(segment.description),
            "kind": .string(segment.kind.rawValue),
            "rule": rule,
            "refreshMinutes": segment.refreshMinutes.map { JSONValue.int(Int64($0)) } ?? .null,
            "size": .int(Int64(segment.size)),
            "createdAt": .string(Timestamp.iso8601(segment.createdAt)),
            "updatedAt": .string(Timestamp.iso8601(segment.updatedAt)),
            "refreshedAt": segment.refreshedAt.map { .string(Timestamp.iso8601($0)) } ?? .null,
        ]
    }

    static func json(_ label: PersonLabel) -> JSONValue {
        ["scheme": .string(label.scheme), "value": .string(label.value), "since": .string(Timestamp.iso8601(label.since))]
    }
}
