import Foundation
import Hummingbird

/// The fields of an `application/x-www-form-urlencoded` body (the first value of a repeated name wins).
public struct ConsoleForm: Sendable {
    public var fields: [String: String]
    /// The body as sent, for ``decode(_:)``.
    public var text: String = ""

    public init(fields: [String: String]) { self.fields = fields }

    /// The form as a struct of its fields (Hummingbird's `URLEncodedFormDecoder`); names the struct
    /// does not declare, such as `_csrf`, are ignored. A body that cannot be read as one is a 400.
    public func decode<Input: Decodable>(_ type: Input.Type) throws -> Input {
        do {
            return try URLEncodedFormDecoder().decode(type, from: text)
        } catch {
            throw HTTPError(.badRequest, message: "the form could not be read")
        }
    }

    /// The fields as a struct, each name once with its first value, as the console has always read
    /// a GET form (whose links may repeat a name); names the struct does not declare are ignored.
    public func decodeFields<Input: Decodable>(_ type: Input.Type) throws -> Input {
        // Names with brackets would be nested values for the decoder; no console form declares one.
        let plain = fields.filter { !$0.key.contains("[") && !$0.key.contains("]") }
        var form = ConsoleForm(fields: plain)
        form.text = Self.queryString(plain.map { ($0.key, $0.value) })
        return try form.decode(type)
    }

    /// `name=value&…`, every name and value percent-encoded (links carry forms as query strings).
    static func queryString(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// A field read by a name built at run time (`g1.c2.type`, `step3`) rather than declared.
    struct FieldName: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Unreserved ASCII characters; everything else (Chinese names, `+`, `&`) is percent-encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

    static func encode(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text }

    /// Parses `a=1&b=two+words&c=%E4%B8%AD`.
    public init(urlEncoded text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first, let name = Self.decode(rawName), !name.isEmpty else { continue }
            let value = parts.count > 1 ? Self.decode(parts[1]) ?? "" : ""
            if fields[name] == nil { fields[name] = value }
        }
        self.fields = fields
        self.text = text
    }

    public subscript(_ name: String) -> String? { fields[name] }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// Largest form body the console reads.
    static let maximumSize = 1 << 20

    /// Reads the form of a request; the body stays readable for the handler after.
    static func read(_ request: inout Request) async throws -> ConsoleForm {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else { return ConsoleForm(fields: [:]) }
        let body = try await request.collectBody(upTo: maximumSize)
        return ConsoleForm(urlEncoded: String(buffer: body))
    }
}
