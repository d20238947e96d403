import GRDB
import SiyuCore

extension SQLiteStore: PeopleRepository {
    public func person(id: Int64, workspaceId: Int64) async throws -> PersonProfile? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT c.* FROM persons p JOIN persons c ON c.id = p.canonical_id WHERE p.id = ? AND p.workspace_id = ?",
                arguments: [id, workspaceId]
            ).map(Self.profile)
        }
    }

    public func searchPeople(workspaceId: Int64, query: PeopleQuery) async throws -> Page<PersonProfile> {
        let workspace = try await workspace(id: workspaceId)
        let identity = workspace.flatMap { PeopleSearch.hashedIdentity(query.identity, workspace: $0) }
        let after = try Cursor.parse(query.cursor)
        let limit = max(1, min(query.limit, 1000))
        return try await read { db in
            var clauses = ["p.workspace_id = ?", "p.canonical_id = p.id"]
            var arguments: StatementArguments = [workspaceId]
            for (key, value) in query.traits.sorted(by: { $0.key < $1.key }) {
                // JSON booleans compare as `true`/`false`, numbers and strings as their text.
                clauses.append(
                    "(CASE json_type(p.traits, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(p.traits, ?) AS TEXT) END) = ?"
                )
                _ = arguments.append(contentsOf: [PeopleSearch.jsonPath(key), PeopleSearch.jsonPath(key), value])
            }
            if query.identity != nil {
                guard let identity else { return Page(items: [], nextCursor: nil) }
                clauses.append(
                    "p.id = (SELECT q.canonical_id FROM identities i JOIN persons q ON q.id = i.person_id WHERE i.workspace_id = ? AND i.kind = ? AND i.value = ?)"
                )
                _ = arguments.append(contentsOf: [workspaceId, identity.kind, identity.value])
            }
            if let channel = query.channel {
                clauses.append("(p.first_channel = ? OR p.last_channel = ?)")
                _ = arguments.append(contentsOf: [channel, channel])
            }
            if let tag = query.tag {
                clauses.append("EXISTS (SELECT 1 FROM person_tags t WHERE t.person_id = p.id AND t.tag = ?)")
                _ = arguments.append(contentsOf: [tag])
            }
            if let text = query.text, !text.isEmpty {
                clauses.append("(p.user_id LIKE ? ESCAPE '\\' OR CAST(json_extract(p.traits, '$.name') AS TEXT) LIKE ? ESCAPE '\\')")
                let pattern = PeopleSearch.likeEscaped(text)
                _ = arguments.append(contentsOf: [pattern + "%", "%" + pattern + "%"])
            }
            if let (lastSeen, id) = after {
                clauses.append("(COALESCE(p.last_seen, 0) < ? OR (COALESCE(p.last_seen, 0) = ? AND p.id < ?))")
                _ = arguments.append(contentsOf: [lastSeen, lastSeen, id])
            }
            let sql =
                "SELECT p.* FROM persons p WHERE \(clauses.joined(separator: " AND ")) ORDER BY COALESCE(p.last_seen, 0) DESC, p.id DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.profile)
            return PeopleSearch.page(rows, limit: limit)
        }
    }

    public func exportPeople(workspaceId: Int64, afterId: Int64, limit: Int, seenSince: Int64?) async throws -> [ExportedPerson] {
        try await read { db in
            // `+workspace_id` keeps SQLite on the rowid range (id > ?), already in order; through the
            // workspace index it would read and sort every later person of the workspace for each page.
            var sql = "SELECT * FROM persons WHERE +workspace_id = ? AND canonical_id = id AND id > ?"
            var arguments: StatementArguments = [workspaceId, afterId]
            if let seenSince {
                sql += " AND +last_seen >= ?"
                _ = arguments.append(contentsOf: [seenSince])
            }
            sql += " ORDER BY id LIMIT ?"
            _ = arguments.append(contentsOf: [max(1, min(limit, 10_000))])
            let profiles = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.profile)
            guard let last = profiles.last?.id else { return [] }
            // The page's groups through persons_canonical, then each member's identities through
            // identities_person (CROSS JOIN fixes that order; the identities' own key starts with the
            // workspace and would read every identity of it).
            let identities = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.canonical_id, i.kind, i.value, i.person_id, i.created_at FROM persons p CROSS JOIN identities i ON i.person_id = p.id
                    WHERE p.workspace_id = ? AND p.canonical_id > ? AND p.canonical_id <= ?
                    """,
                arguments: [workspaceId, afterId, last]
            ).map { row -> (canonical: Int64, record: IdentityRecord) in
                (row[0], IdentityRecord(kind: row[1], value: row[2], personId: row[3], createdAt: row[4]))
            }
            let tags = try Row.fetchAll(
                db,
                sql: "SELECT person_id, tag FROM person_tags WHERE person_id > ? AND person_id <= ? AND workspace_id = ?",
                arguments: [afterId, last, workspaceId]
            ).map { row -> (person: Int64, tag: String) in (row[0], row[1]) }
            return ExportedPerson.assemble(profiles, identities: identities, tags: tags)
        }
    }

    public func peopleCount(workspaceId: Int64) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM persons WHERE workspace_id = ? AND canonical_id = id", arguments: [workspaceId]) ?? 0
        }
    }

    public func identities(personId: Int64, workspaceId: Int64) async throws -> [IdentityRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT i.* FROM persons p CROSS JOIN identities i ON i.person_id = p.id
                    WHERE p.workspace_id = ? AND p.canonical_id = (SELECT canonical_id FROM persons WHERE id = ? AND workspace_id = ?)
                    ORDER BY i.created_at, i.kind, i.value
                    """,
                arguments: [workspaceId, personId, workspaceId]
            ).map { IdentityRecord(kind: $0["kind"], value: $0["value"], personId: $0["person_id"], createdAt: $0["created_at"]) }
        }
    }

    public func personId(identity: IdentityKey, workspaceId: Int64) async throws -> Int64? {
        guard let workspace = try await workspace(id: workspaceId), let key = PeopleSearch.hashedIdentity(identity, workspace: workspace) else {
            return nil
        }
        return try await read { db in
            try Int64.fetchOne(
                db,
                sql:
                    "SELECT p.canonical_id FROM identities i JOIN persons p ON p.id = i.person_id WHERE i.workspace_id = ? AND i.kind = ? AND i.value = ?",
                arguments: [workspaceId, key.kind, key.value]
            )
        }
    }

    public func timeline(personId: Int64, workspaceId: Int64, limit: Int, cursor: String?) async throws -> Page<StoredEvent> {
        let before = try Cursor.parse(cursor)
        let limit = max(1, min(limit, 1000))
        return try await read { db in
            var sql = """
                SELECT e.*, p.canonical_id FROM events e JOIN persons p ON p.id = e.person_id
                WHERE e.person_id IN (SELECT id FROM persons WHERE workspace_id = ?
                    AND canonical_id = (SELECT canonical_id FROM persons WHERE id = ? AND workspace_id = ?))
                """
            var arguments: StatementArguments = [workspaceId, personId, workspaceId]
            if let (time, seq) = before {
                sql += " AND (e.timestamp < ? OR (e.timestamp = ? AND e.id < ?))"
                _ = arguments.append(contentsOf: [time, time, seq])
            }
            sql += " ORDER BY e.timestamp DESC, e.id DESC LIMIT ?"
            _ = arguments.append(contentsOf: [limit + 1])
            let events = try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.storedEvent)
            let items = Array(events.prefix(limit))
            let next = events.count > limit ? items.last.map { Cursor.make($0.message.timestamp, $0.seq) } : nil
            return Page(items: items, nextCursor: next)
        }
    }

    public func tags(personId: Int64, workspaceId: Int64) async throws -> [String] {
        try await read { db in try Self.tags(db, personId: personId, workspaceId: workspaceId) }
    }

    static func tags(_ db: Database, personId: Int64, workspaceId: Int64) throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT tag FROM person_tags WHERE workspace_id = ?
                    AND person_id = (SELECT canonical_id FROM persons WHERE id = ? AND workspace_id = ?) ORDER BY tag
                """,
            arguments: [workspaceId, personId, workspaceId]
        )
    }

    /// The canonical id of a person of the workspace, or ``StoreError/notFound(_:)``.
    static func canonicalId(_ db: Database, personId: Int64, workspaceId: Int64) throws -> Int64 {
        let sql = "SELECT canonical_id FROM persons WHERE id = ? AND workspace_id = ?"
        guard let canonical = try Int64.fetchOne(db, sql: sql, arguments: [personId, workspaceId]) else {
            throw StoreError.notFound("no person \(personId) in this workspace")
        }
        return canonical
    }

    public func setTags(personId: Int64, workspaceId: Int64, add: [String], remove: [String]) async throws -> [String] {
        try PeopleSearch.check(tags: add + remove)
        let now = clock()
        return try await write { db in
            let canonical = try Self.canonicalId(db, personId: personId, workspaceId: workspaceId)
            for tag in remove {
                try db.execute(sql: "DELETE FROM person_tags WHERE person_id = ? AND tag = ?", arguments: [canonical, tag])
            }
            for tag in add {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO person_tags (workspace_id, person_id, tag, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [workspaceId, canonical, tag, now]
                )
            }
            try Self.recordChange(db, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(ids: [canonical]))
            return try Self.tags(db, personId: canonical, workspaceId: workspaceId)
        }
    }

    public func erasePerson(id: Int64, workspaceId: Int64) async throws -> ErasureSummary {
        let now = clock()
        let summary = try await write { db in
            let canonical = try Self.canonicalId(db, personId: id, workspaceId: workspaceId)
            let group = try Int64.fetchAll(
                db,
                sql: "SELECT id FROM persons WHERE workspace_id = ? AND canonical_id = ?",
                arguments: [workspaceId, canonical]
            )
            let list = group.map(String.init).joined(separator: ",")
            try Self.suppress(db, workspaceId: workspaceId, people: list, now: now)
            let segments = try Int64.fetchAll(
                db,
                sql: "SELECT DISTINCT segment_id FROM segment_members WHERE workspace_id = ? AND person_id IN (\(list))",
                arguments: [workspaceId]
            )
            // Every table of the plan, in its order; `list` holds only the group's integer ids.
            var events = 0
            var identities = 0
            for table in ErasurePlan.tables {
                try db.execute(sql: "DELETE FROM \(table.name) WHERE \(table.condition(workspaceId: workspaceId, people: "IN (\(list))"))")
                switch table.counted {
                case .events: events = db.changesCount
                case .identities: identities = db.changesCount
                case nil: break
                }
            }
            // The segments they were in are one member smaller now, not at their next refresh.
            if !segments.isEmpty {
                try db.execute(
                    sql: """
                        UPDATE segments SET size = (SELECT COUNT(*) FROM segment_members m WHERE m.segment_id = segments.id)
                        WHERE id IN (\(segments.map(String.init).joined(separator: ",")))
                        """
                )
            }
            let summary = ErasureSummary(people: group.count, identities: identities, events: events)
            try db.execute(
                sql: "INSERT INTO erasures (workspace_id, person_id, at, people, identities, events) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [workspaceId, canonical, now, summary.people, summary.identities, summary.events]
            )
            try Self.recordChange(db, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(rebuild: true))
            return summary
        }
        // The write-ahead log still holds the pages as they were before the erasure: copy it into
        // the database (where secure_delete has zeroed the freed content) and truncate it.
        try await truncateWriteAheadLog()
        return summary
    }

    public func suppressionCounts(workspaceId: Int64) async throws -> [String: Int] {
        try await read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT kind, COUNT(*) FROM suppressions WHERE workspace_id = ? GROUP BY kind",
                arguments: [workspaceId]
            )
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as Int) })
        }
    }

    public func liftSuppression(identity: IdentityKey, workspaceId: Int64) async throws -> Bool {
        try await write { db in
            guard let salt = try String.fetchOne(db, sql: "SELECT salt FROM workspaces WHERE id = ?", arguments: [workspaceId]) else { return false }
            try db.execute(
                sql: "DELETE FROM suppressions WHERE workspace_id = ? AND kind = ? AND hash = ?",
                arguments: [workspaceId, identity.kind, Suppression.hash(salt: salt, kind: identity.kind, value: identity.value)]
            )
            return db.changesCount > 0
        }
    }

    /// Lists the message ids and identities of `people` (a comma-separated id list) on the
    /// suppression list, hashed under the workspace salt.
    static func suppress(_ db: Database, workspaceId: Int64, people list: String, now: Int64) throws {
        guard let salt = try String.fetchOne(db, sql: "SELECT salt FROM workspaces WHERE id = ?", arguments: [workspaceId]) else { return }
        var insert = try RawStatement(db, "INSERT OR IGNORE INTO suppressions (workspace_id, kind, hash, created_at) VALUES (?, ?, ?, ?)")
        func add(_ kind: String, _ value: String) throws {
            insert.bind(workspaceId)
            insert.bind(kind)
            insert.bind(Suppression.hash(salt: salt, kind: kind, value: value))
            insert.bind(now)
            try insert.execute(db)
        }
        let identities = try Row.fetchCursor(
            db,
            sql: "SELECT kind, value FROM identities WHERE workspace_id = ? AND person_id IN (\(list))",
            arguments: [workspaceId]
        )
        while let row = try identities.next() { try add(row[0], row[1]) }
        let messages = try String.fetchCursor(
            db,
            sql: "SELECT message_id FROM events WHERE workspace_id = ? AND person_id IN (\(list))",
            arguments: [workspaceId]
        )
        while let id = try messages.next() { try add(Suppression.messageKind, id) }
    }

    /// Checkpoints the write-ahead log into the database and truncates it, retrying briefly while
    /// readers still use older pages.
    func truncateWriteAheadLog() async throws {
        guard database.path != nil else { return }
        for attempt in 0..<20 {
            let done = try await database.writer.writeWithoutTransaction { db -> Bool in
                let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return (row?[0] as Int64?) == 0
            }
            if done { return }
            try await Task.sleep(for: .milliseconds(50 * (attempt + 1)))
        }
    }

    public func merges(workspaceId: Int64, personId: Int64?, limit: Int) async throws -> [MergeLogEntry] {
        try await read { db in
            var sql = "SELECT * FROM merges WHERE workspace_id = ?"
            var arguments: StatementArguments = [workspaceId]
            if let personId {
                sql +=
                    " AND (survivor_id IN (SELECT id FROM persons WHERE canonical_id = (SELECT canonical_id FROM persons WHERE id = ?)) OR loser_id = ?)"
                _ = arguments.append(contentsOf: [personId, personId])
            }
            sql += " ORDER BY id DESC LIMIT ?"
            _ = arguments.append(contentsOf: [max(1, min(limit, 1000))])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.mergeEntry)
        }
    }

    public func undoMerge(id: Int64, workspaceId: Int64, at: Int64) async throws -> MergeLogEntry {
        guard let workspace = try await workspace(id: workspaceId) else { throw StoreError.notFound("no workspace \(workspaceId)") }
        return try await write { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM merges WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
            var entry = try MergeUndo.check(row.map(Self.mergeEntry), id: id)
            let loser = entry.record.loser
            let root = try MergeUndo.root(try Int64.fetchOne(db, sql: "SELECT canonical_id FROM persons WHERE id = ?", arguments: [loser]), id: id)
            let members = try Row.fetchAll(
                db,
                sql: "SELECT id, merged_into FROM persons WHERE workspace_id = ? AND canonical_id = ?",
                arguments: [workspaceId, root]
            )
            let returning = MergeUndo.returning(loser: loser, members: members.map { (id: $0["id"], mergedInto: $0["merged_into"]) })
            try db.execute(sql: "UPDATE persons SET merged_into = NULL WHERE id = ?", arguments: [loser])
            try db.execute(
                sql: "UPDATE persons SET canonical_id = ? WHERE id IN (\(returning.map(String.init).joined(separator: ",")))",
                arguments: [loser]
            )
            for group in [root, loser] {
                try Self.rebuildProfile(db, canonical: group, workspace: workspace)
            }
            try db.execute(sql: "UPDATE merges SET undone_at = ? WHERE id = ?", arguments: [at, id])
            try Self.recordChange(db, workspaceId: workspaceId, eventSeq: 0, people: ChangedPeople(rebuild: true))
            entry.undoneAt = at
            return entry
        }
    }

    /// Recomputes a group's profile from its events (after a split).
    static func rebuildProfile(_ db: Database, canonical: Int64, workspace: Workspace) throws {
        let createdAt = try Int64.fetchOne(db, sql: "SELECT MIN(created_at) FROM persons WHERE canonical_id = ?", arguments: [canonical]) ?? 0
        let events = try Row.fetchAll(
            db,
            sql: "SELECT e.*, p.canonical_id FROM events e JOIN persons p ON p.id = e.person_id WHERE p.canonical_id = ? ORDER BY e.timestamp, e.id",
            arguments: [canonical]
        ).map { storedEvent($0).prepared(workspaceCurrency: workspace.currency) }
        var profile = PersonProfile.rebuild(id: canonical, createdAt: createdAt, events: events)
        if profile.userId == nil {
            profile.userId = try String.fetchOne(
                db,
                sql:
                    "SELECT i.value FROM identities i JOIN persons p ON p.id = i.person_id WHERE p.canonical_id = ? AND i.kind = ? ORDER BY i.created_at LIMIT 1",
                arguments: [canonical, IdentityKey.userId]
            )
        }
        try db.execute(
            sql: """
                UPDATE persons SET user_id = ?, first_seen = ?, last_seen = ?, first_channel = ?, last_channel = ?, event_count = ?,
                    order_count = ?, revenue_minor = ?, traits = ?, trait_times = ?, created_at = ?
                WHERE id = ?
                """,
            arguments: [
                profile.userId, profile.firstSeen, profile.lastSeen, profile.firstChannel, profile.lastChannel, profile.eventCount,
                profile.orderCount, profile.revenueMinor, JSONWriter.string(profile.traits), StoredJSON.traitTimesText(profile.traitTimes),
                profile.createdAt, canonical,
            ]
        )
    }

    public func conflicts(workspaceId: Int64, limit: Int) async throws -> [ConflictLogEntry] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM merge_conflicts WHERE workspace_id = ? ORDER BY id DESC LIMIT ?",
                arguments: [workspaceId, max(1, min(limit, 1000))]
            ).map { row in
                ConflictLogEntry(
                    id: row["id"],
                    conflict: MergeConflict(
                        keptPerson: row["kept_person_id"],
                        otherPerson: row["other_person_id"],
                        identity: IdentityKey(row["identity_kind"], row["identity_value"]),
                        messageId: row["message_id"],
                        at: row["at"]
                    ),
                    occurrences: row["occurrences"],
                    lastAt: row["last_at"]
                )
            }
        }
    }

    static func mergeEntry(_ row: Row) -> MergeLogEntry {
        MergeLogEntry(
            id: row["id"],
            record: MergeRecord(
                survivor: row["survivor_id"],
                loser: row["loser_id"],
                at: row["at"],
                messageId: row["message_id"],
                reason: row["reason"],
                identity: IdentityKey(row["identity_kind"], row["identity_value"])
            ),
            undoneAt: row["undone_at"]
        )
    }
}

/// Rules of people search shared by both stores.
enum PeopleSearch {
    /// The identity to look up: phone numbers and e-mail addresses hashed with the workspace salt.
    static func hashedIdentity(_ key: IdentityKey?, workspace: Workspace) -> IdentityKey? {
        guard let key else { return nil }
        return Secrets.extractor(for: workspace).identity(kind: key.kind, raw: key.value)
    }

    /// A JSON path for one top-level key, quoted so that any key is safe.
    static func jsonPath(_ key: String) -> String {
        "$.\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func likeEscaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result
    }

    static func page(_ rows: [PersonProfile], limit: Int) -> Page<PersonProfile> {
        let items = Array(rows.prefix(limit))
        let next = rows.count > limit ? items.last.map { Cursor.make($0.lastSeen ?? 0, $0.id) } : nil
        return Page(items: items, nextCursor: next)
    }

    /// The most tags one edit may name (added and removed together).
    static let tagsPerEdit = 200

    static func check(tags: [String]) throws {
        guard tags.count <= tagsPerEdit else { throw StoreError.invalid("one edit names at most \(tagsPerEdit) tags, not \(tags.count)") }
        for tag in tags {
            let trimmed = tag.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed == tag, tag.count <= 64 else {
                throw StoreError.invalid("tag `\(tag)` must be 1–64 characters without leading or trailing spaces")
            }
        }
    }
}
