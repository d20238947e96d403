import GRDB
import GRDBSQLite
import SiyuCore

extension SQLiteStore: AnalyticsRepository {
    public func analyticsVersion(workspaceId: Int64) async throws -> AnalyticsVersion {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: "SELECT event_seq, people_version, labels_version FROM workspace_state WHERE workspace_id = ?",
                arguments: [workspaceId]
            )
            return AnalyticsVersion(eventSeq: row?[0] ?? 0, peopleVersion: row?[1] ?? 0, labelsVersion: row?[2] ?? 0)
        }
    }

    public func analyticsPeople(workspaceId: Int64) async throws -> [DatasetBuilder.Person] {
        try await read { db in try Self.analyticsPeople(db, workspaceId: workspaceId, only: nil) }
    }

    /// Canonical people with their tags and identity kinds; `only` some canonical ids, or all.
    static func analyticsPeople(_ db: Database, workspaceId: Int64, only ids: [Int64]?) throws -> [DatasetBuilder.Person] {
        if let ids, ids.isEmpty { return [] }
        let list = ids.map { $0.map(String.init).joined(separator: ",") }
        var tags: [Int64: [String]] = [:]
        let tagSQL =
            list.map { "SELECT person_id, tag FROM person_tags WHERE person_id IN (\($0)) ORDER BY tag" }
            ?? "SELECT person_id, tag FROM person_tags WHERE workspace_id = ? ORDER BY tag"
        for row in try Row.fetchAll(db, sql: tagSQL, arguments: list == nil ? [workspaceId] : []) {
            tags[row[0], default: []].append(row[1])
        }
        var kinds: [Int64: [String]] = [:]
        // By group (persons first, through their canonical index) when some people are asked for.
        let identitySQL =
            list.map {
                """
                SELECT DISTINCT p.canonical_id, i.kind FROM persons p CROSS JOIN identities i ON i.person_id = p.id
                WHERE p.workspace_id = ? AND p.canonical_id IN (\($0))
                """
            }
            ?? "SELECT DISTINCT p.canonical_id, i.kind FROM identities i JOIN persons p ON p.id = i.person_id WHERE i.workspace_id = ?"
        for row in try Row.fetchAll(db, sql: identitySQL, arguments: [workspaceId]) { kinds[row[0], default: []].append(row[1]) }
        let sql = """
            SELECT id, user_id, traits, first_seen, last_seen, first_channel, last_channel FROM persons
            WHERE workspace_id = ? AND canonical_id = id\(list.map { " AND id IN (\($0))" } ?? "")
            """
        return try Row.fetchAll(db, sql: sql, arguments: [workspaceId]).map { row in
            let id: Int64 = row[0]
            return DatasetBuilder.Person(
                id: id,
                firstSeen: row[3],
                lastSeen: row[4],
                firstChannel: row[5],
                lastChannel: row[6],
                userId: row[1],
                traits: StoredJSON.object(row[2]),
                tags: tags[id] ?? [],
                identityKinds: (kinds[id] ?? []).sorted()
            )
        }
    }

    public func peopleChanges(workspaceId: Int64, since: Int64) async throws -> PeopleChanges {
        try await read { db in
            let state = try Row.fetchOne(
                db,
                sql: "SELECT people_version, rebuild_version FROM workspace_state WHERE workspace_id = ?",
                arguments: [workspaceId]
            )
            let version: Int64 = state?[0] ?? 0
            let rebuildVersion: Int64 = state?[1] ?? 0
            if rebuildVersion > since { return PeopleChanges(version: version, rebuild: true, changed: [], people: []) }
            let changed = try Row.fetchAll(
                db,
                sql: "SELECT id, canonical_id FROM persons WHERE workspace_id = ? AND changed_version > ?",
                arguments: [workspaceId, since]
            ).map { (id: $0[0] as Int64, canonicalId: $0[1] as Int64) }
            var people: [DatasetBuilder.Person] = []
            let canonical = Array(Set(changed.map(\.canonicalId))).sorted()
            for chunk in stride(from: 0, to: canonical.count, by: 500) {
                people += try Self.analyticsPeople(db, workspaceId: workspaceId, only: Array(canonical[chunk..<min(chunk + 500, canonical.count)]))
            }
            return PeopleChanges(version: version, rebuild: false, changed: changed, people: people)
        }
    }

    public func canonicalMap(workspaceId: Int64) async throws -> [Int64: Int64] {
        try await read { db in
            var map: [Int64: Int64] = [:]
            let sql = "SELECT id, canonical_id FROM persons WHERE workspace_id = ? AND canonical_id != id"
            for row in try Row.fetchAll(db, sql: sql, arguments: [workspaceId]) { map[row[0]] = row[1] }
            return map
        }
    }

    public func analyticsEvents(workspaceId: Int64, afterSeq: Int64, limit: Int) async throws -> EventLog {
        try await read { db in
            let currency = try String.fetchOne(db, sql: "SELECT currency FROM workspaces WHERE id = ?", arguments: [workspaceId]) ?? ""
            // `+workspace_id` keeps SQLite on the rowid range (id > ?), read in order. Through the
            // (workspace_id, timestamp) index it would fetch and sort every later event of the workspace
            // for each chunk: 90 s instead of 0.25 s per 250,000 events at 10 million.
            var statement = try RawStatement(
                db,
                """
                SELECT id, person_id, timestamp, event, type, channel, revenue_minor, currency, flags FROM events
                WHERE +workspace_id = ? AND id > ? ORDER BY id LIMIT ?
                """
            )
            statement.bind(workspaceId)
            statement.bind(afterSeq)
            statement.bind(Int64(limit))
            var columns = EventLog()
            var names = ByteInterner()
            var channels = ByteInterner()
            let orderFlag = Int64(EventFlags.order.rawValue)
            while try statement.step(db) {
                columns.seqs.append(statement.int64(0) ?? 0)
                columns.originPersons.append(statement.int64(1) ?? 0)
                columns.timestamps.append(statement.int64(2) ?? 0)
                columns.nameCodes.append(statement.withText(3) { $0.map { names.code(of: $0) } ?? -1 })
                columns.types.append(UInt8(truncatingIfNeeded: statement.int64(4) ?? 0))
                columns.channelCodes.append(statement.withText(5) { $0.map { channels.code(of: $0) } ?? -1 })
                let isOrder = ((statement.int64(8) ?? 0) & orderFlag) != 0
                columns.isOrder.append(isOrder)
                let sameCurrency = statement.withText(7) { $0.map { currency.utf8.elementsEqual($0) } ?? false }
                // Rows stored before amounts were bounded may exceed the per-event limit: clamp on the way in.
                columns.revenue.append(isOrder && sameCurrency ? Money.clampedEventAmount(statement.int64(6) ?? 0) : 0)
            }
            statement.reset()
            columns.names = names.strings
            columns.channels = channels.strings
            return columns
        }
    }

    public func eventPropertyValues(workspaceId: Int64, key: String, names: [String]?) async throws -> [(seq: Int64, value: JSONValue)] {
        try await propertyValues(workspaceId: workspaceId, key: key, names: names, afterSeq: 0, throughSeq: .max)
    }

    public func eventPropertyValues(
        workspaceId: Int64,
        key: String,
        afterSeq: Int64,
        throughSeq: Int64
    ) async throws -> [(seq: Int64, value: JSONValue)] {
        try await propertyValues(workspaceId: workspaceId, key: key, names: nil, afterSeq: afterSeq, throughSeq: throughSeq)
    }

    private func propertyValues(
        workspaceId: Int64,
        key: String,
        names: [String]?,
        afterSeq: Int64,
        throughSeq: Int64
    ) async throws -> [(seq: Int64, value: JSONValue)] {
        try await read { db in
            // A scan in rowid order (`+workspace_id`, as above), not random reads through the time index.
            var sql = "SELECT id, json_extract(properties, ?), json_type(properties, ?) FROM events WHERE +workspace_id = ? AND id > ? AND id <= ?"
            let path = PeopleSearch.jsonPath(key)
            var arguments: StatementArguments = [path, path, workspaceId, afterSeq, throughSeq]
            if let names {
                sql += " AND event IN (\(names.map { _ in "?" }.joined(separator: ",")))"
                for name in names { _ = arguments.append(contentsOf: [name]) }
            }
            sql += " AND json_type(properties, ?) IS NOT NULL ORDER BY id"
            _ = arguments.append(contentsOf: [path])
            var values: [(seq: Int64, value: JSONValue)] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                let type: String = row[2]
                let value: JSONValue
                switch type {
                case "integer": value = .int(row[1])
                case "real": value = .double(row[1])
                case "text": value = .string(row[1])
                case "true": value = .bool(true)
                case "false": value = .bool(false)
                case "null": value = .null
                default:
                    let text: String = row[1]
                    value = (try? JSONParser.parse(text)) ?? .string(text)
                }
                values.append((row[0], value))
            }
            return values
        }
    }
}

/// Dictionary-encodes short UTF-8 strings (event names, channels) without allocating a String
/// for every row.
struct ByteInterner {
    private(set) var strings: [String] = []
    private var table: [Int32] = Array(repeating: -1, count: 256)
    private var keys: [[UInt8]] = []

    /// The code of `bytes`, adding it when new.
    mutating func code(of bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        var slot = Int(hash & UInt64(table.count - 1))
        while true {
            let code = table[slot]
            if code < 0 { break }
            if keys[Int(code)].elementsEqual(bytes) { return code }
            slot = (slot + 1) & (table.count - 1)
        }
        let code = Int32(keys.count)
        keys.append(Array(bytes))
        strings.append(String(decoding: bytes, as: UTF8.self))
        table[slot] = code
        if keys.count * 2 > table.count { grow() }
        return code
    }

    private mutating func grow() {
        table = Array(repeating: -1, count: table.count * 2)
        for (code, key) in keys.enumerated() {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            var slot = Int(hash & UInt64(table.count - 1))
            while table[slot] >= 0 { slot = (slot + 1) & (table.count - 1) }
            table[slot] = Int32(code)
        }
    }
}
