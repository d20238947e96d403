import PostgresNIO
import SiyuCore

extension PostgresStore: SegmentRepository {
    static let segmentColumns = "id, workspace_id, name, description, kind, rule, refresh_minutes, created_at, updated_at, refreshed_at, size"

    public func createSegment(workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord {
        try SegmentValidation.check(draft, creating: true)
        let now = clock()
        return try await transaction { connection in
            try await checkNameFree(connection, workspaceId: workspaceId, name: draft.name!, except: nil)
            let minutes = (draft.refreshMinutes ?? nil).map(Int64.init)
            let rows = try await connection.rows(
                """
                INSERT INTO segments (workspace_id, name, description, kind, rule, refresh_minutes, created_at, updated_at)
                VALUES (\(workspaceId), \(draft.name!), \(draft.description ?? ""), \((draft.kind ?? .dynamic).rawValue), \(draft.rule),
                    \(minutes), \(now), \(now))
                RETURNING \(unescaped: Self.segmentColumns)
                """,
                logger: logger
            )
            return try Self.segment(rows[0])
        }
    }

    public func segments(workspaceId: Int64) async throws -> [SegmentRecord] {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.segmentColumns) FROM segments WHERE workspace_id = \(workspaceId) ORDER BY name",
                logger: logger
            ).map(Self.segment)
        }
    }

    public func segment(id: Int64, workspaceId: Int64) async throws -> SegmentRecord? {
        try await read { connection in try await segment(connection, id: id, workspaceId: workspaceId) }
    }

    public func updateSegment(id: Int64, workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord {
        try SegmentValidation.check(draft, creating: false)
        let now = clock()
        return try await transaction { connection in
            guard var segment = try await segment(connection, id: id, workspaceId: workspaceId, lock: true) else {
                throw StoreError.notFound("no segment \(id) in this workspace")
            }
            if let name = draft.name {
                try await checkNameFree(connection, workspaceId: workspaceId, name: name, except: id)
                segment.name = name
            }
            if let description = draft.description { segment.description = description }
            if let kind = draft.kind { segment.kind = kind }
            if let rule = draft.rule { segment.rule = rule }
            if let minutes = draft.refreshMinutes { segment.refreshMinutes = minutes }
            let rows = try await connection.rows(
                """
                UPDATE segments SET name = \(segment.name), description = \(segment.description), kind = \(segment.kind.rawValue),
                    rule = \(segment.rule), refresh_minutes = \(segment.refreshMinutes.map(Int64.init)), updated_at = \(now)
                WHERE id = \(id) RETURNING \(unescaped: Self.segmentColumns)
                """,
                logger: logger
            )
            return try Self.segment(rows[0])
        }
    }

    public func deleteSegment(id: Int64, workspaceId: Int64) async throws {
        try await transaction { connection in
            let deleted = try await connection.rows(
                "DELETE FROM segments WHERE id = \(id) AND workspace_id = \(workspaceId) RETURNING id",
                logger: logger
            )
            guard !deleted.isEmpty else { throw StoreError.notFound("no segment \(id) in this workspace") }
            try await connection.run("DELETE FROM segment_members WHERE segment_id = \(id)", logger: logger)
            try await connection.run("DELETE FROM segment_sizes WHERE segment_id = \(id)", logger: logger)
        }
    }

    public func replaceSegmentMembers(id: Int64, workspaceId: Int64, people: [Int64]) async throws -> SegmentRecord {
        let now = clock()
        return try await transaction { connection in
            guard try await segment(connection, id: id, workspaceId: workspaceId, lock: true) != nil else {
                throw StoreError.notFound("no segment \(id) in this workspace")
            }
            try await connection.run("DELETE FROM segment_members WHERE segment_id = \(id)", logger: logger)
            // Through `persons`: ids of other workspaces or unknown ids add nothing, merged-away ids
            // become their survivor.
            try await connection.run(
                """
                INSERT INTO segment_members (workspace_id, segment_id, person_id)
                SELECT DISTINCT \(workspaceId), \(id), p.canonical_id FROM persons p
                WHERE p.workspace_id = \(workspaceId) AND p.id = ANY(\(people)::bigint[])
                """,
                logger: logger
            )
            let size = try await connection.value(Int64.self, "SELECT COUNT(*) FROM segment_members WHERE segment_id = \(id)", logger: logger) ?? 0
            try await connection.run(
                "INSERT INTO segment_sizes (workspace_id, segment_id, at, size) VALUES (\(workspaceId), \(id), \(now), \(size))",
                logger: logger
            )
            let rows = try await connection.rows(
                "UPDATE segments SET size = \(size), refreshed_at = \(now) WHERE id = \(id) RETURNING \(unescaped: Self.segmentColumns)",
                logger: logger
            )
            return try Self.segment(rows[0])
        }
    }

    public func segmentMembers(id: Int64, workspaceId: Int64, afterPersonId: Int64, limit: Int) async throws -> [Int64] {
        try await read { connection in
            try await connection.values(
                Int64.self,
                """
                SELECT person_id FROM segment_members WHERE segment_id = \(id) AND workspace_id = \(workspaceId) AND person_id > \(afterPersonId)
                ORDER BY person_id LIMIT \(Self.limit(limit))
                """,
                logger: logger
            )
        }
    }

    public func segmentSizes(id: Int64, workspaceId: Int64, since: Int64) async throws -> [SegmentSize] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT at, size FROM segment_sizes WHERE segment_id = \(id) AND workspace_id = \(workspaceId) AND at >= \(since)
                ORDER BY at
                """,
                logger: logger
            ).map { row in
                let (at, size) = try row.decode((Int64, Int64).self)
                return SegmentSize(at: at, size: Int(size))
            }
        }
    }

    public func segments(personId: Int64, workspaceId: Int64) async throws -> [SegmentRecord] {
        try await read { connection in
            let canonical = try await canonicalId(connection, personId: personId, workspaceId: workspaceId)
            return try await connection.rows(
                """
                SELECT \(unescaped: Self.segmentColumns) FROM segments WHERE workspace_id = \(workspaceId) AND id IN (
                    SELECT segment_id FROM segment_members WHERE workspace_id = \(workspaceId) AND person_id IN (
                        SELECT id FROM persons WHERE workspace_id = \(workspaceId) AND canonical_id = \(canonical)))
                ORDER BY name
                """,
                logger: logger
            ).map(Self.segment)
        }
    }

    public func segmentsDue(at now: Int64) async throws -> [SegmentRecord] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.segmentColumns) FROM segments WHERE kind = 'dynamic' AND refresh_minutes IS NOT NULL
                    AND (refreshed_at IS NULL OR refreshed_at + refresh_minutes * 60000 <= \(now))
                ORDER BY id
                """,
                logger: logger
            ).map(Self.segment)
        }
    }

    func segment(_ connection: PostgresConnection, id: Int64, workspaceId: Int64, lock: Bool = false) async throws -> SegmentRecord? {
        try await connection.rows(
            """
            SELECT \(unescaped: Self.segmentColumns) FROM segments WHERE id = \(id) AND workspace_id = \(workspaceId)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: logger
        ).first.map(Self.segment)
    }

    func checkNameFree(_ connection: PostgresConnection, workspaceId: Int64, name: String, except: Int64?) async throws {
        let taken = try await connection.value(
            Int64.self,
            "SELECT id FROM segments WHERE workspace_id = \(workspaceId) AND name = \(name)",
            logger: logger
        )
        if let taken, taken != except { throw StoreError.conflict("a segment named `\(name)` already exists") }
    }

    static func segment(_ row: PostgresRow) throws -> SegmentRecord {
        let (id, workspaceId, name, description, kind, rule, minutes, createdAt, updatedAt, refreshedAt, size) = try row.decode(
            (Int64, Int64, String, String, String, String?, Int64?, Int64, Int64, Int64?, Int64).self
        )
        return SegmentRecord(
            id: id,
            workspaceId: workspaceId,
            name: name,
            description: description,
            kind: SegmentKind(rawValue: kind) ?? .static,
            rule: rule,
            refreshMinutes: minutes.map(Int.init),
            createdAt: createdAt,
            updatedAt: updatedAt,
            refreshedAt: refreshedAt,
            size: Int(size)
        )
    }
}

extension PostgresStore: LabelRepository {
    public func saveLabels(workspaceId: Int64, scheme: String, assignments: [Int64: String]) async throws -> LabelSaveSummary {
        try SegmentValidation.checkScheme(scheme, assignments: assignments)
        let now = clock()
        // Under the writer lock: a merge or erasure must not change the people being labelled halfway.
        return try await serializedWrite { connection in
            var current: [Int64: String] = [:]
            for row in try await connection.rows(
                "SELECT person_id, value FROM person_labels WHERE workspace_id = \(workspaceId) AND scheme = \(scheme)",
                logger: logger
            ) {
                let (person, value) = try row.decode((Int64, String).self)
                current[person] = value
            }
            let known = Set(
                try await connection.values(
                    Int64.self,
                    "SELECT id FROM persons WHERE workspace_id = \(workspaceId) AND id = canonical_id",
                    logger: logger
                )
            )
            var summary = LabelSaveSummary(changed: 0, unchanged: 0)
            var setPeople: [Int64] = []
            var setValues: [String] = []
            var fromValues: [String?] = []
            for (person, value) in assignments.sorted(by: { $0.key < $1.key }) where known.contains(person) {
                let before = current.removeValue(forKey: person)
                if before == value {
                    summary.unchanged += 1
                    continue
                }
                setPeople.append(person)
                setValues.append(value)
                fromValues.append(before)
            }
            let lost = current.sorted { $0.key < $1.key }
            summary.changed = setPeople.count + lost.count
            try await connection.run(
                """
                INSERT INTO person_labels (workspace_id, scheme, person_id, value, since)
                SELECT \(workspaceId), \(scheme), t.person, t.value, \(now) FROM unnest(\(setPeople)::bigint[], \(setValues)::text[]) AS t(person, value)
                ON CONFLICT (workspace_id, scheme, person_id) DO UPDATE SET value = excluded.value, since = excluded.since
                """,
                logger: logger
            )
            let lostPeople = lost.map(\.key)
            try await connection.run(
                "DELETE FROM person_labels WHERE workspace_id = \(workspaceId) AND scheme = \(scheme) AND person_id = ANY(\(lostPeople)::bigint[])",
                logger: logger
            )
            let changePeople = setPeople + lostPeople
            // Labels are never empty (checked), so "" stands for "none" in the arrays.
            let changeFrom = fromValues.map { $0 ?? "" } + lost.map(\.value)
            let changeTo = setValues + lost.map { _ in "" }
            try await connection.run(
                """
                INSERT INTO label_changes (workspace_id, scheme, person_id, from_value, to_value, at)
                SELECT \(workspaceId), \(scheme), t.person, NULLIF(t.from_value, ''), NULLIF(t.to_value, ''), \(now)
                FROM unnest(\(changePeople)::bigint[], \(changeFrom)::text[], \(changeTo)::text[]) AS t(person, from_value, to_value)
                """,
                logger: logger
            )
            if summary.changed > 0 { try await recordLabelChange(connection, workspaceId: workspaceId) }
            return summary
        }
    }

    public func labels(workspaceId: Int64, scheme: String) async throws -> [Int64: String] {
        try await read { connection in
            var labels: [Int64: String] = [:]
            for row in try await connection.rows(
                "SELECT person_id, value FROM person_labels WHERE workspace_id = \(workspaceId) AND scheme = \(scheme)",
                logger: logger
            ) {
                let (person, value) = try row.decode((Int64, String).self)
                labels[person] = value
            }
            return labels
        }
    }

    public func allLabels(workspaceId: Int64) async throws -> [String: [Int64: String]] {
        try await read { connection in
            var labels: [String: [Int64: String]] = [:]
            for row in try await connection.rows(
                "SELECT scheme, person_id, value FROM person_labels WHERE workspace_id = \(workspaceId)",
                logger: logger
            ) {
                let (scheme, person, value) = try row.decode((String, Int64, String).self)
                labels[scheme, default: [:]][person] = value
            }
            return labels
        }
    }

    public func labelMovements(workspaceId: Int64, scheme: String, from: Int64, to: Int64) async throws -> [LabelMovement] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT from_value, to_value, COUNT(*) AS people FROM label_changes
                WHERE workspace_id = \(workspaceId) AND scheme = \(scheme) AND at >= \(from) AND at < \(to)
                GROUP BY from_value, to_value ORDER BY people DESC, from_value NULLS FIRST, to_value NULLS FIRST
                """,
                logger: logger
            ).map { row in
                let (fromValue, toValue, people) = try row.decode((String?, String?, Int64).self)
                return LabelMovement(from: fromValue, to: toValue, people: Int(people))
            }
        }
    }

    public func labels(personId: Int64, workspaceId: Int64) async throws -> [PersonLabel] {
        try await read { connection in
            let canonical = try await canonicalId(connection, personId: personId, workspaceId: workspaceId)
            return try await connection.rows(
                """
                SELECT scheme, value, since FROM person_labels WHERE workspace_id = \(workspaceId) AND person_id = \(canonical)
                ORDER BY scheme
                """,
                logger: logger
            ).map { row in
                let (scheme, value, since) = try row.decode((String, String, Int64).self)
                return PersonLabel(scheme: scheme, value: value, since: since)
            }
        }
    }
}

extension PostgresStore {
    /// Marks the workspace's labels and model values as changed (analytics reloads only those).
    func recordLabelChange(_ connection: PostgresConnection, workspaceId: Int64) async throws {
        try await connection.run(
            """
            INSERT INTO workspace_state (workspace_id, labels_version) VALUES (\(workspaceId), 1)
            ON CONFLICT (workspace_id) DO UPDATE SET labels_version = workspace_state.labels_version + 1
            """,
            logger: logger
        )
    }
}
