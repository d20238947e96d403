import OrderedCollections

/// A problem that stops a whole import: a bad mapping, a header that does not fit it, or a file
/// that cannot be read as CSV.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Physical line of the file, when the problem is in the file.
    public var line: Int?
    public var message: String

    public init(line: Int? = nil, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}

/// Which CSV column gives which field of an import.
///
/// Written by an operator as `--map userId=member_id --map trait.name=姓名` or as a JSON file
/// `{"userId": "member_id", "trait.name": "姓名", "defaultCurrency": "CNY"}`, or guessed from the
/// header (``guess(header:kind:)``). Column names match the header case-insensitively after trimming.
public struct ImportMapping: Sendable, Equatable {
    public var kind: ImportKind
    /// Field → column name, in the order given.
    public var columns: OrderedDictionary<ImportField, String>
    /// Currency of amounts when no `currency` column is mapped or a cell is empty; overrides the
    /// workspace currency of ``ImportOptions``.
    public var defaultCurrency: String?

    public init(kind: ImportKind, columns: OrderedDictionary<ImportField, String> = [:], defaultCurrency: String? = nil) {
        self.kind = kind
        self.columns = columns
        self.defaultCurrency = defaultCurrency
    }

    /// Reads `field=column` pairs as given on the command line. `defaultCurrency=CNY` sets the
    /// default currency.
    public static func parse(arguments: [String], kind: ImportKind) throws(ImportError) -> ImportMapping {
        var mapping = ImportMapping(kind: kind)
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ImportError("mapping `\(argument)` should read field=column, e.g. userId=member_id")
            }
            try mapping.add(key: String(argument[..<equals]), column: String(argument[argument.index(after: equals)...]))
        }
        return mapping
    }

    /// Reads a JSON mapping file: an object of `"field": "column"` members, optionally with
    /// `"traits": {name: column}` / `"properties": {name: column}` objects and `"defaultCurrency"`.
    public static func parse(json: some Collection<UInt8>, kind: ImportKind) throws(ImportError) -> ImportMapping {
        let root: JSONValue
        do {
            root = try JSONParser.parse(json)
        } catch {
            throw ImportError("mapping file is not valid JSON: \(error.description)")
        }
        guard case .object(let object) = root else { throw ImportError("mapping file must hold a JSON object of \"field\": \"column\" members") }
        var mapping = ImportMapping(kind: kind)
        for (key, value) in object {
            let nestedPrefix: String? =
                switch key {
                case "traits", "trait": "trait."
                case "properties", "property": "property."
                default: nil
                }
            if let nestedPrefix, case .object(let nested) = value {
                for (name, column) in nested {
                    guard let text = column.stringValue else { throw ImportError("mapping `\(key).\(name)` must name a column as a string") }
                    try mapping.add(key: nestedPrefix + name, column: text)
                }
                continue
            }
            guard let text = value.stringValue else { throw ImportError("mapping `\(key)` must name a column as a string, not \(value.typeName)") }
            try mapping.add(key: key, column: text)
        }
        return mapping
    }

    /// Adds one `key = column` pair, checking that the field exists for this kind of import.
    mutating func add(key rawKey: String, column rawColumn: String) throws(ImportError) {
        let key = ImportValue.trim(rawKey)
        let column = ImportValue.trim(rawColumn)
        if key.lowercased() == "defaultcurrency" || key.lowercased() == "default_currency" {
            guard let code = ImportValue.currencyCode(column) else {
                throw ImportError("defaultCurrency `\(column)` is not a three-letter currency code such as CNY")
            }
            defaultCurrency = code
            return
        }
        guard let field = ImportField(name: key) else {
            throw ImportError("unknown field `\(key)`; use one of \(Self.fieldNames(kind)), or trait./property.NAME")
        }
        guard field.isAllowed(in: kind) else {
            let hint = kind == .people ? "people files take trait.NAME for extra columns" : "order files take property.NAME for extra columns"
            throw ImportError("field `\(field.name)` does not belong in a \(kind.rawValue) import; \(hint)")
        }
        if case .trait(let name) = field, ImportField.reservedTraits.contains(name) {
            throw ImportError("trait `\(name)` is filled by the import itself; map the column to the field `\(name)` instead")
        }
        if case .property(let name) = field, ImportField.reservedProperties.contains(name) {
            throw ImportError("property `\(name)` is filled by the import itself; map the column to a field instead")
        }
        guard !column.isEmpty else { throw ImportError("mapping for `\(field.name)` names no column") }
        guard columns[field] == nil else { throw ImportError("field `\(field.name)` is mapped twice") }
        columns[field] = column
    }

    static func fieldNames(_ kind: ImportKind) -> String {
        let all: [ImportField] = [
            .userId, .anonymousId, .email, .phone, .openid, .unionid, .timestamp, .channel, .orderId, .revenue, .currency,
            .productId, .sku, .quantity, .productName, .category, .price, .status,
        ]
        return all.filter { $0.isAllowed(in: kind) }.map(\.name).joined(separator: ", ")
    }

    /// Matches the mapping against a header row. Fails, before any row is read, when a mapped
    /// column is missing or ambiguous, or when a field the kind requires is not mapped.
    public func resolve(header: [String]) throws(ImportError) -> ResolvedImportMapping {
        let names = header.map { ImportValue.trim($0) }
        var positions: [String: [Int]] = [:]
        for (index, name) in names.enumerated() where !name.isEmpty { positions[name.lowercased(), default: []].append(index) }

        var resolved: [ResolvedImportMapping.Column] = []
        var used: Set<Int> = []
        for (field, column) in columns {
            guard let found = positions[column.lowercased()] else {
                let listed = names.filter { !$0.isEmpty }.prefix(30).map { "`\($0)`" }.joined(separator: ", ")
                throw ImportError(line: 1, "column `\(column)` (mapped to \(field.name)) is not in the header; the header has \(listed)")
            }
            guard found.count == 1 else {
                throw ImportError(line: 1, "column `\(column)` (mapped to \(field.name)) appears \(found.count) times in the header; rename one")
            }
            resolved.append(.init(field: field, name: names[found[0]], index: found[0]))
            used.insert(found[0])
        }
        let mapped = Set(columns.keys)
        guard ImportField.personKeys.contains(where: mapped.contains) else {
            throw ImportError(
                line: 1,
                "no column names the person: map one to userId (or anonymousId, unionid, openid, phone, email)"
            )
        }
        if kind == .orders {
            for required in [ImportField.orderId, .revenue, .timestamp] where !mapped.contains(required) {
                throw ImportError(line: 1, "an orders import needs a column mapped to \(required.name)")
            }
        }

        var warnings: [String] = []
        for (index, name) in names.enumerated() where name.isEmpty && !used.contains(index) {
            warnings.append("column \(index + 1) has no name and is ignored")
        }
        for found in positions.values where found.count > 1 {
            warnings.append(
                "column `\(names[found[0]])` appears \(found.count) times (columns \(found.map { String($0 + 1) }.joined(separator: ", ")))"
            )
        }
        warnings.sort()
        let unmapped = names.enumerated().filter { !$0.element.isEmpty && !used.contains($0.offset) }.map(\.element)
        return ResolvedImportMapping(
            kind: kind,
            columns: resolved,
            headerCount: header.count,
            defaultCurrency: defaultCurrency,
            unmappedColumns: unmapped,
            warnings: warnings
        )
    }
}

/// A mapping matched against a header: each field with the position of its column.
public struct ResolvedImportMapping: Sendable, Equatable {
    /// One mapped column.
    public struct Column: Sendable, Equatable {
        public var field: ImportField
        /// The column's name as the header spells it.
        public var name: String
        /// 0-based position in each record.
        public var index: Int
    }

    public var kind: ImportKind
    public var columns: [Column]
    /// Number of fields each record should have.
    public var headerCount: Int
    public var defaultCurrency: String?
    /// Named columns no field uses (shown to the operator so that none is dropped by surprise).
    public var unmappedColumns: [String]
    /// Header oddities that do not stop the import: empty or repeated names.
    public var warnings: [String]

    /// The mapped column of a field.
    public func column(_ field: ImportField) -> Column? {
        columns.first { $0.field == field }
    }
}
