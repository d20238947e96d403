import PostgresNIO
import SiyuCore

extension PostgresStore: JourneyRepository {
    static let journeyColumns = "id, workspace_id, name, status, draft, version, created_at, updated_at"

    public func createJourney(workspaceId: Int64, name: String, definition: String) async throws -> JourneyRecord {
        try JourneyValidation.check(name: name, definition: definition)
        let now = clock()
        return try await transaction { connection in
            try await checkJourneyNameFree(connection, workspaceId: workspaceId, name: name, except: nil)
            let rows = try await connection.rows(
                """
                INSERT INTO journeys (workspace_id, name, status, draft, created_at, updated_at)
                VALUES (\(workspaceId), \(name), 'draft', \(definition), \(now), \(now))
                RETURNING \(unescaped: Self.journeyColumns)
                """,
                logger: logger
            )
            return try Self.journey(rows[0])
        }
    }

    public func journeys(workspaceId: Int64) async throws -> [JourneyRecord] {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.journeyColumns) FROM journeys WHERE workspace_id = \(workspaceId) ORDER BY name",
                logger: logger
            ).map(Self.journey)
        }
    }

    public func journey(id: Int64, workspaceId: Int64) async throws -> JourneyRecord? {
        try await read { connection in try await journey(connection, id: id, workspaceId: workspaceId) }
    }

    public func updateJourney(id: Int64, workspaceId: Int64, name: String?, definition: String?) async throws -> JourneyRecord {
        try JourneyValidation.check(name: name, definition: definition)
        let now = clock()
        return try await transaction { connection in
            guard var journey = try await journey(connection, id: id, workspaceId: workspaceId, lock: true) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            if let name {
                try await checkJourneyNameFree(connection, workspaceId: workspaceId, name: name, except: id)
                journey.name = name
            }
            if let definition { journey.draft = definition }
            let rows = try await connection.rows(
                """
                UPDATE journeys SET name = \(journey.name), draft = \(journey.draft), updated_at = \(now)
                WHERE id = \(id) RETURNING \(unescaped: Self.journeyColumns)
                """,
                logger: logger
            )
            return try Self.journey(rows[0])
        }
    }

    public func publishJourney(id: Int64, workspaceId: Int64) async throws -> JourneyRecord {
        let now = clock()
        return try await transaction { connection in
            guard let journey = try await journey(connection, id: id, workspaceId: workspaceId, lock: true) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            try JourneyValidation.checkPublish(journey)
            let version = journey.version + 1
            try await connection.run(
                "INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES (\(id), \(version), \(journey.draft), \(now))",
                logger: logger
            )
            let rows = try await connection.rows(
                """
                UPDATE journeys SET version = \(version), status = 'active', updated_at = \(now)
                WHERE id = \(id) RETURNING \(unescaped: Self.journeyColumns)
                """,
                logger: logger
            )
            return try Self.journey(rows[0])
        }
    }

    public func setJourneyStatus(id: Int64, workspaceId: Int64, status: JourneyStatus) async throws -> JourneyRecord {
        let now = clock()
        return try await transaction { connection in
            guard let journey = try await journey(connection, id: id, workspaceId: workspaceId, lock: true) else {
                throw StoreError.notFound("no journey \(id) in this workspace")
            }
            try JourneyValidation.checkMove(from: journey.status, to: status)
            let rows = try await connection.rows(
                "UPDATE journeys SET status = \(status.rawValue), updated_at = \(now) WHERE id = \(id) RETURNING \(unescaped: Self.journeyColumns)",
                logger: logger
            )
            if status == .stopped {
                // Those inside leave; they are no longer due.
                try await connection.run(
                    """
                    UPDATE journey_instances SET state = 'exited', due_at = NULL, wait_key = NULL, exited_at = \(now), updated_at = \(now),
                        step = step + 1
                    WHERE journey_id = \(id) AND state IN ('active', 'waiting')
                    """,
                    logger: logger
                )
            }
            return try Self.journey(rows[0])
        }
    }

    public func journeyDefinition(journeyId: Int64, version: Int) async throws -> String? {
        try await read { connection in
            try await connection.rows(
                "SELECT definition FROM journey_versions WHERE journey_id = \(journeyId) AND version = \(version)",
                logger: logger
            ).first?.decode(String.self)
        }
    }

    public func activeJourneys() async throws -> [JourneyRecord] {
        try await read { connection in
            try await connection.rows("SELECT \(unescaped: Self.journeyColumns) FROM journeys WHERE status = 'active' ORDER BY id", logger: logger)
                .map(Self.journey)
        }
    }

    func checkJourneyNameFree(_ connection: PostgresConnection, workspaceId: Int64, name: String, except: Int64?) async throws {
        let taken = try await connection.rows("SELECT id FROM journeys WHERE workspace_id = \(workspaceId) AND name = \(name)", logger: logger)
            .first?.decode(Int64.self)
        if let taken, taken != except { throw StoreError.conflict("a journey named `\(name)` already exists") }
    }

    func journey(_ connection: PostgresConnection, id: Int64, workspaceId: Int64, lock: Bool = false) async throws -> JourneyRecord? {
        try await connection.rows(
            """
            SELECT \(unescaped: Self.journeyColumns) FROM journeys WHERE id = \(id) AND workspace_id = \(workspaceId)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: logger
        ).first.map(Self.journey)
    }

    static func journey(_ row: PostgresRow) throws -> JourneyRecord {
        let (id, workspaceId, name, status, draft, version, createdAt, updatedAt) = try row.decode(
            (Int64, Int64, String, String, String, Int32, Int64, Int64).self
        )
        return JourneyRecord(
            id: id,
            workspaceId: workspaceId,
            name: name,
            status: JourneyStatus(rawValue: status) ?? .draft,
            draft: draft,
            version: Int(version),
            createdAt: createdAt,
            updatedAt: updatedAt
        )
    }
}

extension PostgresStore: JourneyRunRepository {
    static let instanceColumns =
        "id, workspace_id, journey_id, version, person_id, entry_key, node, state, due_at, wait_key, step, entered_at, updated_at, exited_at, goal_at, entry_event"

    public func enterJourney(
        workspaceId: Int64,
        journeyId: Int64,
        version: Int,
        start: String,
        entrants: [JourneyEntrant],
        oneAtATime: Bool,
        now: Int64
    ) async throws -> [JourneyInstance] {
        guard !entrants.isEmpty else { return [] }
        // One statement for the whole list: the entrants as arrays, those inside already (with
        // `oneAtATime`) and keys already used left out. The holdout is measured, never walked: out at
        // once, kept for the goal.
        let people = entrants.map(\.personId)
        let keys = entrants.map(\.entryKey)
        let held = entrants.map(\.heldOut)
        let events = NullableArray(entrants.map(\.event))
        return try await transaction { connection in
            try await connection.rows(
                """
                INSERT INTO journey_instances
                    (workspace_id, journey_id, version, person_id, entry_key, node, state, due_at, entered_at, updated_at, exited_at, entry_event)
                SELECT \(workspaceId), \(journeyId), \(Int32(version)), e.person, e.key, \(start),
                    CASE WHEN e.held THEN 'heldOut' ELSE 'active' END, CASE WHEN e.held THEN NULL ELSE \(now)::bigint END,
                    \(now), \(now), CASE WHEN e.held THEN \(now)::bigint ELSE NULL END, e.event
                FROM unnest(\(people)::bigint[], \(keys)::text[], \(held)::bool[], \(events)::text[]) WITH ORDINALITY AS e(person, key, held, event, n)
                WHERE NOT \(oneAtATime) OR NOT EXISTS (
                    SELECT 1 FROM journey_instances i WHERE i.workspace_id = \(workspaceId) AND i.person_id = e.person
                        AND i.journey_id = \(journeyId) AND i.state IN ('active', 'waiting'))
                ORDER BY e.n
                ON CONFLICT (journey_id, entry_key) DO NOTHING
                RETURNING \(unescaped: Self.instanceColumns)
                """,
                logger: logger
            ).map(Self.instance).sorted { $0.id < $1.id }
        }
    }

    public func dueJourneyInstances(now: Int64, limit: Int) async throws -> [JourneyInstance] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.instanceColumns) FROM journey_instances WHERE due_at IS NOT NULL AND due_at <= \(now)
                ORDER BY due_at LIMIT \(Int64(limit))
                """,
                logger: logger
            ).map(Self.instance)
        }
    }

    public func waitingJourneyInstances(workspaceId: Int64, personId: Int64, waitKeys: [String]) async throws -> [JourneyInstance] {
        guard !waitKeys.isEmpty else { return [] }
        return try await read { connection in
            try await connection.rows(
                """
                SELECT \(unescaped: Self.instanceColumns) FROM journey_instances
                WHERE workspace_id = \(workspaceId) AND person_id = \(personId) AND state = 'waiting' AND wait_key = ANY(\(waitKeys)::text[])
                """,
                logger: logger
            ).map(Self.instance)
        }
    }

    public func journeyInstance(id: Int64) async throws -> JourneyInstance? {
        try await read { connection in
            try await connection.rows("SELECT \(unescaped: Self.instanceColumns) FROM journey_instances WHERE id = \(id)", logger: logger)
                .first.map(Self.instance)
        }
    }

    public func advanceJourneys(_ advances: [JourneyAdvance]) async throws -> [Bool] {
        guard !advances.isEmpty else { return [] }
        return try await transaction { connection in
            var applied: [Bool] = []
            for advance in advances { applied.append(try await self.advance(connection, advance)) }
            return applied
        }
    }

    func advance(_ connection: PostgresConnection, _ advance: JourneyAdvance) async throws -> Bool {
        let exitedAt: Int64? = advance.state == .exited ? advance.now : nil
        let rows = try await connection.rows(
            """
            UPDATE journey_instances SET node = \(advance.node), state = \(advance.state.rawValue), due_at = \(advance.dueAt),
                wait_key = \(advance.waitKey), step = step + 1, updated_at = \(advance.now), exited_at = \(exitedAt)
            WHERE id = \(advance.instanceId) AND step = \(Int32(advance.fromStep))
            RETURNING workspace_id, journey_id, version
            """,
            logger: logger
        )
        guard let row = rows.first else { return false }
        let (workspaceId, journeyId, version) = try row.decode((Int64, Int64, Int32).self)
        for (node, outcome) in advance.counts {
            try await connection.run(
                """
                INSERT INTO journey_node_counts (journey_id, version, node, outcome, count) VALUES (\(journeyId), \(version), \(node), \(outcome), 1)
                ON CONFLICT (journey_id, version, node, outcome) DO UPDATE SET count = journey_node_counts.count + 1
                """,
                logger: logger
            )
        }
        try await insertOutbox(connection, workspaceId: workspaceId, advance.outbox, now: advance.now)
        return true
    }

    public func journeyNodeCounts(journeyId: Int64, workspaceId: Int64) async throws -> [JourneyNodeCount] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT c.version, c.node, c.outcome, c.count FROM journey_node_counts c JOIN journeys j ON j.id = c.journey_id
                WHERE c.journey_id = \(journeyId) AND j.workspace_id = \(workspaceId) ORDER BY c.version, c.node, c.outcome
                """,
                logger: logger
            ).map { row in
                let (version, node, outcome, count) = try row.decode((Int32, String, String, Int64).self)
                return JourneyNodeCount(version: Int(version), node: node, outcome: outcome, count: Int(count))
            }
        }
    }

    public func recordJourneyGoal(workspaceId: Int64, journeyId: Int64, personId: Int64, enteredSince: Int64, at: Int64) async throws -> Int {
        try await transaction { connection in
            try await connection.rows(
                """
                UPDATE journey_instances SET goal_at = \(at)
                WHERE workspace_id = \(workspaceId) AND journey_id = \(journeyId) AND person_id = \(personId) AND goal_at IS NULL
                    AND entered_at >= \(enteredSince) AND entered_at <= \(at)
                RETURNING id
                """,
                logger: logger
            ).count
        }
    }

    public func journeyGoalCounts(journeyId: Int64, workspaceId: Int64) async throws -> JourneyGoalCounts {
        try await read { connection in
            let rows = try await connection.rows(
                """
                SELECT COUNT(*) FILTER (WHERE state <> 'heldOut'), COUNT(*) FILTER (WHERE state <> 'heldOut' AND goal_at IS NOT NULL),
                    COUNT(*) FILTER (WHERE state = 'heldOut'), COUNT(*) FILTER (WHERE state = 'heldOut' AND goal_at IS NOT NULL)
                FROM journey_instances WHERE journey_id = \(journeyId) AND workspace_id = \(workspaceId)
                """,
                logger: logger
            )
            let (treated, treatedGoal, held, heldGoal) = try rows[0].decode((Int64, Int64, Int64, Int64).self)
            return JourneyGoalCounts(
                treated: Int(treated),
                treatedConverted: Int(treatedGoal),
                heldOut: Int(held),
                heldOutConverted: Int(heldGoal)
            )
        }
    }

    public func journeyEventCursor(workspaceId: Int64) async throws -> Int64? {
        try await read { connection in
            try await connection.rows("SELECT seq FROM journey_cursors WHERE workspace_id = \(workspaceId)", logger: logger).first?.decode(Int64.self)
        }
    }

    public func saveJourneyEventCursor(workspaceId: Int64, seq: Int64) async throws {
        try await transaction { connection in
            try await connection.run(
                """
                INSERT INTO journey_cursors (workspace_id, seq) VALUES (\(workspaceId), \(seq))
                ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq
                """,
                logger: logger
            )
        }
    }

    static func instance(_ row: PostgresRow) throws -> JourneyInstance {
        let (
            id, workspaceId, journeyId, version, personId, entryKey, node, state, dueAt, waitKey, step, enteredAt, updatedAt, exitedAt, goalAt, event
        ) =
            try row.decode(
                (Int64, Int64, Int64, Int32, Int64, String, String, String, Int64?, String?, Int32, Int64, Int64, Int64?, Int64?, String?).self
            )
        return JourneyInstance(
            id: id,
            workspaceId: workspaceId,
            journeyId: journeyId,
            version: Int(version),
            personId: personId,
            entryKey: entryKey,
            node: node,
            state: JourneyInstanceState(rawValue: state) ?? .exited,
            dueAt: dueAt,
            waitKey: waitKey,
            step: Int(step),
            enteredAt: enteredAt,
            updatedAt: updatedAt,
            exitedAt: exitedAt,
            goalAt: goalAt,
            entryEvent: event
        )
    }
}
