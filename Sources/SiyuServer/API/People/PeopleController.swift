import Hummingbird
import OrderedCollections
import SiyuCore
import SiyuStore

/// Admin API for people: search, profile with identities and tags, timeline, tags, erasure,
/// merges (with undo) and refused merges.
struct PeopleController: Sendable {
    let store: any SiyuStore
    let clock: @Sendable () -> Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("people", use: search)
        group.get("people/:id", use: show)
        group.get("people/:id/events", use: timeline)
        group.post("people/:id/tags", use: editTags)
        group.put("people/:id/tags/:tag", use: addTag)
        group.delete("people/:id/tags/:tag", use: removeTag)
        group.delete("people/:id", use: erase)
        group.get("merges", use: merges)
        group.post("merges/:id/undo", use: undoMerge)
        group.get("conflicts", use: conflicts)
        group.get("suppressions", use: suppressions)
        group.delete("suppressions", use: liftSuppression)
    }

    /// `GET /api/v1/people?trait.city=上海&identity=email:a@b.com&channel=douyin&tag=vip&q=text&limit=50&cursor=…`
    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        var query = PeopleQuery()
        for (key, value) in request.uri.queryParameters {
            let key = String(key)
            let value = String(value)
            if key.hasPrefix("trait.") {
                query.traits[String(key.dropFirst(6))] = value
            } else {
                switch key {
                case "identity":
                    guard let colon = value.firstIndex(of: ":") else {
                        throw APIError.badRequest("identity must be kind:value, e.g. email:someone@example.com", field: "identity")
                    }
                    query.identity = IdentityKey(String(value[..<colon]), String(value[value.index(after: colon)...]))
                case "channel": query.channel = value
                case "tag": query.tag = value
                case "q": query.text = value
                case "cursor": query.cursor = value
                case "limit":
                    guard let limit = Int(value), (1...1000).contains(limit) else {
                        throw APIError.badRequest("limit must be 1–1000", field: "limit")
                    }
                    query.limit = limit
                default: throw APIError.badRequest("unknown parameter `\(key)`", field: key)
                }
            }
        }
        let page = try await store.searchPeople(workspaceId: workspace.id, query: query)
        return JSONResponse.make([
            "people": .array(page.items.map { $0.json(currency: workspace.currency) }),
            "nextCursor": page.nextCursor.map(JSONValue.string) ?? .null,
        ])
    }

    /// `GET /api/v1/people/:id`: profile, identities, tags, merges.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let id = try personId(context)
        guard let profile = try await store.person(id: id, workspaceId: workspace.id) else {
            throw APIError.notFound("no person \(id) in this workspace")
        }
        let identities = try await store.identities(personId: profile.id, workspaceId: workspace.id)
        let tags = try await store.tags(personId: profile.id, workspaceId: workspace.id)
        let merges = try await store.merges(workspaceId: workspace.id, personId: profile.id, limit: 100)
        guard case .object(var object) = profile.json(currency: workspace.currency) else { throw APIError.notFound("no person") }
        object["identities"] = .array(identities.map(\.json))
        object["tags"] = .array(tags.map(JSONValue.string))
        object["merges"] = .array(merges.map(\.json))
        if profile.id != id { object["requestedId"] = .int(id) }
        return JSONResponse.make(.object(object))
    }

    /// `GET /api/v1/people/:id/events?limit=50&cursor=…`: newest first.
    @Sendable func timeline(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let id = try personId(context)
        guard try await store.person(id: id, workspaceId: workspace.id) != nil else { throw APIError.notFound("no person \(id) in this workspace") }
        let limit =
            try request.uri.queryParameters.get("limit").map { text -> Int in
                guard let value = Int(text), (1...1000).contains(value) else { throw APIError.badRequest("limit must be 1–1000", field: "limit") }
                return value
            } ?? 50
        let page = try await store.timeline(personId: id, workspaceId: workspace.id, limit: limit, cursor: request.uri.queryParameters.get("cursor"))
        return JSONResponse.make(["events": .array(page.items.map(\.json)), "nextCursor": page.nextCursor.map(JSONValue.string) ?? .null])
    }

    /// `POST /api/v1/people/:id/tags` with `{"add": [...], "remove": [...]}`.
    @Sendable func editTags(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let id = try personId(context)
        let body = try await JSONBody.read(request)
        let add = try JSONBody.strings(body, "add")
        let remove = try JSONBody.strings(body, "remove")
        let tags = try await store.setTags(personId: id, workspaceId: workspace.id, add: add, remove: remove)
        return JSONResponse.make(["tags": .array(tags.map(JSONValue.string))])
    }

    @Sendable func addTag(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let tag = try context.parameters.require("tag")
        let tags = try await store.setTags(personId: try personId(context), workspaceId: workspace.id, add: [tag], remove: [])
        return JSONResponse.make(["tags": .array(tags.map(JSONValue.string))])
    }

    @Sendable func removeTag(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let tag = try context.parameters.require("tag")
        let tags = try await store.setTags(personId: try personId(context), workspaceId: workspace.id, add: [], remove: [tag])
        return JSONResponse.make(["tags": .array(tags.map(JSONValue.string))])
    }

    /// `DELETE /api/v1/people/:id`: erases the person, everyone merged into them, their
    /// identities and every event.
    @Sendable func erase(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let summary = try await store.erasePerson(id: try personId(context), workspaceId: workspace.id)
        return JSONResponse.make([
            "erased": ["people": .int(Int64(summary.people)), "identities": .int(Int64(summary.identities)), "events": .int(Int64(summary.events))]
        ])
    }

    /// `GET /api/v1/suppressions`: how many message ids and identities of erased people are kept
    /// out (hashes only; the list cannot be read back).
    @Sendable func suppressions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let counts = try await store.suppressionCounts(workspaceId: workspace.id)
        let messages = counts[Suppression.messageKind] ?? 0
        let identities = counts.filter { $0.key != Suppression.messageKind }
        return JSONResponse.make([
            "messageIds": .int(Int64(messages)),
            "identities": .object(JSONObject(uniqueKeysWithValues: identities.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
        ])
    }

    /// `DELETE /api/v1/suppressions?identity=user_id:u-1001` (or `phone:13800138000`,
    /// `email:a@b.cn`): the person may be tracked again (after they signed up anew, say).
    @Sendable func liftSuppression(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        guard let text = request.uri.queryParameters.get("identity"), let colon = text.firstIndex(of: ":") else {
            throw APIError.badRequest("identity must be kind:value, e.g. user_id:u-1001 or phone:13800138000", field: "identity")
        }
        let kind = String(text[..<colon])
        let raw = String(text[text.index(after: colon)...])
        let extractor = Secrets.extractor(for: workspace)
        guard let key = extractor.identity(kind: kind, raw: raw) else {
            throw APIError.badRequest("`\(raw)` is not a valid \(kind)", field: "identity")
        }
        let lifted = try await store.liftSuppression(identity: key, workspaceId: workspace.id)
        return JSONResponse.make(["lifted": .bool(lifted)])
    }

    @Sendable func merges(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let person = try request.uri.queryParameters.get("person").map { text -> Int64 in
            guard let id = Int64(text) else { throw APIError.badRequest("person must be a person id", field: "person") }
            return id
        }
        let entries = try await store.merges(workspaceId: workspace.id, personId: person, limit: 200)
        return JSONResponse.make(["merges": .array(entries.map(\.json))])
    }

    /// `POST /api/v1/merges/:id/undo`: splits the merged person back out.
    @Sendable func undoMerge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        guard let id = context.parameters.get("id", as: Int64.self) else { throw APIError.badRequest("merge id must be a number", field: "id") }
        let entry = try await store.undoMerge(id: id, workspaceId: workspace.id, at: clock())
        return JSONResponse.make(["merge": entry.json])
    }

    @Sendable func conflicts(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let entries = try await store.conflicts(workspaceId: workspace.id, limit: 200)
        return JSONResponse.make(["conflicts": .array(entries.map(\.json))])
    }

    private func personId(_ context: AppRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id", as: Int64.self) else { throw APIError.badRequest("person id must be a number", field: "id") }
        return id
    }
}

/// Small helpers to read JSON request bodies of the admin API.
enum JSONBody {
    static func read(_ request: Request, limit: Int = 1 << 20) async throws -> JSONValue {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        do {
            return try buffer.withUnsafeReadableBytes { bytes throws(JSONParseError) in try JSONParser.parse(bytes) }
        } catch {
            throw APIError(.badRequest, code: "invalid_json", message: "request body is not valid JSON: \(error.description)")
        }
    }

    static func strings(_ body: JSONValue, _ key: String) throws -> [String] {
        guard let value = body[key], !value.isNull else { return [] }
        guard case .array(let items) = value else { throw APIError.badRequest("\(key) must be an array of strings", field: key) }
        return try items.map { item in
            guard let text = item.stringValue else { throw APIError.badRequest("\(key) must be an array of strings", field: key) }
            return text
        }
    }
}
