import GRDB
import SiyuCore

extension SQLiteStore: SegmentRepository {
    public func createSegment(workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord {
        try SegmentValidation.check(draft, creating: true)
        let now = clock()
        return try await write { db in
            try Self.checkNameFree(db, workspaceId: workspaceId, name: draft.name!, except: nil)
            try db.execute(
                sql: """
                    INSERT INTO segments (workspace_id, name, description, kind, rule, refresh_minutes, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    workspaceId, draft.name!, draft.description ?? "", (draft.kind ?? .dynamic).rawValue, draft.rule,
                    draft.refreshMinutes ?? nil, now, now,
                ]
            )
            return try Self.segment(db, id: db.lastInsertedRowID, workspaceId: workspaceId)!
        }
    }

    public func segments(workspaceId: Int64) async throws -> [SegmentRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM segments WHERE workspace_id = ? ORDER BY name", arguments: [workspaceId]).map(Self.segment)
        }
    }

    public func segment(id: Int64, workspaceId: Int64) async throws -> SegmentRecord? {
        try await read { db in try Self.segment(db, id: id, workspaceId: workspaceId) }
    }

    public func updateSegment(id: Int64, workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord {
        try SegmentValidation.check(draft, creating: false)
        let now = clock()
        return try await write { db in
            guard var segment = try Self.segment(db, id: id, workspaceId: workspaceId) else {
                throw StoreError.notFound("no segment \(id) in this workspace")
            }
            if let name = draft.name {
                try Self.checkNameFree(db, workspaceId: workspaceId, name: name, except: id)
                segment.name = name
            }
            if let description = draft.description { segment.description = description }
            if let kind = draft.kind { segment.kind = kind }
            if let rule = draft.rule { segment.rule = rule }
            if let minutes = draft.refreshMinutes { segment.refreshMinutes = minutes }
            try db.execute(
                sql: "UPDATE segments SET name = ?, description = ?, kind = ?, rule = ?, refresh_minutes = ?, updated_at = ? WHERE id = ?",
                arguments: [segment.name, segment.description, segment.kind.rawValue, segment.rule, segment.refreshMinutes, now, id]
            )
            return try Self.segment(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func deleteSegment(id: Int64, workspaceId: Int64) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM segments WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
            guard db.changesCount == 1 else { throw StoreError.notFound("no segment \(id) in this workspace") }
            try db.execute(sql: "DELETE FROM segment_members WHERE segment_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM segment_sizes WHERE segment_id = ?", arguments: [id])
        }
    }

    public func replaceSegmentMembers(id: Int64, workspaceId: Int64, people: [Int64]) async throws -> SegmentRecord {
        let now = clock()
        return try await write { db in
            guard try Self.segment(db, id: id, workspaceId: workspaceId) != nil else {
                throw StoreError.notFound("no segment \(id) in this workspace")
            }
            try db.execute(sql: "DELETE FROM segment_members WHERE segment_id = ?", arguments: [id])
            // Through `persons`: ids of other workspaces or unknown ids add nothing, merged-away ids
            // become their survivor.
            let insert = try db.makeStatement(
                sql: """
                    INSERT OR IGNORE INTO segment_members (workspace_id, segment_id, person_id)
                    SELECT workspace_id, ?, canonical_id FROM persons WHERE id = ? AND workspace_id = ?
                    """
            )
            for person in people { try insert.execute(arguments: [id, person, workspaceId]) }
            let size = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM segment_members WHERE segment_id = ?", arguments: [id]) ?? 0
            try db.execute(sql: "UPDATE segments SET size = ?, refreshed_at = ? WHERE id = ?", arguments: [size, now, id])
            try db.execute(
                sql: "INSERT INTO segment_sizes (workspace_id, segment_id, at, size) VALUES (?, ?, ?, ?)",
                arguments: [workspaceId, id, now, size]
            )
            return try Self.segment(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func segmentMembers(id: Int64, workspaceId: Int64, afterPersonId: Int64, limit: Int) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT person_id FROM segment_members WHERE segment_id = ? AND workspace_id = ? AND person_id > ?
                    ORDER BY person_id LIMIT ?
                    """,
                arguments: [id, workspaceId, afterPersonId, limit]
            )
        }
    }

    public func segmentSizes(id: Int64, workspaceId: Int64, since: Int64) async throws -> [SegmentSize] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT at, size FROM segment_sizes WHERE segment_id = ? AND workspace_id = ? AND at >= ? ORDER BY at",
                arguments: [id, workspaceId, since]
            ).map { SegmentSize(at: $0["at"], size: $0["size"]) }
        }
    }

    public func segments(personId: Int64, workspaceId: Int64) async throws -> [SegmentRecord] {
        try await read { db in
            let canonical = try Self.canonicalId(db, personId: personId, workspaceId: workspaceId)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM segments WHERE workspace_id = ? AND id IN (
                        SELECT segment_id FROM segment_members WHERE workspace_id = ? AND person_id IN (
                            SELECT id FROM persons WHERE workspace_id = ? AND canonical_id = ?))
                    ORDER BY name
                    """,
                arguments: [workspaceId, workspaceId, workspaceId, canonical]
            ).map(Self.segment)
        }
    }

    public func segmentsDue(at now: Int64) async throws -> [SegmentRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM segments WHERE kind = 'dynamic' AND refresh_minutes IS NOT NULL
                        AND (refreshed_at IS NULL OR refreshed_at + refresh_minutes * 60000 <= ?)
                    ORDER BY id
                    """,
                arguments: [now]
            ).map(Self.segment)
        }
    }

    static func segment(_ db: Database, id: Int64, workspaceId: Int64) throws -> SegmentRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM segments WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId]).map(segment)
    }

    static func checkNameFree(_ db: Database, workspaceId: Int64, name: String, except: Int64?) throws {
        let taken = try Int64.fetchOne(db, sql: "SELECT id FROM segments WHERE workspace_id = ? AND name = ?", arguments: [workspaceId, name])
        if let taken, taken != except { throw StoreError.conflict("a segment named `\(name)` already exists") }
    }

    static func segment(_ row: Row) -> SegmentRecord {
        SegmentRecord(
            id: row["id"],
            workspaceId: row["workspace_id"],
            name: row["name"],
            description: row["description"],
            kind: SegmentKind(rawValue: row["kind"]) ?? .static,
            rule: row["rule"],
            refreshMinutes: row["refresh_minutes"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"],
            refreshedAt: row["refreshed_at"],
            size: row["size"]
        )
    }
}

extension SQLiteStore: LabelRepository {
    public func saveLabels(workspaceId: Int64, scheme: String, assignments: [Int64: String]) async throws -> LabelSaveSummary {
        try SegmentValidation.checkScheme(scheme, assignments: assignments)
        let now = clock()
        return try await write { db in
            var current: [Int64: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT person_id, value FROM person_labels WHERE workspace_id = ? AND scheme = ?",
                arguments: [workspaceId, scheme]
            ) {
                current[row[0]] = row[1]
            }
            let known = Set(
                try Int64.fetchAll(db, sql: "SELECT id FROM persons WHERE workspace_id = ? AND id = canonical_id", arguments: [workspaceId])
            )
            let upsert = try db.makeStatement(
                sql: """
                    INSERT INTO person_labels (workspace_id, scheme, person_id, value, since) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (workspace_id, scheme, person_id) DO UPDATE SET value = excluded.value, since = excluded.since
                    """
            )
            let remove = try db.makeStatement(sql: "DELETE FROM person_labels WHERE workspace_id = ? AND scheme = ? AND person_id = ?")
            let change = try db.makeStatement(
                sql: "INSERT INTO label_changes (workspace_id, scheme, person_id, from_value, to_value, at) VALUES (?, ?, ?, ?, ?, ?)"
            )
            var summary = LabelSaveSummary(changed: 0, unchanged: 0)
            for (person, value) in assignments.sorted(by: { $0.key < $1.key }) where known.contains(person) {
                let before = current.removeValue(forKey: person)
                if before == value {
                    summary.unchanged += 1
                    continue
                }
                try upsert.execute(arguments: [workspaceId, scheme, person, value, now])
                try change.execute(arguments: [workspaceId, scheme, person, before, value, now])
                summary.changed += 1
            }
            for (person, before) in current.sorted(by: { $0.key < $1.key }) {
                try remove.execute(arguments: [workspaceId, scheme, person])
                try change.execute(arguments: [workspaceId, scheme, person, before, nil as String?, now])
                summary.changed += 1
            }
            if summary.changed > 0 { try Self.recordLabelChange(db, workspaceId: workspaceId) }
            return summary
        }
    }

    public func labels(workspaceId: Int64, scheme: String) async throws -> [Int64: String] {
        try await read { db in
            var labels: [Int64: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT person_id, value FROM person_labels WHERE workspace_id = ? AND scheme = ?",
                arguments: [workspaceId, scheme]
            ) {
                labels[row[0]] = row[1]
            }
            return labels
        }
    }

    public func allLabels(workspaceId: Int64) async throws -> [String: [Int64: String]] {
        try await read { db in
            var labels: [String: [Int64: String]] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT scheme, person_id, value FROM person_labels WHERE workspace_id = ?",
                arguments: [workspaceId]
            ) {
                labels[row[0], default: [:]][row[1]] = row[2]
            }
            return labels
        }
    }

    public func labelMovements(workspaceId: Int64, scheme: String, from: Int64, to: Int64) async throws -> [LabelMovement] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT from_value, to_value, COUNT(*) AS people FROM label_changes
                    WHERE workspace_id = ? AND scheme = ? AND at >= ? AND at < ?
                    GROUP BY from_value, to_value ORDER BY people DESC, from_value, to_value
                    """,
                arguments: [workspaceId, scheme, from, to]
            ).map { LabelMovement(from: $0["from_value"], to: $0["to_value"], people: $0["people"]) }
        }
    }

    public func labels(personId: Int64, workspaceId: Int64) async throws -> [PersonLabel] {
        try await read { db in
            let canonical = try Self.canonicalId(db, personId: personId, workspaceId: workspaceId)
            return try Row.fetchAll(
                db,
                sql: "SELECT scheme, value, since FROM person_labels WHERE workspace_id = ? AND person_id = ? ORDER BY scheme",
                arguments: [workspaceId, canonical]
            ).map { PersonLabel(scheme: $0["scheme"], value: $0["value"], since: $0["since"]) }
        }
    }
}

extension SQLiteStore {
    /// Marks the workspace's labels and model values as changed (analytics reloads only those).
    static func recordLabelChange(_ db: Database, workspaceId: Int64) throws {
        try db.execute(
            sql: """
                INSERT INTO workspace_state (workspace_id, labels_version) VALUES (?, 1)
                ON CONFLICT (workspace_id) DO UPDATE SET labels_version = labels_version + 1
                """,
            arguments: [workspaceId]
        )
    }
}
