import PostgresNIO

/// A one-dimensional PostgreSQL array whose elements may be NULL, bound as one parameter.
///
/// postgres-nio binds `[String]` and `[Int64]` but not arrays of optionals; multi-row inserts
/// through `unnest($1::text[], …)` need NULLs for the nullable columns.
struct NullableArray<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable, Sendable
where Element: Sendable {
    var elements: [Element?]

    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// The binary array format: dimensions, has-null flag, element type, (length, lower bound), then
    /// each element as a length-prefixed value or length -1 for NULL.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            let start = buffer.writerIndex
            element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - start), at: lengthIndex)
        }
    }
}

/// SQL put together from fixed fragments, with every value bound as a parameter (`$1`, `$2`, …).
///
/// For statements whose shape depends on the request (people search): the fragments are string
/// literals of this module, the values never enter the text.
struct BoundSQL {
    private(set) var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) { self.sql = sql }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresNonThrowingEncodable>(_ value: Value) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    mutating func append(_ fragment: String) { sql += fragment }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
