/// Two JSON values are equal when they hold the same data: an object is an unordered collection
/// of members (RFC 8259 §4), so `{"a": 1, "b": 2}` equals `{"b": 2, "a": 1}`. Integers and
/// floating-point numbers stay apart (`1` is not `1.0`), as they are kept apart everywhere else.
extension JSONValue {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .int(let value): hasher.combine(value)
        case .double(let value): hasher.combine(value)
        case .string(let value): hasher.combine(value)
        case .array(let items): hasher.combine(items)
        case .object(let object):
            // Equal objects may list their members in any order: each member is hashed on its own
            // and the results summed, so the order does not count and nothing is sorted or copied.
            var members = 0
            for (key, value) in object {
                var member = Hasher()
                member.combine(key)
                member.combine(value)
                members &+= member.finalize()
            }
            hasher.combine(object.count)
            hasher.combine(members)
        }
    }
}
