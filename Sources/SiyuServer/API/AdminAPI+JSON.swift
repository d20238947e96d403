import OpenAPIRuntime
import SiyuCore

/// Free-form JSON (traits, event properties, context) into the contract's containers.
extension JSONValue {
    /// The value as the OpenAPI runtime's containers hold it.
    var openAPIValue: (any Sendable)? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .int(let value): Int(value)
        case .double(let value): value
        case .string(let value): value
        case .array(let items): items.map(\.openAPIValue)
        case .object(let object): Dictionary(uniqueKeysWithValues: object.map { ($0.key, $0.value.openAPIValue) })
        }
    }
}

extension OpenAPIObjectContainer {
    /// An object of ``JSONValue``s; they are JSON already, so nothing can fail.
    init(_ object: JSONObject) {
        var values: [String: (any Sendable)?] = [:]
        for (key, value) in object { values[key] = value.openAPIValue }
        self = (try? OpenAPIObjectContainer(unvalidatedValue: values)) ?? OpenAPIObjectContainer()
    }
}
