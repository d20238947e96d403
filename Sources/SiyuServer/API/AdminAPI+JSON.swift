import OpenAPIRuntime
import OrderedCollections
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

extension JSONValue {
    /// A value the OpenAPI runtime decoded (``OpenAPIValueContainer/value``), as JSON.
    init(openAPIValue value: (any Sendable)?) {
        switch value {
        case .none: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .int(Int64(value))
        case let value as Int64: self = .int(value)
        case let value as Double: self = .double(value)
        case let value as String: self = .string(value)
        case let items as [(any Sendable)?]: self = .array(items.map(JSONValue.init(openAPIValue:)))
        case let object as [String: (any Sendable)?]:
            self = .object(JSONObject(uniqueKeysWithValues: object.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(openAPIValue: $0.value)) }))
        default: self = .string(String(describing: value))
        }
    }

    /// A value the contract types as free-form JSON.
    init(_ container: OpenAPIValueContainer) { self.init(openAPIValue: container.value) }
}

extension OpenAPIValueContainer {
    /// Any JSON value; it is JSON already, so nothing can fail.
    init(_ value: JSONValue) {
        self = (try? OpenAPIValueContainer(unvalidatedValue: value.openAPIValue)) ?? nil
    }
}

extension JSONObject {
    /// An object the contract types as free-form JSON.
    init(_ container: OpenAPIObjectContainer) {
        self.init(uniqueKeysWithValues: container.value.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(openAPIValue: $0.value)) })
    }
}
