import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/segments`: saved segments with their size over time; a segment's page (rule in words,
/// size chart, members, CSV export, refresh); the rule builder (`new`, `:id/edit`) with a live count.
struct SegmentsPage: ConsolePage {
    let store: any SegmentRepository & PeopleRepository & WorkspaceRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var service: SegmentService { SegmentService(store: store, cache: cache) }

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "segments", path: "/console/segments", labelKey: "segments.nav", order: 65)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("segments") { request, context in try await self.list(request, context, views) }
        group.get("segments/new") { request, context in try await self.builder(request, context, views) }
        group.post("segments") { request, context in try await self.save(request, context, views) }
        group.post("segments/preview") { request, context in try await self.preview(request, context, views) }
        group.get("segments/:id") { request, context in try await self.show(request, context, views, message: nil, status: .ok) }
        group.get("segments/:id/edit") { request, context in try await self.builder(request, context, views) }
        group.post("segments/:id/edit") { request, context in try await self.save(request, context, views) }
        group.post("segments/:id/refresh") { request, context in try await self.refresh(request, context, views) }
        group.get("segments/:id/export") { request, context in try await self.export(request, context) }
        group.post("segments/:id/members") { request, context in try await self.upload(request, context, views) }
    }

    // MARK: - List and page

    func list(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let fmt = try PeoplePage.format(views, context, identity)
        let strings = fmt.strings
        let workspaceId = identity.workspace.id
        let segments = try await store.segments(workspaceId: workspaceId)
        let since = clock() - 30 * 86_400_000
        var rows: [Row] = []
        for segment in segments.sorted(by: { $0.name < $1.name }) {
            let sizes = try await store.segmentSizes(id: segment.id, workspaceId: workspaceId, since: since)
            let spark = Sparkline(
                title: strings.text("segments.sizeOverTime") + " · " + segment.name,
                values: sizes.map { Double($0.size) },
                noDataText: strings.text("segments.noHistory"),
                valueFormatter: { [format = fmt.format] in format.integer(Int64($0)) }
            )
            rows.append(
                Row(
                    id: segment.id,
                    name: segment.name,
                    description: segment.description,
                    kind: strings.text("segments.kinds." + segment.kind.rawValue),
                    size: fmt.format.integer(segment.size),
                    sparkline: spark.svg(),
                    refreshed: fmt.time(segment.refreshedAt)
                )
            )
        }
        let model = Model(segments: rows, hasSegments: !rows.isEmpty, canEditSegments: identity.role.can(.editSegments))
        return try views.page(
            ConsoleView(template: "segments", titleKey: "segments.title", navId: "segments", model: model),
            request: request,
            context: context
        )
    }

    func show(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        message: String?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let fmt = try PeoplePage.format(views, context, identity)
        let strings = fmt.strings
        let segment = try await segment(context, identity)
        let workspaceId = identity.workspace.id
        let sizes = try await store.segmentSizes(id: segment.id, workspaceId: workspaceId, since: clock() - 90 * 86_400_000)
        let chart = LineChart(
            title: strings.text("segments.sizeOverTime"),
            xLabels: sizes.map { fmt.time($0.at) },
            series: [LineChart.Series(name: strings.text("segments.size"), values: sizes.map { Double($0.size) })],
            noDataText: strings.text("segments.noHistory"),
            valueFormatter: { [format = fmt.format] in format.integer(Int64($0)) }
        )
        let after = request.uri.queryParameters.get("after").flatMap(Int64.init) ?? 0
        let pageSize = 50
        let ids = try await store.segmentMembers(id: segment.id, workspaceId: workspaceId, afterPersonId: after, limit: pageSize + 1)
        let channels = try await store.channels(workspaceId: workspaceId)
        let names = Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        let people = PeoplePresenter(fmt: fmt, names: names)
        var members: [PeoplePage.Row] = []
        for id in ids.prefix(pageSize) {
            guard let profile = try await store.person(id: id, workspaceId: workspaceId) else { continue }
            members.append(people.row(profile, tags: []))
        }
        let canEdit = identity.role.can(.editSegments)
        let base = "/console/segments/\(segment.id)"
        let model = Segment(
            segment: Facts(
                id: segment.id,
                name: segment.name,
                description: segment.description,
                kind: strings.text("segments.kinds." + segment.kind.rawValue),
                size: fmt.format.integer(segment.size),
                refreshed: fmt.time(segment.refreshedAt),
                schedule: segment.refreshMinutes.map { strings.text("segments.everyMinutes", ["minutes": fmt.format.integer($0)]) }
                    ?? strings.text(segment.kind == .dynamic ? "segments.onDemand" : "segments.frozen")
            ),
            isDynamic: segment.kind == .dynamic,
            isStatic: segment.kind == .static,
            ruleText: ruleWords(segment, fmt: fmt, names: names),
            chart: chart.svg(),
            sizes: sizes.reversed().prefix(20).map { Size(at: fmt.time($0.at), size: fmt.format.integer($0.size)) },
            members: members,
            hasMembers: !members.isEmpty,
            membersPaged: after > 0,
            canEditSegments: canEdit,
            base: base,
            nextHref: ids.count > pageSize ? ids.prefix(pageSize).last.map { base + "?after=\($0)#members" } : nil,
            message: message
        )
        return try views.page(
            ConsoleView(template: "segment", titleKey: "segments.segmentTitle", navId: "segments", model: model),
            request: request,
            context: context,
            status: status
        )
    }

    /// The people of a pasted CSV (a `personId` or `userId` column), matched as the admin API's
    /// members upload matches them; a problem is one of the builder's messages.
    func csvMembers(_ text: String, workspaceId: Int64) async throws -> (people: [Int64], unknown: [String]) {
        let ids: SegmentService.MemberIds
        do {
            ids = try SegmentService.memberIds(csv: Array(text.utf8))
        } catch .unreadable {
            throw SegmentRuleForm.Problem(key: "segments.errors.csvUnreadable")
        } catch .empty {
            throw SegmentRuleForm.Problem(key: "segments.errors.csvEmpty")
        } catch .noColumn(let header) {
            throw SegmentRuleForm.Problem(key: "segments.errors.csvColumn", arguments: ["header": header])
        }
        guard !ids.personIds.isEmpty || !ids.userIds.isEmpty else { throw SegmentRuleForm.Problem(key: "segments.errors.csvEmpty") }
        return try await service.match(ids, workspaceId: workspaceId)
    }

    /// The members as CSV, by the admin API's members export.
    func export(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let segment = try await segment(context, identity)
        // The admin API's export answers CSV for `?format=csv`; the link carries it.
        guard request.uri.queryParameters.get("format") == "csv" else {
            return Response(status: .seeOther, headers: [.location: "/console/segments/\(segment.id)/export?format=csv"])
        }
        let (dataset, people) = try await service.members(segment, workspace: identity.workspace)
        return PeopleList.csv(people, dataset: dataset, filename: "segment-\(segment.id).csv")
    }

    func refresh(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editSegments)
        let segment = try await segment(context, identity)
        let strings = views.strings(context)
        guard segment.kind == .dynamic else {
            return try await show(request, context, views, message: strings.text("segments.errors.staticRefresh"), status: .conflict)
        }
        let refreshed = try await SegmentRefresher(store: store, cache: cache).refresh(segment, workspace: identity.workspace, now: clock())
        let message = strings.text("segments.refreshed", ["size": LocaleFormat(context.locale).integer(refreshed.size)])
        return try await show(request, context, views, message: message, status: .ok)
    }

    /// `POST /console/segments/:id/members`: a static segment's members from pasted or uploaded CSV.
    func upload(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editSegments)
        let segment = try await segment(context, identity)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(MembersForm.self)
        guard segment.kind == .static else {
            return try await show(request, context, views, message: strings.text("segments.errors.dynamicUpload"), status: .conflict)
        }
        let matched: (people: [Int64], unknown: [String])
        do {
            matched = try await csvMembers(form.csv ?? "", workspaceId: identity.workspace.id)
        } catch let problem as SegmentRuleForm.Problem {
            return try await show(request, context, views, message: strings.text(problem.key, problem.arguments), status: .badRequest)
        }
        _ = try await store.replaceSegmentMembers(id: segment.id, workspaceId: identity.workspace.id, people: matched.people)
        let format = LocaleFormat(context.locale)
        let message = strings.text(
            "segments.uploaded",
            ["matched": format.integer(matched.people.count), "unknown": format.integer(matched.unknown.count)]
        )
        return try await show(request, context, views, message: message, status: .ok)
    }

    // MARK: - Builder

    /// The builder, empty (`new`) or filled from a segment (`:id/edit`).
    func builder(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editSegments)
        var state = SegmentBuilderState()
        if context.parameters.get("id") != nil {
            let segment = try await segment(context, identity)
            state = SegmentBuilderState(segment: segment)
        } else {
            // A useful start: bought (or did the first event known) in the last 30 days.
            let names = try await cache.dataset(workspaceId: identity.workspace.id).nameDictionary
            let event = names.contains("Order Completed") ? "Order Completed" : names.sorted().first ?? ""
            let start = SegmentRuleForm.Condition(type: "event", key: event, op: "gte", value: "1", days: "30")
            state.form.groups = [SegmentRuleForm.Group(match: "all", conditions: [start])]
        }
        return try await renderBuilder(request, context, views, identity, state, status: .ok)
    }

    /// Saves the builder (or, with `action=preview`, only counts): validates everything first, so
    /// a mistake saves nothing.
    func save(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editSegments)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(BuilderForm.self)
        let existing: SegmentRecord? = context.parameters.get("id") != nil ? try await segment(context, identity) : nil
        var state = SegmentBuilderState(form: form, existing: existing)
        let workspace = identity.workspace
        func fail(_ message: String) async throws -> Response {
            state.error = message
            return try await renderBuilder(request, context, views, identity, state, status: .badRequest)
        }
        // The rule, if this segment has one.
        var ruleJSON: JSONValue?
        var rule: PersonRule?
        if state.usesRule {
            do {
                let json = try state.form.rule()
                rule = try SegmentService.rule(json, workspace: workspace)
                ruleJSON = json
            } catch let problem as SegmentRuleForm.Problem {
                return try await fail(Self.problemText(problem, strings))
            } catch let error as APIError {
                return try await fail(strings.text("segments.errors.rule", ["detail": error.message]))
            }
        }
        if form.intent == "preview", let rule {
            state.previewCount = try await count(rule, workspace: workspace)
            return try await renderBuilder(request, context, views, identity, state, status: .ok)
        }
        let name = state.name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 120 else { return try await fail(strings.text("segments.errors.name")) }
        guard state.description.count <= 2000 else { return try await fail(strings.text("segments.errors.description")) }
        if let other = try await store.segments(workspaceId: workspace.id).first(where: { $0.name == name && $0.id != existing?.id }) {
            return try await fail(strings.text("segments.errors.duplicate", ["name": other.name]))
        }
        var listed: [Int64]?
        if existing == nil && state.kind == .static && state.source == "csv" {
            do {
                listed = try await csvMembers(state.csv, workspaceId: workspace.id).people
            } catch let problem as SegmentRuleForm.Problem {
                return try await fail(strings.text(problem.key, problem.arguments))
            }
        }
        let saved: SegmentRecord
        do {
            if let existing {
                var draft = SegmentDraft(name: name, description: state.description)
                if existing.kind == .dynamic {
                    draft.rule = ruleJSON.map { JSONWriter.string($0) }
                    draft.refreshMinutes = .some(state.refreshMinutes)
                }
                let updated = try await store.updateSegment(id: existing.id, workspaceId: workspace.id, draft: draft)
                if let rule {
                    saved = try await service.fill(updated, rule: rule, workspace: workspace, now: clock())
                } else {
                    saved = updated
                }
            } else {
                let draft = SegmentDraft(
                    name: name,
                    description: state.description,
                    kind: state.kind,
                    rule: ruleJSON.map { JSONWriter.string($0) },
                    refreshMinutes: .some(state.kind == .dynamic ? state.refreshMinutes : nil)
                )
                let created = try await store.createSegment(workspaceId: workspace.id, draft: draft)
                if let listed {
                    saved = try await store.replaceSegmentMembers(id: created.id, workspaceId: workspace.id, people: listed)
                } else if let rule {
                    saved = try await service.fill(created, rule: rule, workspace: workspace, now: clock())
                } else {
                    saved = try await store.replaceSegmentMembers(id: created.id, workspaceId: workspace.id, people: [])
                }
            }
        } catch let error as StoreError {
            return try await fail(error.description)
        }
        return Response(status: .seeOther, headers: [.location: "/console/segments/\(saved.id)"])
    }

    /// `POST /console/segments/preview` (the builder's script, with the `X-CSRF-Token` header):
    /// `{"count": 1234, "text": "≈ 1,234 people"}` or `{"error": "…"}` (both 200); nothing is saved.
    func preview(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editSegments)
        let strings = views.strings(context)
        var request = request
        let ruleForm = try await ConsoleForm.read(&request).decode(SegmentRuleForm.self)
        var response: Response
        do {
            let json = try ruleForm.rule()
            let rule = try SegmentService.rule(json, workspace: identity.workspace)
            let count = try await count(rule, workspace: identity.workspace)
            response = JSONResponse.make([
                "count": .int(Int64(count)),
                "text": .string(strings.text("segments.previewCount", ["count": LocaleFormat(context.locale).integer(count)])),
            ])
        } catch let problem as SegmentRuleForm.Problem {
            // An unfinished row is normal while typing: the count says what is missing (not an HTTP failure).
            response = JSONResponse.make(["error": .string(Self.problemText(problem, strings))])
        } catch let error as APIError {
            response = JSONResponse.make(["error": .string(strings.text("segments.errors.rule", ["detail": error.message]))])
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    // MARK: - Helpers

    func count(_ rule: PersonRule, workspace: Workspace) async throws -> Int {
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: rule.propertyKeys)
        return PersonRuleEvaluator(rule, dataset: dataset, now: clock()).members().count
    }

    func segment(_ context: AppRequestContext, _ identity: ConsoleIdentity) async throws -> SegmentRecord {
        guard let id = context.parameters.get("id").flatMap(Int64.init),
            let segment = try await store.segment(id: id, workspaceId: identity.workspace.id)
        else { throw ConsolePageError.notFound }
        return segment
    }

    static func problemText(_ problem: SegmentRuleForm.Problem, _ strings: StringTable) -> String {
        var arguments = problem.arguments
        if let what = arguments["what"] { arguments["what"] = strings.text("segments.what." + what) }
        return strings.text(problem.key, arguments)
    }

    func renderBuilder(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        _ identity: ConsoleIdentity,
        _ state: SegmentBuilderState,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let strings = views.strings(context)
        let workspaceId = identity.workspace.id
        let channels = try await store.channels(workspaceId: workspaceId)
        let dataset = try await cache.dataset(workspaceId: workspaceId)
        let model = SegmentsPresenter(strings: strings, format: LocaleFormat(context.locale)).builder(
            state,
            channels: channels,
            eventNames: dataset.nameDictionary,
            traitKeys: Array(Set(dataset.traits.prefix(2000).flatMap(\.keys))).sorted(),
            labelValues: dataset.labelDictionary
        )
        let titleKey = state.existing == nil ? "segments.newTitle" : "segments.editTitle"
        return try views.page(
            ConsoleView(template: "segment-builder", titleKey: titleKey, navId: "segments", model: model),
            request: request,
            context: context,
            status: status
        )
    }

    /// The rule in words, or the JSON when the builder cannot show it.
    func ruleWords(_ segment: SegmentRecord, fmt: PeopleFormat, names: [String: String]) -> RuleText {
        guard let text = segment.rule else { return RuleText(json: "", none: true) }
        guard let json = try? JSONParser.parse(text), let form = SegmentRuleForm(rule: json) else {
            return RuleText(json: text, none: false)
        }
        return RuleText(words: SegmentsPresenter(strings: fmt.strings, format: fmt.format).words(form, names: names), json: "", none: false)
    }
}
