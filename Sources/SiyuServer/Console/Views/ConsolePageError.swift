import Hummingbird
import SiyuCore
import SiyuStore

/// Why a console page cannot be shown; rendered as an error page in the console layout and the user's language.
public enum ConsolePageError: Error, Sendable, Equatable {
    case notFound
    /// The user's role may not perform the action.
    case forbidden(ConsoleAction)
    /// A state-changing request without the session's CSRF token.
    case csrf
    /// A request the console cannot understand (the message is shown as detail).
    case badRequest(String)
    case internalError

    public var status: HTTPResponse.Status {
        switch self {
        case .notFound: return .notFound
        case .forbidden, .csrf: return .forbidden
        case .badRequest: return .badRequest
        case .internalError: return .internalServerError
        }
    }

    /// The string-table group of the page's title and explanation (`errors.<key>.title`, `.message`).
    public var key: String {
        switch self {
        case .notFound: return "notFound"
        case .forbidden: return "forbidden"
        case .csrf: return "csrf"
        case .badRequest: return "badRequest"
        case .internalError: return "internal"
        }
    }

    /// The error page for any error a console handler threw (store, API and HTTP errors included).
    static func from(_ error: any Error) -> ConsolePageError {
        switch error {
        case let error as ConsolePageError: return error
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .notFound
            case .forbidden: return .forbidden(.read)
            case .internalServerError: return .internalError
            default: return error.status.code < 500 ? .badRequest(error.body ?? error.status.reasonPhrase) : .internalError
            }
        case let error as APIError:
            if error.status == .notFound { return .notFound }
            return error.status.code < 500 ? .badRequest(error.message) : .internalError
        case let error as AnswerSize.TooLarge: return .badRequest(error.description)
        case let error as StoreError:
            if case .notFound = error { return .notFound }
            return .badRequest(error.description)
        default: return .internalError
        }
    }
}
