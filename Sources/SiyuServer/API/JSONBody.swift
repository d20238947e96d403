import Hummingbird
import SiyuCore

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
