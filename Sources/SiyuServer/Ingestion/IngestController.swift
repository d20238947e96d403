import Foundation
import Hummingbird
import Logging
import Metrics
import OrderedCollections
import SiyuCore
import SiyuStore

/// The Segment-compatible HTTP Tracking API: `/v1/track`, `/v1/identify`, `/v1/alias`,
/// `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/batch` and `/v1/import`.
///
/// Batches keep their valid items: invalid items are refused one by one and listed in the
/// response (`rejected`, with index, code, message and field), so a client can tell exactly
/// what was stored. A batch in which every item is invalid is answered with 400.
struct IngestController: Sendable {
    let directory: WorkspaceDirectory
    let writer: EventWriter
    let limiter: RateLimiter
    let clock: @Sendable () -> Int64
    /// The longest a client may take to send a request body (a slow drip is cut off with 408).
    var bodyTimeout: Duration = .seconds(30)

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        for type in MessageType.allCases {
            group.post(RouterPath(type.rawValue)) { request, context in
                try await self.ingest(request, context: context, endpoint: .single(type))
            }
        }
        group.post("batch") { request, context in try await self.ingest(request, context: context, endpoint: .batch) }
        group.post("import") { request, context in try await self.ingest(request, context: context, endpoint: .history) }
    }

    func ingest(_ request: Request, context: AppRequestContext, endpoint: TrackingRequest.Endpoint) async throws -> Response {
        let receivedAt = clock()
        let headerKey = try Self.basicAuthUser(request)
        var workspace: Workspace?
        if let headerKey {
            let known = try await authenticate(headerKey)
            try checkRate(known)
            workspace = known
        }
        let body = try await RequestBody.read(request, limit: TrackingRequest.maximumRequestBytes, timeout: bodyTimeout)
        let decoded: TrackingRequest
        do {
            decoded = try body.withUnsafeReadableBytes { bytes throws(IngestError) in
                try TrackingRequest.decode(body: bytes, endpoint: endpoint, receivedAt: receivedAt, makeMessageId: { UUID().uuidString.lowercased() })
            }
        } catch {
            // Authentication comes first: an unauthenticated caller learns nothing about its payload.
            if workspace == nil, headerKey == nil {
                throw APIError(
                    .unauthorized,
                    code: "unauthorized",
                    message: "a write key is required (HTTP Basic user name, or `writeKey` in the body)"
                )
            }
            Counter(label: "siyu_events_rejected_total", dimensions: [("reason", error.code)]).increment()
            throw APIError(error)
        }
        if workspace == nil {
            guard let bodyKey = decoded.writeKey, !bodyKey.isEmpty else {
                throw APIError(
                    .unauthorized,
                    code: "unauthorized",
                    message: "a write key is required (HTTP Basic user name, or `writeKey` in the body)"
                )
            }
            let known = try await authenticate(bodyKey)
            try checkRate(known)
            workspace = known
        }
        guard let workspace else { throw APIError(.unauthorized, code: "unauthorized", message: "unknown write key") }

        let preparer = try await directory.preparer(for: workspace)
        var prepared: [PreparedEvent] = []
        prepared.reserveCapacity(decoded.items.count)
        var rejected: [(Int, IngestError)] = []
        for (index, item) in decoded.items.enumerated() {
            switch item {
            case .accepted(let message):
                do {
                    prepared.append(try preparer.prepare(message))
                } catch {
                    var error = error
                    if endpoint.isBatch, let field = error.field { error.field = "batch[\(index)].\(field)" }
                    rejected.append((index, error))
                    Counter(label: "siyu_events_rejected_total", dimensions: [("reason", error.code)]).increment()
                }
            case .rejected(let error):
                rejected.append((index, error))
                Counter(label: "siyu_events_rejected_total", dimensions: [("reason", error.code)]).increment()
            }
        }
        if case .single = endpoint, let (_, error) = rejected.first { throw APIError(error) }
        if !decoded.items.isEmpty, prepared.isEmpty, let (_, error) = rejected.first {
            throw APIError(
                .badRequest,
                code: error.code,
                message: "no event of the batch is valid; first problem: \(error.message)",
                field: error.field
            )
        }
        Recorder(label: "siyu_request_events").record(decoded.items.count)

        let result: IngestResult
        do {
            result = try await writer.submit(IngestBatch(workspaceId: workspace.id, events: prepared))
        } catch let refusal as EventWriter.Refusal {
            switch refusal {
            case .shuttingDown:
                throw APIError(.serviceUnavailable, code: "shutting_down", message: "the server is shutting down; retry", headers: [.retryAfter: "5"])
            case .overloaded:
                throw APIError(.serviceUnavailable, code: "overloaded", message: "the store is behind; retry shortly", headers: [.retryAfter: "2"])
            }
        }
        Counter(label: "siyu_events_accepted_total").increment(by: result.stored)
        if result.duplicates > 0 { Counter(label: "siyu_events_deduplicated_total").increment(by: result.duplicates) }
        if result.suppressed > 0 { Counter(label: "siyu_events_suppressed_total").increment(by: result.suppressed) }

        var answer: JSONObject = ["success": true]
        if endpoint.isBatch {
            answer["stored"] = .int(Int64(result.stored))
            answer["duplicates"] = .int(Int64(result.duplicates))
            // Events of erased people (the suppression list): accepted, not stored.
            if result.suppressed > 0 { answer["suppressed"] = .int(Int64(result.suppressed)) }
            answer["rejected"] = .array(
                rejected.map { index, error in
                    var entry: JSONObject = ["index": .int(Int64(index)), "code": .string(error.code), "message": .string(error.message)]
                    if let field = error.field { entry["field"] = .string(field) }
                    return .object(entry)
                }
            )
        } else if result.duplicates > 0 {
            answer["duplicate"] = true
        }
        return JSONResponse.make(.object(answer))
    }

    /// 429 with `Retry-After` when the workspace is over its request rate (checked before the
    /// body is read when the key comes in the header).
    private func checkRate(_ workspace: Workspace) throws {
        if let wait = limiter.acquire(workspace.id) {
            throw APIError(
                .tooManyRequests,
                code: "rate_limited",
                message: "too many requests for this workspace; retry after \(wait) s",
                headers: [.retryAfter: String(wait)]
            )
        }
    }

    private func authenticate(_ key: String) async throws -> Workspace {
        guard let workspace = try await directory.workspace(writeKey: key) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "unknown or revoked write key")
        }
        return workspace
    }

    /// The user name of an HTTP Basic `Authorization` header (Segment puts the write key there).
    static func basicAuthUser(_ request: Request) throws -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic" else {
            throw APIError(.unauthorized, code: "unauthorized", message: "use HTTP Basic authentication with the write key as user name")
        }
        guard let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let text = String(data: data, encoding: .utf8)
        else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the Authorization header is not valid base64")
        }
        let user = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !user.isEmpty else { throw APIError(.unauthorized, code: "unauthorized", message: "the write key (Basic user name) is empty") }
        return user
    }
}
