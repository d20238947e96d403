import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/people`: search people by id, user id, identity, trait, tag and channel;
/// `/console/people/:id`: one person's identities, traits, tags (editable by operators and up),
/// labels, predicted values, segments, merges and event timeline.
struct PeoplePage: ConsolePage {
    let store: any WorkspaceRepository & PeopleRepository & SegmentRepository & LabelRepository & AttributeRepository

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "people", path: "/console/people", labelKey: "people.nav", order: 60)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("people") { request, context in try await self.search(request, context, views) }
        group.get("people/:id") { request, context in try await self.person(request, context, views, message: nil, status: .ok) }
        group.post("people/:id/tags") { request, context in try await self.editTags(request, context, views) }
    }

    /// The search form and one page of results (the store's cursor pages them).
    func search(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try Self.identity(context)
        let strings = views.strings(context)
        let fmt = try Self.format(views, context, identity)
        let parameters = request.uri.queryParameters
        func field(_ name: String) -> String {
            (parameters.get(name) ?? "").trimmingCharacters(in: .whitespaces)
        }
        let q = field("q")
        let identityText = field("identity")
        let traitText = field("trait")
        let tag = field("tag")
        let channel = field("channel")
        var query = PeopleQuery(limit: 50)
        var problems: [String] = []
        if !identityText.isEmpty {
            if let colon = identityText.firstIndex(of: ":"), colon != identityText.startIndex {
                query.identity = IdentityKey(
                    String(identityText[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(identityText[identityText.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                )
            } else {
                problems.append(strings.text("people.search.badIdentity"))
            }
        }
        if !traitText.isEmpty {
            if let equals = traitText.firstIndex(of: "="), equals != traitText.startIndex {
                let key = String(traitText[..<equals]).trimmingCharacters(in: .whitespaces)
                query.traits[key] = String(traitText[traitText.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            } else {
                problems.append(strings.text("people.search.badTrait"))
            }
        }
        if !tag.isEmpty { query.tag = tag }
        if !channel.isEmpty { query.channel = channel }
        if !q.isEmpty { query.text = q }
        query.cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }

        let workspaceId = identity.workspace.id
        var profiles: [PersonProfile] = []
        var nextCursor: String?
        if problems.isEmpty {
            // A number is first tried as a person id.
            if let id = Int64(q), query.cursor == nil, let profile = try await store.person(id: id, workspaceId: workspaceId) {
                profiles = [profile]
            } else {
                do {
                    let page = try await store.searchPeople(workspaceId: workspaceId, query: query)
                    profiles = page.items
                    nextCursor = page.nextCursor
                } catch let error as StoreError {
                    problems.append(error.description)
                }
            }
        }
        let channels = try await store.channels(workspaceId: workspaceId)
        let names = Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        let presenter = PeoplePresenter(fmt: fmt, names: names)
        var rows: [Row] = []
        for profile in profiles {
            let tags = try await store.tags(personId: profile.id, workspaceId: workspaceId)
            rows.append(presenter.row(profile, tags: tags))
        }
        let filtered = !(q.isEmpty && identityText.isEmpty && traitText.isEmpty && tag.isEmpty && channel.isEmpty)
        var nextHref: String?
        if let nextCursor {
            var items: [(String, String)] = [("q", q), ("identity", identityText), ("trait", traitText), ("tag", tag), ("channel", channel)]
            items = items.filter { !$0.1.isEmpty }
            items.append(("cursor", nextCursor))
            nextHref = "/console/people?" + items.map { "\($0.0)=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        let total = try await store.peopleCount(workspaceId: workspaceId)
        let model = Model(
            q: q,
            identityText: identityText,
            traitText: traitText,
            tag: tag,
            channels: channels.map { ChannelOption(key: $0.key, name: $0.name, selected: $0.key == channel) },
            people: rows,
            hasPeople: !rows.isEmpty,
            filtered: filtered,
            problems: problems,
            hasProblems: !problems.isEmpty,
            totalText: strings.text("people.total", ["count": fmt.format.integer(total)]),
            paged: query.cursor != nil,
            nextHref: nextHref
        )
        return try views.page(
            ConsoleView(template: "people", titleKey: "people.title", navId: "people", model: model),
            request: request,
            context: context,
            status: problems.isEmpty ? .ok : .badRequest
        )
    }

    /// One person's page.
    func person(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        message: String?,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let identity = try Self.identity(context)
        let strings = views.strings(context)
        let fmt = try Self.format(views, context, identity)
        let workspaceId = identity.workspace.id
        guard let requested = context.parameters.get("id").flatMap(Int64.init),
            let profile = try await store.person(id: requested, workspaceId: workspaceId)
        else { throw ConsolePageError.notFound }
        let identities = try await store.identities(personId: profile.id, workspaceId: workspaceId)
        let tags = try await store.tags(personId: profile.id, workspaceId: workspaceId)
        let merges = try await store.merges(workspaceId: workspaceId, personId: profile.id, limit: 100)
        // The same calls as the admin API's GET people/:id/segments.
        let segments = try await store.segments(personId: profile.id, workspaceId: workspaceId)
        let labels = try await store.labels(personId: profile.id, workspaceId: workspaceId)
        let values = try await store.attributes(personId: profile.id, workspaceId: workspaceId)
        let cursor = request.uri.queryParameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }
        let timeline: Page<StoredEvent>
        do {
            timeline = try await store.timeline(personId: profile.id, workspaceId: workspaceId, limit: 25, cursor: cursor)
        } catch let error as StoreError {
            throw ConsolePageError.badRequest(error.description)
        }
        let channels = try await store.channels(workspaceId: workspaceId)
        let names = Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
        let canEditTags = identity.role.can(.editTags)
        let base = "/console/people/\(profile.id)"

        let presenter = PeoplePresenter(fmt: fmt, names: names)
        let model = Person(
            person: presenter.summary(profile, tags: tags),
            identities: identities.map { Identity(kind: $0.kind, value: $0.value, since: fmt.time($0.createdAt)) },
            traits: profile.traits.keys.sorted().map { key in
                let value = profile.traits[key] ?? .null
                return Trait(key: key, value: value.scalarText ?? JSONWriter.string(value))
            },
            tags: tags.map { Tag(tag: $0) },
            hasTags: !tags.isEmpty,
            canEditTags: canEditTags,
            labels: labels.sorted { $0.scheme < $1.scheme }.map {
                Label(scheme: fmt.scheme($0.scheme), value: fmt.label(scheme: $0.scheme, value: $0.value), since: fmt.time($0.since))
            },
            hasLabels: !labels.isEmpty,
            values: presenter.values(values, strings: strings),
            hasValues: !values.isEmpty,
            segments: segments.map { Segment(id: $0.id, name: $0.name, kind: strings.text("segments.kinds." + $0.kind.rawValue)) },
            hasSegments: !segments.isEmpty,
            merges: merges.map { entry in
                Merge(
                    loser: entry.record.loser,
                    survivor: entry.record.survivor,
                    at: fmt.time(entry.record.at),
                    identity: entry.record.identity.description,
                    reason: entry.record.reason,
                    undone: entry.undoneAt.map { fmt.time($0) } ?? ""
                )
            },
            hasMerges: !merges.isEmpty,
            events: timeline.items.map { presenter.event($0) },
            hasEvents: !timeline.items.isEmpty,
            timelinePaged: cursor != nil,
            timelineFirstHref: base + "#timeline",
            timelineNextHref: timeline.nextCursor.map { base + "?cursor=" + Self.encode($0) + "#timeline" },
            actionPath: base + "/tags",
            mergedNote: profile.id != requested
                ? strings.text("people.mergedNote", ["id": String(requested), "survivor": String(profile.id)]) : nil,
            message: message
        )
        return try views.page(
            ConsoleView(template: "person", titleKey: "people.personTitle", navId: "people", model: model),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/people/:id/tags` with `add=<tag>` or `remove=<tag>` (operators and up).
    func editTags(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try Self.identity(context)
        try identity.require(.editTags)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(TagForm.self)
        guard let id = context.parameters.get("id").flatMap(Int64.init),
            let profile = try await store.person(id: id, workspaceId: identity.workspace.id)
        else { throw ConsolePageError.notFound }
        let add = (form.add ?? "").trimmingCharacters(in: .whitespaces)
        let remove = (form.remove ?? "").trimmingCharacters(in: .whitespaces)
        guard !add.isEmpty || !remove.isEmpty else {
            return try await person(request, context, views, message: strings.text("people.tags.empty"), status: .badRequest)
        }
        do {
            _ = try await store.setTags(
                personId: profile.id,
                workspaceId: identity.workspace.id,
                add: add.isEmpty ? [] : [add],
                remove: remove.isEmpty ? [] : [remove]
            )
        } catch let error as StoreError {
            return try await person(request, context, views, message: error.description, status: .badRequest)
        }
        let message = strings.text(add.isEmpty ? "people.tags.removed" : "people.tags.added", ["tag": add.isEmpty ? remove : add])
        return try await person(request, context, views, message: message, status: .ok)
    }

    // MARK: - Pieces

    static func identity(_ context: AppRequestContext) throws -> ConsoleIdentity {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        return identity
    }

    static func format(_ views: ConsoleViews, _ context: AppRequestContext, _ identity: ConsoleIdentity) throws -> PeopleFormat {
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        return PeopleFormat(
            strings: views.strings(context),
            format: LocaleFormat(context.locale),
            calendar: calendar,
            currency: identity.workspace.currency
        )
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
