import OpenAPIRuntime
import SiyuCore

/// Free-form JSON (traits, event properties, context, saved settings) into the contract's
/// containers and back.
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

    /// A value read from the runtime's containers.
    init(openAPIValue value: (any Sendable)?) {
        switch value {
        case nil: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .int(Int64(value))
        case let value as Int64: self = .int(value)
        case let value as Double: self = .double(value)
        case let value as String: self = .string(value)
        case let items as [(any Sendable)?]: self = .array(items.map(JSONValue.init(openAPIValue:)))
        case let object as [String: (any Sendable)?]:
            self = .object(JSONObject(uniqueKeysWithValues: object.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(openAPIValue: $0.value)) }))
        default: self = .null
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

    var jsonObject: JSONObject {
        JSONObject(uniqueKeysWithValues: value.sorted { $0.key < $1.key }.map { ($0.key, JSONValue(openAPIValue: $0.value)) })
    }
}
