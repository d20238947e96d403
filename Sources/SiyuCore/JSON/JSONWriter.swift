/// Writes ``JSONValue`` as compact UTF-8 JSON text.
public enum JSONWriter {
    /// The compact JSON text of `value`.
    public static func string(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The compact JSON text of an object.
    public static func string(_ object: JSONObject) -> String { string(.object(object)) }

    /// Appends the compact JSON text of `value` to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: format(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out.append(0x5B)  // [
            var position = 0
            while position < items.count {
                if position > 0 { out.append(0x2C) }  // ,
                write(items[position], into: &out)
                position += 1
            }
            out.append(0x5D)  // ]
        case .object(let object):
            // Keys and values as plain arrays, walked by index: iterating the dictionary's pairs
            // is several times slower in debug builds, and every stored event is written here.
            let keys = object.keys.elements
            let values = object.values.elements
            out.append(0x7B)  // {
            var position = 0
            while position < keys.count {
                if position > 0 { out.append(0x2C) }  // ,
                writeString(keys[position], into: &out)
                out.append(0x3A)  // :
                write(values[position], into: &out)
                position += 1
            }
            out.append(0x7D)  // }
        }
    }

    /// A double as JSON: integral values without a fraction, non-finite values as `null`.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `s` as a quoted JSON string with the escapes RFC 8259 requires.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)  // "
        var s = s
        s.withUTF8 { utf8 in
            // Copy runs that need no escaping in one go; most strings are a single run. The bytes
            // are read through a pointer, which keeps this loop cheap in debug builds.
            let count = utf8.count
            guard let bytes = utf8.baseAddress else { return }
            var runStart = 0
            var index = 0
            while index < count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else {  // control, `"`, `\`
                    index += 1
                    continue
                }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(start: bytes + runStart, count: index - runStart)) }
                index += 1
                runStart = index
                switch byte {
                case UInt8(ascii: "\""):
                    out.append(0x5C)
                    out.append(0x22)
                case UInt8(ascii: "\\"):
                    out.append(0x5C)
                    out.append(0x5C)
                case 0x0A:
                    out.append(0x5C)
                    out.append(UInt8(ascii: "n"))
                case 0x0D:
                    out.append(0x5C)
                    out.append(UInt8(ascii: "r"))
                case 0x09:
                    out.append(0x5C)
                    out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                }
            }
            if runStart < count { out.append(contentsOf: UnsafeBufferPointer(start: bytes + runStart, count: count - runStart)) }
        }
        out.append(0x22)  // "
    }
}
