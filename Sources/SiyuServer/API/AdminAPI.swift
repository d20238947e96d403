import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuStore

/// The admin API's operations as the contract (`Sources/SiyuAPI/openapi.yaml`) types them: one
/// implementation of the generated `APIProtocol`, with each area's operations in an extension in
/// its folder (`API/Workspace/AdminAPI+Workspace.swift` …). Requests arrive decoded and checked
/// against the contract; answers are the contract's structs.
struct AdminAPI: APIProtocol {
    /// The store, seen through the repositories the operations use.
    let workspaces: any WorkspaceRepository
    let events: any EventRepository
    let people: any PeopleRepository
    let segments: any SegmentRepository
    let labels: any LabelRepository
    let attributes: any AttributeRepository
    let settings: any SettingsRepository
    let journeys: any JourneyRepository & JourneyRunRepository & OutboxRepository
    let messaging: any MessagingRepository & SettingsRepository
    /// Staff tasks journeys hand out.
    let tasks: any StaffTaskRepository
    /// Segment rules, evaluation and member lists (shared with the console).
    let segmentService: SegmentService
    /// Model fits (shared with the console and the daily job).
    let valueFitting: ValueFitting
    /// A segment's refresh now (the same as the scheduled one).
    let segmentRefresher: SegmentRefresher
    /// What a CSV import writes through: the workspace's channels and the ingest path.
    let importStore: any WorkspaceRepository & EventRepository
    let cache: AnalyticsCache
    let directory: WorkspaceDirectory
    let clock: @Sendable () -> Int64

    init(store: any SiyuStore, cache: AnalyticsCache, directory: WorkspaceDirectory, clock: @escaping @Sendable () -> Int64) {
        workspaces = store
        events = store
        people = store
        segments = store
        labels = store
        attributes = store
        settings = store
        journeys = store
        messaging = store
        tasks = store
        segmentService = SegmentService(store: store, cache: cache)
        valueFitting = ValueFitting(store: store, cache: cache)
        segmentRefresher = SegmentRefresher(store: store, cache: cache)
        importStore = store
        self.cache = cache
        self.directory = directory
        self.clock = clock
    }

    /// What a generated handler cannot receive as a parameter: the request's authenticated
    /// workspace, set by ``AdminAPIScopeMiddleware`` for the request's task.
    struct Scope: Sendable {
        var workspace: Workspace
        /// The query parameters as sent, for those a contract cannot list (`trait.NAME`).
        var queryParameters: Parameters
    }

    @TaskLocal static var scope: Scope?

    /// The authenticated workspace; every admin operation runs behind ``AdminAuthMiddleware``.
    var workspace: Workspace {
        get throws {
            guard let scope = Self.scope else {
                throw APIError(.unauthorized, code: "unauthorized", message: "an admin token is required")
            }
            return scope.workspace
        }
    }

    /// The request's query parameters as sent.
    var queryParameters: Parameters { Self.scope?.queryParameters ?? [:] }

    /// A body the operation reads whole (a CSV of members), within `limit` bytes (413 beyond).
    static func collect(_ body: HTTPBody, upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            guard bytes.count + chunk.count <= limit else {
                throw APIError(.contentTooLarge, code: "request_too_large", message: "the request body is too large")
            }
            bytes += chunk
        }
        return bytes
    }

    /// Registers the generated operations behind the admin token check.
    static func register(_ api: AdminAPI, on router: Router<AppRequestContext>) throws {
        let group = router.group()
            .add(middleware: AdminAuthMiddleware(directory: api.directory))
            .add(middleware: AdminAPIScopeMiddleware())
        // Compact JSON with its properties in name order: the same answer is the same bytes (the
        // encoder's own order changes from one process to the next); the runtime's default also indents.
        try api.registerHandlers(on: group, configuration: Configuration(jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes]))
    }
}

/// Runs the request with ``AdminAPI/scope`` set, collects a JSON body within the admin API's limit
/// (the generated code would collect any size), and reads a body sent without a JSON or CSV
/// content type as JSON, as the admin API always has (`curl -d` says form-urlencoded).
struct AdminAPIScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    /// The largest JSON body of an admin request: 1 MiB, and 16 MiB for a segment's member list.
    static func bodyLimit(_ path: String) -> Int { path.hasSuffix("/members") ? 16 << 20 : 1 << 20 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let workspace = try context.requireWorkspace()
        var request = request
        var type = request.headers[.contentType]?.lowercased() ?? ""
        // An import's body is its CSV file, whatever the content type says (`curl --data-binary`).
        if request.method == .post && request.uri.path.hasPrefix("/api/v1/imports/") && !type.hasPrefix("text/csv") {
            var head = request.head
            head.headerFields[.contentType] = "text/csv"
            request = Request(head: head, body: request.body)
            type = "text/csv"
        }
        // A CSV body is streamed to its operation, which bounds it (an import reads any size).
        var collected: ByteBuffer?
        if request.method != .get && request.method != .head && !type.hasPrefix("text/csv") {
            collected = try await request.collectBody(upTo: Self.bodyLimit(request.uri.path))
            if !type.hasPrefix("application/json") {
                var head = request.head
                head.headerFields[.contentType] = "application/json"
                request = Request(head: head, body: request.body)
            }
        }
        var response: Response
        do {
            response = try await AdminAPI.$scope.withValue(AdminAPI.Scope(workspace: workspace, queryParameters: request.uri.queryParameters)) {
                try await next(request, context)
            }
        } catch let error as ServerError where error.operationInput == nil {
            throw Self.locating(error, in: collected)
        }
        // CSV downloads say their encoding, as they always have (the contract names the bare media type).
        if response.headers[.contentType] == "text/csv" { response.headers[.contentType] = "text/csv; charset=utf-8" }
        return response
    }

    /// A body the contract's types could not read for a number no Swift number holds (`"bins": 1e999`):
    /// Foundation's decoder says only that the data is not valid JSON, so the body is read again as
    /// free-form JSON, whose error names the field. Any other error is passed on as it is.
    static func locating(_ error: ServerError, in body: ByteBuffer?) -> any Error {
        guard case DecodingError.dataCorrupted(let context) = error.underlyingError, context.codingPath.isEmpty, let body else { return error }
        do {
            _ = try JSONDecoder().decode(OpenAPIValueContainer.self, from: Data(buffer: body))
        } catch let located as DecodingError {
            if case .dataCorrupted(let place) = located, !place.codingPath.isEmpty {
                let (message, field) = APIError.describe(located, cause: error.causeDescription)
                return APIError(.badRequest, code: "invalid_request", message: message, field: field)
            }
        } catch {}
        return error
    }
}

extension APIError {
    /// A 400 naming the field, for a request that does not decode into the contract's types.
    init(invalidInput error: ServerError) {
        let (message, field) = Self.describe(error.underlyingError, cause: error.causeDescription)
        self.init(.badRequest, code: "invalid_request", message: message, field: field)
    }
    /// A sentence for a request that does not decode into the contract's types.
    static func describe(_ error: any Error, cause: String) -> (message: String, field: String?) {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            (codingPath + (key.map { [$0] } ?? [])).map { key in key.intValue.map { "[\($0)]" } ?? "." + key.stringValue }
                .joined().trimmingPrefix(".").description
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            return ("\(field) is required", field)
        case DecodingError.typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return ("\(field.isEmpty ? "the body" : field) must be \(Self.typeName(type))", field.isEmpty ? nil : field)
        case DecodingError.valueNotFound(let type, let context):
            let field = path(context.codingPath)
            return ("\(field.isEmpty ? "the body" : field) must be \(Self.typeName(type)), not null", field.isEmpty ? nil : field)
        case DecodingError.dataCorrupted(let context):
            let field = path(context.codingPath)
            let reason = context.debugDescription
            // `additionalProperties: false` (the runtime names the first unknown key in the path).
            if reason.hasPrefix("Additional properties are disabled"), let key = context.codingPath.last {
                return ("unknown field `\(key.stringValue)`", field)
            }
            // Free-form JSON the decoder could not read: a number beyond what a double holds (1e999).
            if reason.hasPrefix("OpenAPIValueContainer cannot be decoded") {
                return (
                    "\(field.isEmpty ? "the body" : field) holds a value that cannot be read (numbers are at most ±1.8e308)",
                    field.isEmpty ? nil : field
                )
            }
            if field.isEmpty { return ("request body is not valid: \(reason)", nil) }
            return ("\(field): \(reason)", field)
        default:
            return ("\(cause): \(error)", nil)
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "true or false"
        default:
            String(describing: type).contains("Array") ? "an array" : "an object"
        }
    }
}
