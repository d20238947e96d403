import GRDB
import SiyuCore

extension SQLiteStore: JourneyRepository {
    public func createJourney(workspaceId: Int64, name: String, definition: String) async throws -> JourneyRecord {
        try JourneyValidation.check(name: name, definition: definition)
        let now = clock()
        return try await write { db in
            try Self.checkJourneyNameFree(db, workspaceId: workspaceId, name: name, except: nil)
            try db.execute(
                sql: "INSERT INTO journeys (workspace_id, name, status, draft, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?)",
                arguments: [workspaceId, name, definition, now, now]
            )
            return try Self.journey(db, id: db.lastInsertedRowID, workspaceId: workspaceId)!
        }
    }

    public func journeys(workspaceId: Int64) async throws -> [JourneyRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM journeys WHERE workspace_id = ? ORDER BY name", arguments: [workspaceId]).map(Self.journey)
        }
    }

    public func journey(id: Int64, workspaceId: Int64) async throws -> JourneyRecord? {
        try await read { db in try Self.journey(db, id: id, workspaceId: workspaceId) }
    }

    public func updateJourney(id: Int64, workspaceId: Int64, name: String?, definition: String?) async throws -> JourneyRecord {
        try JourneyValidation.check(name: name, definition: definition)
        let now = clock()
        return try await write { db in
            guard var journey = try Self.journey(db, id: id, workspaceId: workspaceId) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            if let name {
                try Self.checkJourneyNameFree(db, workspaceId: workspaceId, name: name, except: id)
                journey.name = name
            }
            if let definition { journey.draft = definition }
            try db.execute(
                sql: "UPDATE journeys SET name = ?, draft = ?, updated_at = ? WHERE id = ?",
                arguments: [journey.name, journey.draft, now, id]
            )
            return try Self.journey(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func publishJourney(id: Int64, workspaceId: Int64) async throws -> JourneyRecord {
        let now = clock()
        return try await write { db in
            guard let journey = try Self.journey(db, id: id, workspaceId: workspaceId) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            try JourneyValidation.checkPublish(journey)
            let version = journey.version + 1
            try db.execute(
                sql: "INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES (?, ?, ?, ?)",
                arguments: [id, version, journey.draft, now]
            )
            try db.execute(sql: "UPDATE journeys SET version = ?, status = 'active', updated_at = ? WHERE id = ?", arguments: [version, now, id])
            return try Self.journey(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func setJourneyStatus(id: Int64, workspaceId: Int64, status: JourneyStatus) async throws -> JourneyRecord {
        let now = clock()
        return try await write { db in
            guard let journey = try Self.journey(db, id: id, workspaceId: workspaceId) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            try JourneyValidation.checkMove(from: journey.status, to: status)
            try db.execute(sql: "UPDATE journeys SET status = ?, updated_at = ? WHERE id = ?", arguments: [status.rawValue, now, id])
            if status == .stopped {
                // Those inside leave; they are no longer due.
                try db.execute(
                    sql: """
                        UPDATE journey_instances SET state = 'exited', due_at = NULL, wait_key = NULL, exited_at = ?, updated_at = ?,
                            step = step + 1
                        WHERE journey_id = ? AND state IN ('active', 'waiting')
                        """,
                    arguments: [now, now, id]
                )
            }
            return try Self.journey(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func journeyDefinition(journeyId: Int64, version: Int) async throws -> String? {
        try await read { db in
            try String.fetchOne(
                db,
                sql: "SELECT definition FROM journey_versions WHERE journey_id = ? AND version = ?",
                arguments: [journeyId, version]
            )
        }
    }

    public func activeJourneys() async throws -> [JourneyRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM journeys WHERE status = 'active' ORDER BY id").map(Self.journey) }
    }

    static func checkJourneyNameFree(_ db: Database, workspaceId: Int64, name: String, except: Int64?) throws {
        let taken = try Int64.fetchOne(db, sql: "SELECT id FROM journeys WHERE workspace_id = ? AND name = ?", arguments: [workspaceId, name])
        if let taken, taken != except { throw StoreError.conflict("a journey named `\(name)` already exists") }
    }

    static func journey(_ db: Database, id: Int64, workspaceId: Int64) throws -> JourneyRecord? {
        try Row.fetchOne(db, sql: "SELECT * FROM journeys WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId]).map(journey)
    }

    static func journey(_ row: Row) -> JourneyRecord {
        JourneyRecord(
            id: row["id"],
            workspaceId: row["workspace_id"],
            name: row["name"],
            status: JourneyStatus(rawValue: row["status"]) ?? .draft,
            draft: row["draft"],
            version: row["version"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"]
        )
    }
}

extension SQLiteStore: JourneyRunRepository {
    public func enterJourney(
        workspaceId: Int64,
        journeyId: Int64,
        version: Int,
        start: String,
        entrants: [JourneyEntrant],
        oneAtATime: Bool,
        now: Int64
    )
        async throws -> [JourneyInstance]
    {
        guard !entrants.isEmpty else { return [] }
        // One statement for the whole list: the entrants as a JSON array, those inside already (with
        // `oneAtATime`) and keys already used left out. The holdout is measured, never walked: out at
        // once, kept for the goal.
        var list: [JSONValue] = []
        list.reserveCapacity(entrants.count)
        for entrant in entrants {
            list.append([
                "p": .int(entrant.personId), "k": .string(entrant.entryKey), "h": .bool(entrant.heldOut),
                "e": entrant.event.map(JSONValue.string) ?? .null,
            ])
        }
        let json = JSONWriter.string(.array(list))
        return try await write { db in
            try Row.fetchAll(
                db,
                sql: """
                    INSERT OR IGNORE INTO journey_instances
                        (workspace_id, journey_id, version, person_id, entry_key, node, state, due_at, entered_at, updated_at, exited_at, entry_event)
                    SELECT ?1, ?2, ?3, e.p, e.k, ?4, CASE WHEN e.h THEN 'heldOut' ELSE 'active' END, CASE WHEN e.h THEN NULL ELSE ?5 END,
                        ?5, ?5, CASE WHEN e.h THEN ?5 ELSE NULL END, e.e
                    FROM (
                        SELECT json_extract(value, '$.p') AS p, json_extract(value, '$.k') AS k, json_extract(value, '$.h') AS h,
                            json_extract(value, '$.e') AS e, key AS n
                        FROM json_each(?6)
                    ) e
                    WHERE NOT ?7 OR NOT EXISTS (
                        SELECT 1 FROM journey_instances i WHERE i.workspace_id = ?1 AND i.person_id = e.p AND i.journey_id = ?2
                            AND i.state IN ('active', 'waiting'))
                    ORDER BY e.n
                    RETURNING *
                    """,
                arguments: [workspaceId, journeyId, version, start, now, json, oneAtATime]
            ).map(Self.instance).sorted { $0.id < $1.id }
        }
    }

    public func dueJourneyInstances(now: Int64, limit: Int) async throws -> [JourneyInstance] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM journey_instances WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?",
                arguments: [now, limit]
            ).map(Self.instance)
        }
    }

    public func waitingJourneyInstances(workspaceId: Int64, personId: Int64, waitKeys: [String]) async throws -> [JourneyInstance] {
        guard !waitKeys.isEmpty else { return [] }
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM journey_instances WHERE workspace_id = ? AND person_id = ? AND state = 'waiting'
                        AND wait_key IN (\(databaseQuestionMarks(count: waitKeys.count)))
                    """,
                arguments: StatementArguments([workspaceId, personId]) + StatementArguments(waitKeys)
            ).map(Self.instance)
        }
    }

    public func journeyInstance(id: Int64) async throws -> JourneyInstance? {
        try await read { db in try Self.instance(db, id: id) }
    }

    public func advanceJourneys(_ advances: [JourneyAdvance]) async throws -> [Bool] {
        guard !advances.isEmpty else { return [] }
        return try await write { db in try advances.map { try Self.advance(db, $0) } }
    }

    static func advance(_ db: Database, _ advance: JourneyAdvance) throws -> Bool {
        guard let instance = try Self.instance(db, id: advance.instanceId), instance.step == advance.fromStep else { return false }
        try db.cachedStatement(
            sql: """
                UPDATE journey_instances SET node = ?, state = ?, due_at = ?, wait_key = ?, step = step + 1, updated_at = ?,
                    exited_at = CASE WHEN ? = 'exited' THEN ? ELSE NULL END
                WHERE id = ?
                """
        ).execute(arguments: [
            advance.node, advance.state.rawValue, advance.dueAt, advance.waitKey, advance.now, advance.state.rawValue, advance.now,
            advance.instanceId,
        ])
        let count = try db.cachedStatement(
            sql: """
                INSERT INTO journey_node_counts (journey_id, version, node, outcome, count) VALUES (?, ?, ?, ?, 1)
                ON CONFLICT (journey_id, version, node, outcome) DO UPDATE SET count = count + 1
                """
        )
        for (node, outcome) in advance.counts {
            try count.execute(arguments: [instance.journeyId, instance.version, node, outcome])
        }
        try Self.insertOutbox(db, workspaceId: instance.workspaceId, advance.outbox, now: advance.now)
        return true
    }

    public func journeyNodeCounts(journeyId: Int64, workspaceId: Int64) async throws -> [JourneyNodeCount] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.version, c.node, c.outcome, c.count FROM journey_node_counts c JOIN journeys j ON j.id = c.journey_id
                    WHERE c.journey_id = ? AND j.workspace_id = ? ORDER BY c.version, c.node, c.outcome
                    """,
                arguments: [journeyId, workspaceId]
            ).map { JourneyNodeCount(version: $0["version"], node: $0["node"], outcome: $0["outcome"], count: $0["count"]) }
        }
    }

    public func recordJourneyGoal(workspaceId: Int64, journeyId: Int64, personId: Int64, enteredSince: Int64, at: Int64) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE journey_instances SET goal_at = ?
                    WHERE workspace_id = ? AND journey_id = ? AND person_id = ? AND goal_at IS NULL AND entered_at >= ? AND entered_at <= ?
                    """,
                arguments: [at, workspaceId, journeyId, personId, enteredSince, at]
            )
            return db.changesCount
        }
    }

    public func journeyGoalCounts(journeyId: Int64, workspaceId: Int64) async throws -> JourneyGoalCounts {
        try await read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(state != 'heldOut'), 0) AS treated, COALESCE(SUM(state != 'heldOut' AND goal_at IS NOT NULL), 0) AS treated_goal,
                        COALESCE(SUM(state = 'heldOut'), 0) AS held, COALESCE(SUM(state = 'heldOut' AND goal_at IS NOT NULL), 0) AS held_goal
                    FROM journey_instances WHERE journey_id = ? AND workspace_id = ?
                    """,
                arguments: [journeyId, workspaceId]
            )
            return JourneyGoalCounts(
                treated: row?["treated"] ?? 0,
                treatedConverted: row?["treated_goal"] ?? 0,
                heldOut: row?["held"] ?? 0,
                heldOutConverted: row?["held_goal"] ?? 0
            )
        }
    }

    public func journeyEventCursor(workspaceId: Int64) async throws -> Int64? {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM journey_cursors WHERE workspace_id = ?", arguments: [workspaceId]) }
    }

    public func saveJourneyEventCursor(workspaceId: Int64, seq: Int64) async throws {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO journey_cursors (workspace_id, seq) VALUES (?, ?) ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq",
                arguments: [workspaceId, seq]
            )
        }
    }

    static func instance(_ db: Database, id: Int64) throws -> JourneyInstance? {
        try Row.fetchOne(db, sql: "SELECT * FROM journey_instances WHERE id = ?", arguments: [id]).map(instance)
    }

    static func instance(_ row: Row) -> JourneyInstance {
        JourneyInstance(
            id: row["id"],
            workspaceId: row["workspace_id"],
            journeyId: row["journey_id"],
            version: row["version"],
            personId: row["person_id"],
            entryKey: row["entry_key"],
            node: row["node"],
            state: JourneyInstanceState(rawValue: row["state"]) ?? .exited,
            dueAt: row["due_at"],
            waitKey: row["wait_key"],
            step: row["step"],
            enteredAt: row["entered_at"],
            updatedAt: row["updated_at"],
            exitedAt: row["exited_at"],
            goalAt: row["goal_at"],
            entryEvent: row["entry_event"]
        )
    }
}
