import PostgresNIO
import SiyuCore

extension PostgresStore: AnalyticsRepository {
    public func analyticsVersion(workspaceId: Int64) async throws -> AnalyticsVersion {
        try await read { connection in
            let rows = try await connection.rows(
                "SELECT event_seq, people_version, labels_version FROM workspace_state WHERE workspace_id = \(workspaceId)",
                logger: logger
            )
            guard let row = rows.first else { return AnalyticsVersion(eventSeq: 0, peopleVersion: 0) }
            let (seq, version, labels) = try row.decode((Int64, Int64, Int64).self)
            return AnalyticsVersion(eventSeq: seq, peopleVersion: version, labelsVersion: labels)
        }
    }

    public func analyticsPeople(workspaceId: Int64) async throws -> [DatasetBuilder.Person] {
        try await read { connection in try await analyticsPeople(connection, workspaceId: workspaceId, only: nil) }
    }

    /// Canonical people with their tags and identity kinds; `only` some canonical ids, or all.
    func analyticsPeople(_ connection: PostgresConnection, workspaceId: Int64, only ids: [Int64]?) async throws -> [DatasetBuilder.Person] {
        if let ids, ids.isEmpty { return [] }
        let all = ids == nil
        let wanted = ids ?? []
        var tags: [Int64: [String]] = [:]
        for row in try await connection.rows(
            """
            SELECT person_id, tag FROM person_tags WHERE workspace_id = \(workspaceId) AND (\(all) OR person_id = ANY(\(wanted)::bigint[]))
            ORDER BY tag
            """,
            logger: logger
        ) {
            let (person, tag) = try row.decode((Int64, String).self)
            tags[person, default: []].append(tag)
        }
        var kinds: [Int64: [String]] = [:]
        for row in try await connection.rows(
            """
            SELECT DISTINCT p.canonical_id, i.kind FROM identities i JOIN persons p ON p.id = i.person_id
            WHERE i.workspace_id = \(workspaceId) AND (\(all) OR p.canonical_id = ANY(\(wanted)::bigint[]))
            """,
            logger: logger
        ) {
            let (person, kind) = try row.decode((Int64, String).self)
            kinds[person, default: []].append(kind)
        }
        return try await connection.rows(
            """
            SELECT id, user_id, traits::text, first_seen, last_seen, first_channel, last_channel FROM persons
            WHERE workspace_id = \(workspaceId) AND canonical_id = id AND (\(all) OR id = ANY(\(wanted)::bigint[]))
            """,
            logger: logger
        ).map { row in
            let (id, userId, traits, firstSeen, lastSeen, firstChannel, lastChannel) = try row.decode(
                (Int64, String?, String, Int64?, Int64?, String?, String?).self
            )
            return DatasetBuilder.Person(
                id: id,
                firstSeen: firstSeen,
                lastSeen: lastSeen,
                firstChannel: firstChannel,
                lastChannel: lastChannel,
                userId: userId,
                traits: StoredJSON.object(traits),
                tags: tags[id] ?? [],
                identityKinds: (kinds[id] ?? []).sorted()
            )
        }
    }

    public func peopleChanges(workspaceId: Int64, since: Int64) async throws -> PeopleChanges {
        try await read { connection in
            var state: (Int64, Int64) = (0, 0)
            if let row = try await connection.rows(
                "SELECT people_version, rebuild_version FROM workspace_state WHERE workspace_id = \(workspaceId)",
                logger: logger
            ).first {
                state = try row.decode((Int64, Int64).self)
            }
            if state.1 > since { return PeopleChanges(version: state.0, rebuild: true, changed: [], people: []) }
            let changed = try await connection.rows(
                "SELECT id, canonical_id FROM persons WHERE workspace_id = \(workspaceId) AND changed_version > \(since)",
                logger: logger
            ).map { row -> (id: Int64, canonicalId: Int64) in
                let (id, canonical) = try row.decode((Int64, Int64).self)
                return (id, canonical)
            }
            let canonical = Array(Set(changed.map(\.canonicalId))).sorted()
            let people = try await analyticsPeople(connection, workspaceId: workspaceId, only: canonical)
            return PeopleChanges(version: state.0, rebuild: false, changed: changed, people: people)
        }
    }

    public func canonicalMap(workspaceId: Int64) async throws -> [Int64: Int64] {
        try await read { connection in
            var map: [Int64: Int64] = [:]
            for row in try await connection.rows(
                "SELECT id, canonical_id FROM persons WHERE workspace_id = \(workspaceId) AND canonical_id != id",
                logger: logger
            ) {
                let (id, canonical) = try row.decode((Int64, Int64).self)
                map[id] = canonical
            }
            return map
        }
    }

    public func analyticsEvents(workspaceId: Int64, afterSeq: Int64, limit: Int) async throws -> EventLog {
        try await read { connection in
            let currency = try await connection.value(String.self, "SELECT currency FROM workspaces WHERE id = \(workspaceId)", logger: logger) ?? ""
            var columns = EventLog()
            var names: [String: Int32] = [:]
            var channels: [String: Int32] = [:]
            let orderFlag = Int64(EventFlags.order.rawValue)
            let rows = try await connection.rows(
                """
                SELECT id, person_id, timestamp, event, type, channel, revenue_minor, currency, flags FROM events
                WHERE workspace_id = \(workspaceId) AND id > \(afterSeq) ORDER BY id LIMIT \(Int64(limit))
                """,
                logger: logger
            )
            for row in rows {
                let (seq, person, timestamp, name, type, channel, revenue, rowCurrency, flags) = try row.decode(
                    (Int64, Int64, Int64, String?, Int64, String, Int64?, String?, Int64).self
                )
                columns.seqs.append(seq)
                columns.originPersons.append(person)
                columns.timestamps.append(timestamp)
                if let name {
                    if let code = names[name] {
                        columns.nameCodes.append(code)
                    } else {
                        let code = Int32(columns.names.count)
                        names[name] = code
                        columns.names.append(name)
                        columns.nameCodes.append(code)
                    }
                } else {
                    columns.nameCodes.append(-1)
                }
                columns.types.append(UInt8(truncatingIfNeeded: type))
                if let code = channels[channel] {
                    columns.channelCodes.append(code)
                } else {
                    let code = Int32(columns.channels.count)
                    channels[channel] = code
                    columns.channels.append(channel)
                    columns.channelCodes.append(code)
                }
                let isOrder = flags & orderFlag != 0
                columns.isOrder.append(isOrder)
                columns.revenue.append(isOrder && rowCurrency == currency ? Money.clampedEventAmount(revenue ?? 0) : 0)
            }
            return columns
        }
    }

    public func eventPropertyValues(
        workspaceId: Int64,
        key: String,
        afterSeq: Int64,
        throughSeq: Int64
    ) async throws -> [(seq: Int64, value: JSONValue)] {
        try await propertyValues(workspaceId: workspaceId, key: key, names: nil, seqs: (afterSeq, throughSeq))
    }

    public func eventPropertyValues(workspaceId: Int64, key: String, names: [String]?) async throws -> [(seq: Int64, value: JSONValue)] {
        try await propertyValues(workspaceId: workspaceId, key: key, names: names, seqs: nil)
    }

    /// The events' values of the property `key` (of the events named `names`, of those after the first
    /// and up to the second seq of `seqs`), in order. Each row's text is searched for an escaped NUL
    /// once and its JSON parsed once: the lateral subqueries (`OFFSET 0` keeps them from being
    /// flattened into copies) hand their results on.
    private func propertyValues(
        workspaceId: Int64,
        key: String,
        names: [String]?,
        seqs: (after: Int64, through: Int64)?
    ) async throws -> [(seq: Int64, value: JSONValue)] {
        var sql = BoundSQL("")
        let nul = sql.bind(Self.escapedNUL)
        let property = sql.bind(key)
        sql.append(
            """
            SELECT e.id, v.value, CASE WHEN n.has_nul THEN e.properties::text END
            FROM events e
            CROSS JOIN LATERAL (SELECT strpos(e.properties::text, \(nul)) > 0 AS has_nul OFFSET 0) n
            CROSS JOIN LATERAL (SELECT CASE WHEN n.has_nul THEN NULL ELSE (e.properties -> \(property))::text END AS value OFFSET 0) v
            WHERE e.workspace_id = \(sql.bind(workspaceId)) AND (n.has_nul OR v.value IS NOT NULL)
            """
        )
        if let names { sql.append(" AND e.event = ANY(\(sql.bind(names))::text[])") }
        if let seqs { sql.append(" AND e.id > \(sql.bind(seqs.after)) AND e.id <= \(sql.bind(seqs.through))") }
        sql.append(" ORDER BY e.id")
        let query = sql.query
        return try await read { connection in
            try await connection.rows(query, logger: logger).compactMap { row in try Self.propertyValue(row, key: key) }
        }
    }

    /// `\u0000` as JSON text holds it. PostgreSQL cannot turn it into text: `properties -> key` on
    /// an event with U+0000 in any property fails the whole query. Such events are read whole and
    /// the key is taken from them here (``propertyValue(_:key:)``).
    static let escapedNUL = "\\u0000"

    /// A row of the property queries: the value PostgreSQL took out, or the whole properties of an
    /// event it cannot read (nil when the key is not among them).
    static func propertyValue(_ row: PostgresRow, key: String) throws -> (seq: Int64, value: JSONValue)? {
        let (seq, value, whole) = try row.decode((Int64, String?, String?).self)
        if let value { return (seq, (try? JSONParser.parse(value)) ?? .string(value)) }
        guard let whole, let found = (try? JSONParser.parse(whole))?[key] else { return nil }
        return (seq, found)
    }
}
