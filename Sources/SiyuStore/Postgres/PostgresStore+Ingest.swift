import PostgresNIO
import SiyuCore

extension PostgresStore {
    /// Resolves identities and appends every batch in one transaction holding the writer lock:
    /// one commit (one WAL flush) for all of them, and concurrent writers, in this process or
    /// another, wait for each other, so the snapshot each plan is made from is still true when it is applied.
    ///
    /// Set-based: a handful of statements per workspace whatever the number of events (arrays bound
    /// as parameters and `unnest`ed), never one round trip per event.
    public func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult] {
        guard !batches.isEmpty else { return [] }
        return try await serializedWrite { connection in
            let phases = IngestPhases()
            let results = try await IngestGrouping.ingest(batches) { workspaceId, events in
                let snapshot = try await phases.measureAsync(.snapshot) {
                    try await self.snapshot(connection, workspaceId: workspaceId, events: events)
                }
                let plan: IngestPlan = phases.measure(.plan) { IdentityResolver.plan(events, snapshot: snapshot) }
                try await phases.measureAsync(.apply) { try await apply(plan, events: events, workspaceId: workspaceId, connection: connection) }
                return plan
            }
            phases.finish()
            return results
        }
    }

    /// Reads what the resolver needs to know about the identities and message ids of `events`, in three queries.
    func snapshot(_ connection: PostgresConnection, workspaceId: Int64, events: [PreparedEvent]) async throws -> IdentitySnapshot {
        var snapshot = IdentitySnapshot()
        let messageIds = events.map(\.message.messageId)
        snapshot.existingMessageIds = Set(
            try await connection.values(
                String.self,
                "SELECT message_id FROM events WHERE workspace_id = \(workspaceId) AND message_id = ANY(\(messageIds)::text[])",
                logger: logger
            )
        )
        var keys: [IdentityKey] = []
        var seen: Set<IdentityKey> = []
        for event in events {
            for key in IngestGrouping.lookupKeys(event) where seen.insert(key).inserted { keys.append(key) }
        }
        if !keys.isEmpty {
            // Each identity with its person, that person's group, and whether the group is identified.
            let rows = try await connection.rows(
                """
                SELECT i.kind, i.value, i.person_id, c.id, c.created_at, c.user_id
                FROM unnest(\(keys.map(\.kind))::text[], \(keys.map(\.value))::text[]) AS k(kind, value)
                JOIN identities i ON i.workspace_id = \(workspaceId) AND i.kind = k.kind AND i.value = k.value
                JOIN persons p ON p.id = i.person_id
                JOIN persons c ON c.id = p.canonical_id
                """,
                logger: logger
            )
            for row in rows {
                let (kind, value, person, canonical, createdAt, userId) = try row.decode((String, String, Int64, Int64, Int64, String?).self)
                snapshot.identities[IdentityKey(kind, value)] = person
                snapshot.canonical[person] = canonical
                snapshot.people[canonical] = PersonSummary(id: canonical, userId: userId, createdAt: createdAt)
            }
        }
        try await markSuppressed(connection, workspaceId: workspaceId, events: events, in: &snapshot)
        snapshot.nextPersonId = try await nextPersonId(connection)
        return snapshot
    }

    /// Finds the message ids and identities of the batch that are on the suppression list; costs
    /// one probe when the workspace has erased nobody.
    func markSuppressed(
        _ connection: PostgresConnection,
        workspaceId: Int64,
        events: [PreparedEvent],
        in snapshot: inout IdentitySnapshot
    ) async throws {
        let salt = try await connection.value(
            String.self,
            """
            SELECT salt FROM workspaces WHERE id = \(workspaceId) AND EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = \(workspaceId))
            """,
            logger: logger
        )
        guard let salt else { return }
        let probes = Suppression.probes(events, salt: salt)
        let found = try await connection.rows(
            """
            SELECT p.n FROM unnest(\(probes.map(\.kind))::text[], \(probes.map(\.hash))::text[]) WITH ORDINALITY AS p(kind, hash, n)
            JOIN suppressions s ON s.workspace_id = \(workspaceId) AND s.kind = p.kind AND s.hash = p.hash
            """,
            logger: logger
        )
        for row in found {
            let position = try row.decode(Int64.self)
            Suppression.mark(probes[Int(position) - 1].target, in: &snapshot)
        }
    }

    /// The id the next new person gets: never one used before, even by a person since erased.
    func nextPersonId(_ connection: PostgresConnection) async throws -> Int64 {
        (try await connection.value(Int64.self, "SELECT value FROM siyu_counters WHERE name = 'persons'", logger: logger) ?? 0) + 1
    }

    /// Writes a plan in the order ``IngestPlan/applied(to:)`` defines: new people, identities,
    /// merges, profile deltas; then the events and refused merges.
    func apply(_ plan: IngestPlan, events: [PreparedEvent], workspaceId: Int64, connection: PostgresConnection) async throws {
        if let last = plan.newPersons.last {
            try await connection.run("UPDATE siyu_counters SET value = GREATEST(value, \(last.id)) WHERE name = 'persons'", logger: logger)
            try await connection.run(
                """
                INSERT INTO persons (id, workspace_id, canonical_id, created_at)
                SELECT r.id, \(workspaceId), r.id, r.created_at
                FROM unnest(\(plan.newPersons.map(\.id))::bigint[], \(plan.newPersons.map(\.createdAt))::bigint[]) AS r(id, created_at)
                """,
                logger: logger
            )
        }
        if !plan.newIdentities.isEmpty {
            let identityTime = events.first?.message.receivedAt ?? 0
            try await connection.run(
                """
                INSERT INTO identities (workspace_id, kind, value, person_id, created_at)
                SELECT \(workspaceId), k.kind, k.value, k.person_id, \(identityTime)
                FROM unnest(\(plan.newIdentities.map(\.key.kind))::text[], \(plan.newIdentities.map(\.key.value))::text[],
                    \(plan.newIdentities.map(\.personId))::bigint[]) AS k(kind, value, person_id)
                """,
                logger: logger
            )
        }
        for merge in plan.merges {
            try await applyMerge(merge, workspaceId: workspaceId, connection: connection)
        }
        if !plan.deltas.isEmpty {
            try await applyDeltas(plan.deltas, connection: connection)
        }
        var lastSeq: Int64 = 0
        if !plan.events.isEmpty {
            let rows = plan.events.map { EventRow(events[$0.index], personId: $0.personId, flags: $0.flags) }
            lastSeq = try await insertEvents(rows, workspaceId: workspaceId, connection: connection)
        }
        try await recordChange(connection, workspaceId: workspaceId, eventSeq: lastSeq, people: ChangedPeople(plan))
        // One row per refused pair: the first event, and how often and how lately it happened again.
        for conflict in plan.conflicts {
            try await connection.run(
                """
                INSERT INTO merge_conflicts (workspace_id, kept_person_id, other_person_id, identity_kind, identity_value, message_id, at, last_at)
                VALUES (\(workspaceId), \(conflict.keptPerson), \(conflict.otherPerson), \(conflict.identity.kind), \(conflict.identity.value),
                    \(conflict.messageId), \(conflict.at), \(conflict.at))
                ON CONFLICT (workspace_id, kept_person_id, other_person_id, identity_kind, identity_value)
                DO UPDATE SET occurrences = merge_conflicts.occurrences + 1, last_at = GREATEST(merge_conflicts.last_at, EXCLUDED.last_at)
                """,
                logger: logger
            )
        }
    }

    /// Moves the workspace's analytics version (see ``AnalyticsVersion``).
    func recordChange(_ connection: PostgresConnection, workspaceId: Int64, eventSeq: Int64, people: ChangedPeople) async throws {
        let version = try await connection.value(
            Int64.self,
            """
            INSERT INTO workspace_state (workspace_id, event_seq, people_version) VALUES (\(workspaceId), \(eventSeq), \(people.isEmpty ? 0 : 1))
            ON CONFLICT (workspace_id) DO UPDATE SET event_seq = GREATEST(workspace_state.event_seq, EXCLUDED.event_seq),
                people_version = workspace_state.people_version + EXCLUDED.people_version
            RETURNING people_version
            """,
            logger: logger
        )
        guard !people.isEmpty, let version else { return }
        if !people.ids.isEmpty {
            try await connection.run("UPDATE persons SET changed_version = \(version) WHERE id = ANY(\(people.ids)::bigint[])", logger: logger)
        }
        if !people.groups.isEmpty {
            try await connection.run(
                """
                UPDATE persons SET changed_version = \(version) WHERE workspace_id = \(workspaceId) AND canonical_id = ANY(\(people.groups)::bigint[])
                """,
                logger: logger
            )
        }
        if people.rebuild {
            try await connection.run("UPDATE workspace_state SET rebuild_version = \(version) WHERE workspace_id = \(workspaceId)", logger: logger)
        }
    }

    /// Merges the loser's group into the survivor: the merged profile, canonical ids, tags, the log.
    func applyMerge(_ merge: MergeRecord, workspaceId: Int64, connection: PostgresConnection) async throws {
        var profiles: [Int64: PersonProfile] = [:]
        for row in try await connection.rows(
            "SELECT \(unescaped: Self.profileColumns) FROM persons p WHERE p.id = ANY(\([merge.survivor, merge.loser])::bigint[])",
            logger: logger
        ) {
            let profile = try Self.profile(row)
            profiles[profile.id] = profile
        }
        guard let survivor = profiles[merge.survivor], let loser = profiles[merge.loser] else {
            throw StoreError.notFound("people \(merge.survivor) and \(merge.loser) of a merge are missing")
        }
        try await updateProfiles([survivor.merged(with: loser, keepingId: merge.survivor)], connection: connection)
        // One statement, in plan order: a later merge may take the survivor of an earlier one.
        try await connection.run(
            """
            WITH moved AS (
                UPDATE persons SET canonical_id = CASE WHEN canonical_id = \(merge.loser) THEN \(merge.survivor) ELSE canonical_id END,
                    merged_into = CASE WHEN id = \(merge.loser) THEN \(merge.survivor) ELSE merged_into END
                WHERE workspace_id = \(workspaceId) AND (canonical_id = \(merge.loser) OR id = \(merge.loser))
            ), tags AS (
                INSERT INTO person_tags (workspace_id, person_id, tag, created_at)
                SELECT workspace_id, \(merge.survivor), tag, created_at FROM person_tags WHERE person_id = \(merge.loser)
                ON CONFLICT DO NOTHING
            )
            INSERT INTO merges (workspace_id, survivor_id, loser_id, at, message_id, reason, identity_kind, identity_value)
            VALUES (\(workspaceId), \(merge.survivor), \(merge.loser), \(merge.at), \(merge.messageId), \(merge.reason),
                \(merge.identity.kind), \(merge.identity.value))
            """,
            logger: logger
        )
    }

    /// Adds every delta with arithmetic in one statement; traits (identify calls only) are merged in Swift.
    /// Revenue stays within ±``Money/maximumTotalMinorUnits`` (10¹⁷), as on SQLite.
    func applyDeltas(_ deltas: [ProfileDelta], connection: PostgresConnection) async throws {
        try await connection.run(
            """
            UPDATE persons SET
                event_count = persons.event_count + d.events, order_count = persons.order_count + d.orders,
                revenue_minor = LEAST(GREATEST(persons.revenue_minor + d.revenue, -100000000000000000), 100000000000000000),
                first_channel = CASE WHEN d.first_seen IS NOT NULL AND (persons.first_seen IS NULL OR d.first_seen < persons.first_seen)
                    THEN d.first_channel ELSE persons.first_channel END,
                first_seen = CASE WHEN d.first_seen IS NOT NULL AND (persons.first_seen IS NULL OR d.first_seen < persons.first_seen)
                    THEN d.first_seen ELSE persons.first_seen END,
                last_channel = CASE WHEN d.last_seen IS NOT NULL AND (persons.last_seen IS NULL OR d.last_seen >= persons.last_seen)
                    THEN d.last_channel ELSE persons.last_channel END,
                last_seen = CASE WHEN d.last_seen IS NOT NULL AND (persons.last_seen IS NULL OR d.last_seen >= persons.last_seen)
                    THEN d.last_seen ELSE persons.last_seen END,
                user_id = COALESCE(persons.user_id, d.user_id)
            FROM unnest(\(deltas.map(\.personId))::bigint[], \(deltas.map(\.events))::bigint[], \(deltas.map(\.orders))::bigint[],
                \(deltas.map(\.revenueMinor))::bigint[], \(NullableArray(deltas.map(\.firstSeen)))::bigint[],
                \(NullableArray(deltas.map(\.firstChannel)))::text[], \(NullableArray(deltas.map(\.lastSeen)))::bigint[],
                \(NullableArray(deltas.map(\.lastChannel)))::text[], \(NullableArray(deltas.map(\.userId)))::text[])
                AS d(id, events, orders, revenue, first_seen, first_channel, last_seen, last_channel, user_id)
            WHERE persons.id = d.id
            """,
            logger: logger
        )
        let withTraits = deltas.filter(\.hasTraits)
        guard !withTraits.isEmpty else { return }
        var updated: [PersonProfile] = []
        for row in try await connection.rows(
            "SELECT \(unescaped: Self.profileColumns) FROM persons p WHERE p.id = ANY(\(withTraits.map(\.personId))::bigint[])",
            logger: logger
        ) {
            var profile = try Self.profile(row)
            for delta in withTraits where delta.personId == profile.id { profile.setTraits(delta.traits, times: delta.traitTimes) }
            updated.append(profile)
        }
        try await updateProfiles(updated, connection: connection)
    }

    /// Overwrites the profile columns of existing people in one statement.
    func updateProfiles(_ profiles: [PersonProfile], connection: PostgresConnection) async throws {
        var sql = BoundSQL("")
        let source = ProfileColumns(profiles).unnest(binding: &sql)
        sql.append(
            """
            UPDATE persons SET user_id = r.user_id, first_seen = r.first_seen, last_seen = r.last_seen, first_channel = r.first_channel,
                last_channel = r.last_channel, event_count = r.event_count, order_count = r.order_count, revenue_minor = r.revenue_minor,
                traits = r.traits::json, trait_times = r.trait_times::json, created_at = r.created_at
            FROM \(source)
            WHERE persons.id = r.id
            """
        )
        try await connection.run(sql.query, logger: logger)
    }

    /// Appends events in one statement; `ORDER BY` the array position gives them ids (sequence numbers) in batch order.
    /// Appends events in one statement and returns the largest sequence number given.
    @discardableResult
    func insertEvents(_ rows: [EventRow], workspaceId: Int64, connection: PostgresConnection) async throws -> Int64 {
        let messageIds = rows.map(\.messageId)
        let types = rows.map { Int64($0.type) }
        let names = NullableArray(rows.map(\.event))
        let persons = rows.map(\.personId)
        let userIds = NullableArray(rows.map(\.userId))
        let anonymousIds = NullableArray(rows.map(\.anonymousId))
        let timestamps = rows.map(\.timestamp)
        let receivedAts = rows.map(\.receivedAt)
        let originalTimestamps = NullableArray(rows.map(\.originalTimestamp))
        let sentAts = NullableArray(rows.map(\.sentAt))
        let channels = rows.map(\.channel)
        let revenues = NullableArray(rows.map(\.revenueMinor))
        let currencies = NullableArray(rows.map(\.currency))
        let flags = rows.map { Int64($0.flags) }
        let properties = rows.map(\.properties)
        let traits = NullableArray(rows.map(\.traits))
        let contexts = rows.map(\.context)
        let extras = NullableArray(rows.map(\.extra))
        return try await connection.value(
            Int64.self,
            """
            WITH inserted AS (
            INSERT INTO events (workspace_id, message_id, type, event, person_id, user_id, anonymous_id, timestamp, received_at,
                original_timestamp, sent_at, channel, revenue_minor, currency, flags, properties, traits, context, extra)
            SELECT \(workspaceId), r.message_id, r.type, r.event, r.person_id, r.user_id, r.anonymous_id, r.timestamp, r.received_at,
                r.original_timestamp, r.sent_at, r.channel, r.revenue_minor, r.currency, r.flags, r.properties::json, r.traits::json,
                r.context::json, r.extra::json
            FROM unnest(\(messageIds)::text[], \(types)::bigint[], \(names)::text[], \(persons)::bigint[], \(userIds)::text[],
                \(anonymousIds)::text[], \(timestamps)::bigint[], \(receivedAts)::bigint[], \(originalTimestamps)::bigint[],
                \(sentAts)::bigint[], \(channels)::text[], \(revenues)::bigint[], \(currencies)::text[], \(flags)::bigint[],
                \(properties)::text[], \(traits)::text[], \(contexts)::text[], \(extras)::text[])
                WITH ORDINALITY AS r(message_id, type, event, person_id, user_id, anonymous_id, timestamp, received_at, original_timestamp,
                    sent_at, channel, revenue_minor, currency, flags, properties, traits, context, extra, n)
            ORDER BY r.n
            RETURNING id)
            SELECT MAX(id) FROM inserted
            """,
            logger: logger
        ) ?? 0
    }
}

/// Profiles as one array per column, for multi-row `INSERT`/`UPDATE … FROM unnest(…) AS r(…)`.
struct ProfileColumns {
    var ids: [Int64] = []
    var createdAts: [Int64] = []
    var userIds: [String?] = []
    var firstSeens: [Int64?] = []
    var lastSeens: [Int64?] = []
    var firstChannels: [String?] = []
    var lastChannels: [String?] = []
    var eventCounts: [Int64] = []
    var orderCounts: [Int64] = []
    var revenues: [Int64] = []
    var traits: [String] = []
    var traitTimes: [String] = []

    /// The columns of `profiles`, in order; JSON columns as text.
    init(_ profiles: [PersonProfile]) {
        for p in profiles {
            ids.append(p.id)
            createdAts.append(p.createdAt)
            userIds.append(p.userId)
            firstSeens.append(p.firstSeen)
            lastSeens.append(p.lastSeen)
            firstChannels.append(p.firstChannel)
            lastChannels.append(p.lastChannel)
            eventCounts.append(p.eventCount)
            orderCounts.append(p.orderCount)
            revenues.append(p.revenueMinor)
            traits.append(JSONWriter.string(p.traits))
            traitTimes.append(StoredJSON.traitTimesText(p.traitTimes))
        }
    }

    /// `unnest(…) AS r(id, created_at, …)` with every column bound into `sql`.
    func unnest(binding sql: inout BoundSQL) -> String {
        """
        unnest(\(sql.bind(ids))::bigint[], \(sql.bind(createdAts))::bigint[], \(sql.bind(NullableArray(userIds)))::text[],
            \(sql.bind(NullableArray(firstSeens)))::bigint[], \(sql.bind(NullableArray(lastSeens)))::bigint[],
            \(sql.bind(NullableArray(firstChannels)))::text[], \(sql.bind(NullableArray(lastChannels)))::text[],
            \(sql.bind(eventCounts))::bigint[], \(sql.bind(orderCounts))::bigint[], \(sql.bind(revenues))::bigint[],
            \(sql.bind(traits))::text[], \(sql.bind(traitTimes))::text[])
            AS r(id, created_at, user_id, first_seen, last_seen, first_channel, last_channel, event_count, order_count, revenue_minor,
                traits, trait_times)
        """
    }
}
