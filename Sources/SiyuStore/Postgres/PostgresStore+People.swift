import PostgresNIO
import SiyuCore

extension PostgresStore: PeopleRepository {
    public func person(id: Int64, workspaceId: Int64) async throws -> PersonProfile? {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.profileColumns) FROM persons q JOIN persons p ON p.id = q.canonical_id
                WHERE q.id = \(id) AND q.workspace_id = \(workspaceId)
                """,
                logger: logger
            ).first.map(Self.profile)
        }
    }

    public func searchPeople(workspaceId: Int64, query: PeopleQuery) async throws -> Page<PersonProfile> {
        let workspace = try await workspace(id: workspaceId)
        let identity = workspace.flatMap { PeopleSearch.hashedIdentity(query.identity, workspace: $0) }
        let after = try Cursor.parse(query.cursor)
        let limit = max(1, min(query.limit, 1000))
        var sql = BoundSQL("SELECT \(Self.profileColumns) FROM persons p WHERE ")
        var clauses = ["p.workspace_id = \(sql.bind(workspaceId))", "p.canonical_id = p.id"]
        // Traits PostgreSQL can read: `->>` on a document holding an escaped NUL fails the whole
        // statement (as for event properties), so such a person's traits match nothing here.
        var readableTraits: String?
        func traits() -> String {
            if let readableTraits { return readableTraits }
            let fragment = "(CASE WHEN strpos(p.traits::text, \(sql.bind(Self.escapedNUL))) = 0 THEN p.traits END)"
            readableTraits = fragment
            return fragment
        }
        for (key, value) in query.traits.sorted(by: { $0.key < $1.key }) {
            // `->>` gives JSON booleans as `true`/`false`, numbers and strings as their text.
            clauses.append("\(traits()) ->> \(sql.bind(key)) = \(sql.bind(value))")
        }
        if query.identity != nil {
            guard let identity else { return Page(items: [], nextCursor: nil) }
            clauses.append(
                """
                p.id = (SELECT q.canonical_id FROM identities i JOIN persons q ON q.id = i.person_id
                    WHERE i.workspace_id = \(sql.bind(workspaceId)) AND i.kind = \(sql.bind(identity.kind)) AND i.value = \(sql.bind(identity.value)))
                """
            )
        }
        if let channel = query.channel {
            let placeholder = sql.bind(channel)
            clauses.append("(p.first_channel = \(placeholder) OR p.last_channel = \(placeholder))")
        }
        if let tag = query.tag {
            clauses.append("EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.tag = \(sql.bind(tag)))")
        }
        if let text = query.text, !text.isEmpty {
            // ILIKE: SQLite's LIKE ignores the case of ASCII letters.
            let pattern = PeopleSearch.likeEscaped(text)
            clauses.append(
                "(p.user_id ILIKE \(sql.bind(pattern + "%")) ESCAPE '\\' OR (\(traits()) ->> 'name') ILIKE \(sql.bind("%" + pattern + "%")) ESCAPE '\\')"
            )
        }
        if let (lastSeen, id) = after {
            clauses.append("(COALESCE(p.last_seen, 0), p.id) < (\(sql.bind(lastSeen)), \(sql.bind(id)))")
        }
        let limitPlaceholder = sql.bind(Int64(limit + 1))
        sql.append(clauses.joined(separator: " AND ") + " ORDER BY COALESCE(p.last_seen, 0) DESC, p.id DESC LIMIT \(limitPlaceholder)")
        let statement = sql.query
        let rows = try await read { connection in try await connection.rows(statement, logger: logger).map(Self.profile) }
        return PeopleSearch.page(rows, limit: limit)
    }

    public func exportPeople(workspaceId: Int64, afterId: Int64, limit: Int, seenSince: Int64?) async throws -> [ExportedPerson] {
        try await read { connection in
            let profiles = try await connection.rows(
                """
                SELECT \(unescaped: Self.profileColumns) FROM persons p
                WHERE p.workspace_id = \(workspaceId) AND p.canonical_id = p.id AND p.id > \(afterId)
                    AND (\(seenSince)::bigint IS NULL OR p.last_seen >= \(seenSince))
                ORDER BY p.id LIMIT \(Self.limit(min(limit, 10_000)))
                """,
                logger: logger
            ).map(Self.profile)
            guard let last = profiles.last?.id else { return [] }
            let identities = try await connection.rows(
                """
                SELECT p.canonical_id, i.kind, i.value, i.person_id, i.created_at FROM persons p JOIN identities i ON i.person_id = p.id
                WHERE p.workspace_id = \(workspaceId) AND p.canonical_id > \(afterId) AND p.canonical_id <= \(last)
                """,
                logger: logger
            ).map { row -> (canonical: Int64, record: IdentityRecord) in
                let (canonical, kind, value, person, createdAt) = try row.decode((Int64, String, String, Int64, Int64).self)
                return (canonical, IdentityRecord(kind: kind, value: value, personId: person, createdAt: createdAt))
            }
            let tags = try await connection.rows(
                """
                SELECT person_id, tag FROM person_tags
                WHERE workspace_id = \(workspaceId) AND person_id > \(afterId) AND person_id <= \(last)
                """,
                logger: logger
            ).map { row -> (person: Int64, tag: String) in
                let (person, tag) = try row.decode((Int64, String).self)
                return (person, tag)
            }
            return ExportedPerson.assemble(profiles, identities: identities, tags: tags)
        }
    }

    public func peopleCount(workspaceId: Int64) async throws -> Int {
        try await read { connection in
            Int(
                try await connection.value(
                    Int64.self,
                    "SELECT COUNT(*) FROM persons WHERE workspace_id = \(workspaceId) AND canonical_id = id",
                    logger: logger
                ) ?? 0
            )
        }
    }

    public func identities(personId: Int64, workspaceId: Int64) async throws -> [IdentityRecord] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT i.kind, i.value, i.person_id, i.created_at FROM identities i JOIN persons p ON p.id = i.person_id
                WHERE i.workspace_id = \(workspaceId)
                    AND p.canonical_id = (SELECT canonical_id FROM persons WHERE id = \(personId) AND workspace_id = \(workspaceId))
                ORDER BY i.created_at, i.kind, i.value
                """,
                logger: logger
            ).map { row in
                let (kind, value, person, createdAt) = try row.decode((String, String, Int64, Int64).self)
                return IdentityRecord(kind: kind, value: value, personId: person, createdAt: createdAt)
            }
        }
    }

    public func personId(identity: IdentityKey, workspaceId: Int64) async throws -> Int64? {
        guard let workspace = try await workspace(id: workspaceId), let key = PeopleSearch.hashedIdentity(identity, workspace: workspace) else {
            return nil
        }
        return try await read { connection in
            try await connection.value(
                Int64.self,
                """
                SELECT p.canonical_id FROM identities i JOIN persons p ON p.id = i.person_id
                WHERE i.workspace_id = \(workspaceId) AND i.kind = \(key.kind) AND i.value = \(key.value)
                """,
                logger: logger
            )
        }
    }

    public func timeline(personId: Int64, workspaceId: Int64, limit: Int, cursor: String?) async throws -> Page<StoredEvent> {
        let before = try Cursor.parse(cursor)
        let limit = max(1, min(limit, 1000))
        // Without a cursor, start after the newest possible event.
        let (time, seq) = before ?? (Int64.max, Int64.max)
        let events = try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.eventColumns) FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.person_id IN (SELECT id FROM persons WHERE workspace_id = \(workspaceId)
                    AND canonical_id = (SELECT canonical_id FROM persons WHERE id = \(personId) AND workspace_id = \(workspaceId)))
                    AND (e.timestamp, e.id) < (\(time), \(seq))
                ORDER BY e.timestamp DESC, e.id DESC LIMIT \(Int64(limit + 1))
                """,
                logger: logger
            ).map(Self.storedEvent)
        }
        let items = Array(events.prefix(limit))
        let next = events.count > limit ? items.last.map { Cursor.make($0.message.timestamp, $0.seq) } : nil
        return Page(items: items, nextCursor: next)
    }

    public func tags(personId: Int64, workspaceId: Int64) async throws -> [String] {
        try await read { connection in try await tags(connection, personId: personId, workspaceId: workspaceId) }
    }

    /// The tags of a person's group, in order.
    func tags(_ connection: PostgresConnection, personId: Int64, workspaceId: Int64) async throws -> [String] {
        try await connection.values(
            String.self,
            """
            SELECT tag FROM person_tags WHERE workspace_id = \(workspaceId)
                AND person_id = (SELECT canonical_id FROM persons WHERE id = \(personId) AND workspace_id = \(workspaceId)) ORDER BY tag
            """,
            logger: logger
        )
    }

    public func setTags(personId: Int64, workspaceId: Int64, add: [String], remove: [String]) async throws -> [String] {
        try PeopleSearch.check(tags: add + remove)
        let now = clock()
        // Under the writer lock: a merge running at the same time must not copy the tags of a group half edited.
        return try await serializedWrite { connection in
            let canonical = try await canonicalId(connection, personId: personId, workspaceId: workspaceId)
            try await connection.run("DELETE FROM person_tags WHERE person_id = \(canonical) AND tag = ANY(\(remove)::text[])", logger: logger)
            try await connection.run(
                """
                INSERT INTO person_tags (workspace_id, person_id, tag, created_at)
                SELECT \(workspaceId), \(canonical), t.tag, \(now) FROM unnest(\(add)::text[]) WITH ORDINALITY AS t(tag, n) ORDER BY t.n
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
            try await recordChange(connection, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(ids: [canonical]))
            return try await tags(connection, personId: canonical, workspaceId: workspaceId)
        }
    }

    public func erasePerson(id: Int64, workspaceId: Int64) async throws -> ErasureSummary {
        let now = clock()
        return try await serializedWrite { connection in
            let canonical = try await canonicalId(connection, personId: id, workspaceId: workspaceId)
            let group = try await connection.values(
                Int64.self,
                "SELECT id FROM persons WHERE workspace_id = \(workspaceId) AND canonical_id = \(canonical)",
                logger: logger
            )
            try await suppress(connection, workspaceId: workspaceId, people: group, now: now)
            let segments = try await connection.values(
                Int64.self,
                "SELECT DISTINCT segment_id FROM segment_members WHERE workspace_id = \(workspaceId) AND person_id = ANY(\(group)::bigint[])",
                logger: logger
            )
            // One statement: every table of the plan, in its order, counting the events and identities
            // removed. The group's ids are one bound array, however many people the group holds.
            var sql = BoundSQL("WITH ")
            let people = "= ANY(\(sql.bind(group))::bigint[])"
            let deletions = ErasurePlan.tables.map { table in
                "\(table.name) AS (DELETE FROM \(table.name) WHERE \(table.condition(workspaceId: workspaceId, people: people))"
                    + (table.counted == nil ? ")" : " RETURNING 1)")
            }
            let counted = [ErasurePlan.Counted.events, .identities].map { kind in
                ErasurePlan.tables.first { $0.counted == kind }.map { "(SELECT COUNT(*) FROM \($0.name))" } ?? "0"
            }
            sql.append(deletions.joined(separator: ",\n") + "\nSELECT " + counted.joined(separator: ", "))
            let counts = try await connection.rows(sql.query, logger: logger)
            guard let row = counts.first else { throw StoreError.notFound("no person \(id) in this workspace") }
            let (events, identities) = try row.decode((Int64, Int64).self)
            let summary = ErasureSummary(people: group.count, identities: Int(identities), events: Int(events))
            // The segments they were in are one member smaller now, not at their next refresh.
            if !segments.isEmpty {
                try await connection.run(
                    """
                    UPDATE segments SET size = (SELECT COUNT(*) FROM segment_members m WHERE m.segment_id = segments.id)
                    WHERE id = ANY(\(segments)::bigint[])
                    """,
                    logger: logger
                )
            }
            try await connection.run(
                """
                INSERT INTO erasures (workspace_id, person_id, at, people, identities, events)
                VALUES (\(workspaceId), \(canonical), \(now), \(Int64(summary.people)), \(identities), \(events))
                """,
                logger: logger
            )
            try await recordChange(connection, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(rebuild: true))
            return summary
        }
    }

    public func suppressionCounts(workspaceId: Int64) async throws -> [String: Int] {
        try await read { connection in
            let rows = try await connection.rows(
                "SELECT kind, COUNT(*) FROM suppressions WHERE workspace_id = \(workspaceId) GROUP BY kind",
                logger: logger
            )
            var counts: [String: Int] = [:]
            for row in rows {
                let (kind, count) = try row.decode((String, Int64).self)
                counts[kind] = Int(count)
            }
            return counts
        }
    }

    public func liftSuppression(identity: IdentityKey, workspaceId: Int64) async throws -> Bool {
        try await transaction { connection in
            guard let salt = try await connection.value(String.self, "SELECT salt FROM workspaces WHERE id = \(workspaceId)", logger: logger) else {
                return false
            }
            let hash = Suppression.hash(salt: salt, kind: identity.kind, value: identity.value)
            let deleted = try await connection.rows(
                "DELETE FROM suppressions WHERE workspace_id = \(workspaceId) AND kind = \(identity.kind) AND hash = \(hash) RETURNING 1",
                logger: logger
            )
            return !deleted.isEmpty
        }
    }

    /// Lists the message ids and identities of `people` on the suppression list, hashed under the
    /// workspace salt (read first, then written 10,000 at a time: one connection runs one query at once).
    func suppress(_ connection: PostgresConnection, workspaceId: Int64, people: [Int64], now: Int64) async throws {
        guard let salt = try await connection.value(String.self, "SELECT salt FROM workspaces WHERE id = \(workspaceId)", logger: logger) else {
            return
        }
        var kinds: [String] = []
        var hashes: [String] = []
        let identities = try await connection.query(
            "SELECT kind, value FROM identities WHERE workspace_id = \(workspaceId) AND person_id = ANY(\(people)::bigint[])",
            logger: logger
        )
        for try await (kind, value) in identities.decode((String, String).self) {
            kinds.append(kind)
            hashes.append(Suppression.hash(salt: salt, kind: kind, value: value))
        }
        let messages = try await connection.query(
            "SELECT message_id FROM events WHERE workspace_id = \(workspaceId) AND person_id = ANY(\(people)::bigint[])",
            logger: logger
        )
        for try await id in messages.decode(String.self) {
            kinds.append(Suppression.messageKind)
            hashes.append(Suppression.hash(salt: salt, kind: Suppression.messageKind, value: id))
        }
        for start in stride(from: 0, to: kinds.count, by: 10_000) {
            let end = min(start + 10_000, kinds.count)
            let chunkKinds = Array(kinds[start..<end])
            let chunkHashes = Array(hashes[start..<end])
            try await connection.run(
                """
                INSERT INTO suppressions (workspace_id, kind, hash, created_at)
                SELECT \(workspaceId), k.kind, k.hash, \(now) FROM unnest(\(chunkKinds)::text[], \(chunkHashes)::text[]) AS k(kind, hash)
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            )
        }
    }

    public func merges(workspaceId: Int64, personId: Int64?, limit: Int) async throws -> [MergeLogEntry] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.mergeColumns) FROM merges WHERE workspace_id = \(workspaceId)
                    AND (\(personId == nil)
                        OR survivor_id IN (SELECT id FROM persons WHERE canonical_id = (SELECT canonical_id FROM persons WHERE id = \(personId)))
                        OR loser_id = \(personId))
                ORDER BY id DESC LIMIT \(Int64(max(1, min(limit, 1000))))
                """,
                logger: logger
            ).map(Self.mergeEntry)
        }
    }

    public func undoMerge(id: Int64, workspaceId: Int64, at: Int64) async throws -> MergeLogEntry {
        guard let workspace = try await workspace(id: workspaceId) else { throw StoreError.notFound("no workspace \(workspaceId)") }
        return try await serializedWrite { connection in
            let row = try await connection.rows(
                "SELECT \(unescaped: Self.mergeColumns) FROM merges WHERE id = \(id) AND workspace_id = \(workspaceId)",
                logger: logger
            ).first
            var entry = try MergeUndo.check(try row.map(Self.mergeEntry), id: id)
            let loser = entry.record.loser
            let root = try MergeUndo.root(
                try await connection.value(Int64.self, "SELECT canonical_id FROM persons WHERE id = \(loser)", logger: logger),
                id: id
            )
            let members = try await connection.rows(
                "SELECT id, merged_into FROM persons WHERE workspace_id = \(workspaceId) AND canonical_id = \(root)",
                logger: logger
            ).map { row in
                let (member, into) = try row.decode((Int64, Int64?).self)
                return (id: member, mergedInto: into)
            }
            let returning = MergeUndo.returning(loser: loser, members: members)
            try await connection.run("UPDATE persons SET merged_into = NULL WHERE id = \(loser)", logger: logger)
            try await connection.run("UPDATE persons SET canonical_id = \(loser) WHERE id = ANY(\(returning)::bigint[])", logger: logger)
            for group in [root, loser] {
                try await rebuildProfile(connection, canonical: group, workspace: workspace)
            }
            try await connection.run("UPDATE merges SET undone_at = \(at) WHERE id = \(id)", logger: logger)
            try await recordChange(connection, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(rebuild: true))
            entry.undoneAt = at
            return entry
        }
    }

    /// Recomputes a group's profile from its events (after a split).
    func rebuildProfile(_ connection: PostgresConnection, canonical: Int64, workspace: Workspace) async throws {
        let createdAt =
            try await connection.value(Int64.self, "SELECT MIN(created_at) FROM persons WHERE canonical_id = \(canonical)", logger: logger) ?? 0
        let events = try await connection.rows(
            """
            SELECT \(unescaped: Self.eventColumns) FROM events e JOIN persons p ON p.id = e.person_id
            WHERE p.canonical_id = \(canonical) ORDER BY e.timestamp, e.id
            """,
            logger: logger
        ).map { try Self.storedEvent($0).prepared(workspaceCurrency: workspace.currency) }
        var profile = PersonProfile.rebuild(id: canonical, createdAt: createdAt, events: events)
        if profile.userId == nil {
            profile.userId = try await connection.value(
                String.self,
                """
                SELECT i.value FROM identities i JOIN persons p ON p.id = i.person_id
                WHERE p.canonical_id = \(canonical) AND i.kind = \(IdentityKey.userId) ORDER BY i.created_at LIMIT 1
                """,
                logger: logger
            )
        }
        try await updateProfiles([profile], connection: connection)
    }

    public func conflicts(workspaceId: Int64, limit: Int) async throws -> [ConflictLogEntry] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT id, kept_person_id, other_person_id, identity_kind, identity_value, message_id, at, occurrences, last_at FROM merge_conflicts
                WHERE workspace_id = \(workspaceId) ORDER BY id DESC LIMIT \(Int64(max(1, min(limit, 1000))))
                """,
                logger: logger
            ).map { row in
                let (id, kept, other, kind, value, messageId, at, occurrences, lastAt) = try row.decode(
                    (Int64, Int64, Int64, String, String, String, Int64, Int64, Int64).self
                )
                return ConflictLogEntry(
                    id: id,
                    conflict: MergeConflict(keptPerson: kept, otherPerson: other, identity: IdentityKey(kind, value), messageId: messageId, at: at),
                    occurrences: occurrences,
                    lastAt: lastAt
                )
            }
        }
    }

    /// The canonical id of a person of the workspace, or ``StoreError/notFound(_:)``.
    func canonicalId(_ connection: PostgresConnection, personId: Int64, workspaceId: Int64) async throws -> Int64 {
        guard
            let canonical = try await connection.value(
                Int64.self,
                "SELECT canonical_id FROM persons WHERE id = \(personId) AND workspace_id = \(workspaceId)",
                logger: logger
            )
        else { throw StoreError.notFound("no person \(personId) in this workspace") }
        return canonical
    }
}
