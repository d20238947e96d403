import Hummingbird
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// Segments: saved groups of people, dynamic (a rule, refreshed on a schedule and on demand) or
/// static (a frozen list, also from CSV), with members, size history and export; and the segments,
/// labels and predicted values of one person.
extension AdminAPI {
    /// The largest CSV of members (`POST /segments/{id}/members` with `Content-Type: text/csv`).
    static let memberCSVLimit = 16 << 20

    func listSegments(_ input: Operations.ListSegments.Input) async throws -> Operations.ListSegments.Output {
        let workspace = try workspace
        let list = try await segments.segments(workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(segments: list.map(Components.Schemas.Segment.init)))))
    }

    /// `POST /api/v1/segments {"name", "description"?, "kind": "dynamic"|"static", "rule"?,
    /// "refreshMinutes"?, "people"?: [ids]}`: a dynamic segment is computed at once; a static one
    /// is frozen from `people`, or from `rule` evaluated now.
    func createSegment(_ input: Operations.CreateSegment.Input) async throws -> Operations.CreateSegment.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let now = clock()
        let kind = body.kind.map(SegmentKind.init) ?? .dynamic
        let rule = try body.rule.map { try SegmentService.rule(JSONValue($0), workspace: workspace) }
        if kind == .dynamic && rule == nil { throw APIError.badRequest("a dynamic segment needs a rule", field: "rule") }
        if kind == .static && rule != nil && body.people != nil {
            throw APIError.badRequest("a static segment is built from a rule or from people, not both", field: "people")
        }
        if kind == .static, case .some(.some) = body.refreshMinutes {
            throw APIError.badRequest("a static segment is frozen: it has no refresh schedule", field: "refreshMinutes")
        }
        var draft = SegmentDraft(name: body.name, description: body.description, kind: kind, rule: body.rule.map { JSONWriter.string(JSONValue($0)) })
        draft.refreshMinutes = body.refreshMinutes ?? (kind == .static ? nil : .some(60))
        let segment = try await segments.createSegment(workspaceId: workspace.id, draft: draft)
        let filled: SegmentRecord
        if let listed = body.people {
            filled = try await segments.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: listed)
        } else if let rule {
            filled = try await segmentService.fill(segment, rule: rule, workspace: workspace, now: now)
        } else {
            filled = try await segments.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: [])
        }
        return .created(.init(body: .json(.init(filled))))
    }

    /// `POST /api/v1/segments/preview {"rule"}`: how many people match now, and a few of them —
    /// the live count of the rule builder; nothing is saved.
    func previewSegment(_ input: Operations.PreviewSegment.Input) async throws -> Operations.PreviewSegment.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let now = clock()
        let rule = try SegmentService.rule(JSONValue(body.rule), workspace: workspace)
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: rule.propertyKeys)
        let members = PersonRuleEvaluator(rule, dataset: dataset, now: now).members()
        return .ok(
            .init(
                body: .json(
                    .init(
                        count: members.count,
                        people: dataset.personCount,
                        sample: members.prefix(10).map { Components.Schemas.AnalyticsPerson(dataset, $0) }
                    )
                )
            )
        )
    }

    func getSegment(_ input: Operations.GetSegment.Input) async throws -> Operations.GetSegment.Output {
        let (_, segment) = try await segment(input.path.id)
        return .ok(.init(body: .json(.init(segment))))
    }

    /// `PATCH /api/v1/segments/{id}` with any of name, description, rule, refreshMinutes (null
    /// clears the schedule). A changed rule recomputes the members at once.
    func updateSegment(_ input: Operations.UpdateSegment.Input) async throws -> Operations.UpdateSegment.Output {
        let (workspace, segment) = try await segment(input.path.id)
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        if let kind = body.kind.map(SegmentKind.init), kind != segment.kind {
            throw APIError.badRequest("a segment's kind cannot change; create a new segment", field: "kind")
        }
        let now = clock()
        let rule = try body.rule.map { try SegmentService.rule(JSONValue($0), workspace: workspace) }
        if segment.kind == .static, rule != nil || body.refreshMinutes != nil {
            throw APIError.badRequest("a static segment is frozen: change its members with POST /segments/:id/members", field: "rule")
        }
        var draft = SegmentDraft(name: body.name, description: body.description, rule: body.rule.map { JSONWriter.string(JSONValue($0)) })
        draft.refreshMinutes = body.refreshMinutes
        var updated = try await segments.updateSegment(id: segment.id, workspaceId: workspace.id, draft: draft)
        if let rule { updated = try await segmentService.fill(updated, rule: rule, workspace: workspace, now: now) }
        return .ok(.init(body: .json(.init(updated))))
    }

    func deleteSegment(_ input: Operations.DeleteSegment.Input) async throws -> Operations.DeleteSegment.Output {
        let (workspace, segment) = try await segment(input.path.id)
        try await segments.deleteSegment(id: segment.id, workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(deleted: segment.id))))
    }

    /// `POST /api/v1/segments/{id}/refresh`: recomputes a dynamic segment now.
    func refreshSegment(_ input: Operations.RefreshSegment.Input) async throws -> Operations.RefreshSegment.Output {
        let (workspace, segment) = try await segment(input.path.id)
        guard segment.kind == .dynamic else {
            throw APIError(.conflict, code: "conflict", message: "a static segment is frozen; it is not refreshed")
        }
        let refreshed = try await segmentRefresher.refresh(segment, workspace: workspace, now: clock())
        return .ok(.init(body: .json(.init(refreshed))))
    }

    /// `GET /api/v1/segments/{id}/members?limit=100&cursor=…` (JSON, paged by person id) or
    /// `?format=csv` (all members).
    func listSegmentMembers(_ input: Operations.ListSegmentMembers.Input) async throws -> Operations.ListSegmentMembers.Output {
        let (workspace, segment) = try await segment(input.path.id)
        let (dataset, people) = try await segmentService.members(segment, workspace: workspace)
        if input.query.format == "csv" {
            let body = CSVResponse.body(header: PeopleList.csvHeader, count: people.count) { PeopleList.csvRow(dataset, people[$0]) }
            return .ok(.init(headers: .init(contentDisposition: CSVResponse.disposition("segment-\(segment.id).csv")), body: .csv(body)))
        }
        let limit = input.query.limit ?? 100
        guard (1...1000).contains(limit) else { throw APIError.badRequest("limit must be 1 to 1000", field: "limit") }
        let after = try input.query.cursor.map { text in
            guard let id = Int64(text) else { throw APIError.badRequest("cursor is not valid", field: "cursor") }
            return id
        }
        let (page, nextCursor) = PeopleList.page(people, dataset: dataset, limit: limit, after: after)
        let entries = page.map { Components.Schemas.AnalyticsPerson(dataset, people[$0]) }
        return .ok(.init(body: .json(.init(total: people.count, people: entries, nextCursor: nextCursor))))
    }

    /// `POST /api/v1/segments/{id}/members`: replaces a static segment's members, from JSON
    /// `{"people": [ids]}` / `{"userIds": […]}` or from CSV (`Content-Type: text/csv`) with a
    /// `personId` or `userId` column. Answers what was matched and what was not.
    func replaceSegmentMembers(_ input: Operations.ReplaceSegmentMembers.Input) async throws -> Operations.ReplaceSegmentMembers.Output {
        let (workspace, segment) = try await segment(input.path.id)
        guard segment.kind == .static else {
            throw APIError(.conflict, code: "conflict", message: "a dynamic segment's members come from its rule; make a static segment")
        }
        var ids = SegmentService.MemberIds()
        switch input.body {
        case .csv(let body):
            ids = try await Self.memberIds(csv: body)
        case .json(let body):
            if body.people == nil && body.userIds == nil {
                throw APIError.badRequest("send people (person ids) or userIds, or a CSV", field: "people")
            }
            ids = SegmentService.MemberIds(personIds: (body.people ?? []).map(String.init), userIds: body.userIds ?? [])
        }
        let (matched, unknown) = try await segmentService.match(ids, workspaceId: workspace.id)
        let updated = try await segments.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: matched)
        return .ok(
            .init(
                body: .json(.init(segment: .init(updated), matched: matched.count, unknown: unknown.count, unknownSample: Array(unknown.prefix(20))))
            )
        )
    }

    /// The people a CSV names (a personId or userId column, up to 16 MB); a CSV that cannot be read is a 400.
    static func memberIds(csv body: HTTPBody) async throws -> SegmentService.MemberIds {
        let bytes = try await collect(body, upTo: memberCSVLimit)
        do {
            return try SegmentService.memberIds(csv: bytes)
        } catch .unreadable(let reason) {
            throw APIError.badRequest("the CSV cannot be read: \(reason)")
        } catch .empty {
            throw APIError.badRequest("the CSV is empty")
        } catch .noColumn(let header) {
            throw APIError.badRequest("the CSV needs a personId or userId column (header: \(header))")
        }
    }

    /// `GET /api/v1/segments/{id}/sizes?days=90`: size at each refresh.
    func getSegmentSizes(_ input: Operations.GetSegmentSizes.Input) async throws -> Operations.GetSegmentSizes.Output {
        let (workspace, segment) = try await segment(input.path.id)
        let days = input.query.days ?? 90
        guard (1...3660).contains(days) else { throw APIError.badRequest("days must be 1–3660", field: "days") }
        let sizes = try await segments.segmentSizes(id: segment.id, workspaceId: workspace.id, since: clock() - Int64(days) * 86_400_000)
        return .ok(
            .init(body: .json(.init(segment: segment.id, sizes: sizes.map { .init(at: Timestamp.iso8601($0.at), size: $0.size) })))
        )
    }

    /// `GET /api/v1/people/{id}/segments`: the segments a person is in, and their labels (tiers, classes).
    func getPersonSegments(_ input: Operations.GetPersonSegments.Input) async throws -> Operations.GetPersonSegments.Output {
        let workspace = try workspace
        let id = input.path.id
        let list = try await segments.segments(personId: id, workspaceId: workspace.id)
        let personLabels = try await labels.labels(personId: id, workspaceId: workspace.id)
        let values = try await attributes.attributes(personId: id, workspaceId: workspace.id)
        return .ok(
            .init(
                body: .json(
                    .init(
                        segments: list.map(Components.Schemas.Segment.init),
                        labels: personLabels.map { .init(scheme: $0.scheme, value: $0.value, since: Timestamp.iso8601($0.since)) },
                        values: .init(additionalProperties: values.mapValues(AnalyticsNumber.rounded))
                    )
                )
            )
        )
    }

    /// The workspace and its segment `id` (404 when it has none).
    func segment(_ id: Int64) async throws -> (Workspace, SegmentRecord) {
        let workspace = try workspace
        guard let segment = try await segments.segment(id: id, workspaceId: workspace.id) else {
            throw APIError.notFound("no segment \(id) in this workspace")
        }
        return (workspace, segment)
    }
}

extension SegmentKind {
    init(_ kind: Components.Schemas.SegmentKind) {
        switch kind {
        case .dynamic: self = .dynamic
        case ._static: self = .static
        }
    }
}

extension Components.Schemas.Segment {
    init(_ segment: SegmentRecord) {
        var rule: OpenAPIValueContainer?
        if let text = segment.rule { rule = OpenAPIValueContainer((try? JSONParser.parse(text)) ?? .string(text)) }
        self.init(
            id: segment.id,
            name: segment.name,
            description: segment.description,
            kind: segment.kind == .static ? ._static : .dynamic,
            rule: rule,
            refreshMinutes: segment.refreshMinutes,
            size: segment.size,
            createdAt: Timestamp.iso8601(segment.createdAt),
            updatedAt: Timestamp.iso8601(segment.updatedAt),
            refreshedAt: segment.refreshedAt.map(Timestamp.iso8601)
        )
    }
}
