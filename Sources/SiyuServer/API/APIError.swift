import Hummingbird
import NIOCore
import OpenAPIRuntime
import SiyuCore
import SiyuStore

/// An error answered as `{"error": {"code", "message", "field"?}}` with a 4xx/5xx status.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
    }

    /// An ingestion error: 413 for the size limits, 400 for everything else.
    public init(_ error: IngestError) {
        let status: HTTPResponse.Status = error.code.hasSuffix("_too_large") && error.code != "batch_too_large" ? .contentTooLarge : .badRequest
        self.init(status, code: error.code, message: error.message, field: error.field)
    }

    public var body: JSONValue {
        var error: JSONValue = ["code": .string(code), "message": .string(message)]
        if let field, case .object(var object) = error {
            object["field"] = .string(field)
            error = .object(object)
        }
        return ["error": error]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(body, status: status)
        for field in headers { response.headers.append(field) }
        return response
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(.badRequest, code: "invalid_request", message: message, field: field)
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }

    /// `400 too_large`: the answer would hold more cells than ``QueryLimits/maximumAnswerCells``.
    init(_ error: AnswerSize.TooLarge) {
        self.init(.badRequest, code: "too_large", message: error.description)
    }
}

/// Turns every error into the JSON error shape, so that no handler can answer with HTML or an empty 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            // The router found no route: a path of the contract asked with another method is a 405.
            guard let methods = RouteTable.contract.methods(for: request.uri.path), !methods.contains(request.method.rawValue) else {
                return try Self.apiError(error)!.response(from: request, context: context)
            }
            let answer = APIError(
                .methodNotAllowed,
                code: "method_not_allowed",
                message: "\(request.uri.path) takes \(methods.joined(separator: ", "))",
                headers: [.allow: methods.joined(separator: ", ")]
            )
            return try answer.response(from: request, context: context)
        } catch {
            guard let answer = Self.apiError(error) else {
                // A generated operation's error describes the whole request, its Authorization header
                // included: log what the handler threw and the operation, never the token.
                let detail =
                    (error as? ServerError).map { "\($0.operationID): \(String(reflecting: $0.underlyingError))" } ?? String(reflecting: error)
                context.logger.error("request failed", metadata: ["error": "\(detail)", "path": "\(request.uri.path)"])
                return try APIError(.internalServerError, code: "internal_error", message: "the server could not complete the request")
                    .response(from: request, context: context)
            }
            return try answer.response(from: request, context: context)
        }
    }

    /// The answer to an error the API knows, nil for an unexpected one (a 500).
    static func apiError(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as StoreError: return apiError(error)
        case let error as AnswerSize.TooLarge: return APIError(error)
        case is NIOTooManyBytesError:
            // `collectBody(upTo:)` past its limit (a JSON body over 1 MiB, say): before, a 500.
            return APIError(.contentTooLarge, code: "request_too_large", message: "the request body is too large")
        case let error as ServerError:
            // A generated operation: the request did not match the contract, or its handler threw.
            if error.operationInput == nil, apiError(error.underlyingError) == nil { return APIError(invalidInput: error) }
            return apiError(error.underlyingError)
        case let error as HTTPError:
            let code: String
            switch error.status {
            case .notFound: code = "not_found"
            case .methodNotAllowed: code = "method_not_allowed"
            case .contentTooLarge: code = "request_too_large"
            case .unauthorized: code = "unauthorized"
            default: code = error.status.code < 500 ? "invalid_request" : "internal_error"
            }
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase, headers: error.headers)
        default: return nil
        }
    }

    static func apiError(_ error: StoreError) -> APIError {
        switch error {
        case .notFound(let message): return APIError(.notFound, code: "not_found", message: message)
        case .conflict(let message): return APIError(.conflict, code: "conflict", message: message)
        case .invalid(let message): return APIError(.badRequest, code: "invalid_request", message: message)
        }
    }
}

/// JSON responses from ``JSONValue``.
enum JSONResponse {
    static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        JSONWriter.write(value, into: &bytes)
        bytes.append(0x0A)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}
