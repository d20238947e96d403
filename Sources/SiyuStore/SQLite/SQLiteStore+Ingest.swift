import GRDB
import SiyuCore

extension SQLiteStore {
    /// Resolves identities and appends every batch in one IMMEDIATE transaction: one fsync for
    /// all of them (group commit).
    public func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult] {
        guard !batches.isEmpty else { return [] }
        let phases = IngestPhases()
        let results = try await write { db in
            try IngestGrouping.ingest(batches) { workspaceId, events in
                let snapshot = try phases.measure(.snapshot) { try Self.snapshot(db, workspaceId: workspaceId, events: events) }
                let plan = phases.measure(.plan) { IdentityResolver.plan(events, snapshot: snapshot) }
                try phases.measure(.apply) { try Self.apply(plan, events: events, workspaceId: workspaceId, db: db) }
                return plan
            }
        }
        phases.finish()
        return results
    }

    /// Reads what the resolver needs to know about the identities and message ids of `events`.
    static func snapshot(_ db: Database, workspaceId: Int64, events: [PreparedEvent]) throws -> IdentitySnapshot {
        var snapshot = IdentitySnapshot()
        var messageLookup = try RawStatement(db, "SELECT 1 FROM events WHERE workspace_id = ? AND message_id = ?")
        // One probe per identity gives its person, that person's group and whether the group is identified.
        var identityLookup = try RawStatement(
            db,
            """
            SELECT i.person_id, p.canonical_id, c.created_at, c.user_id
            FROM identities i JOIN persons p ON p.id = i.person_id JOIN persons c ON c.id = p.canonical_id
            WHERE i.workspace_id = ? AND i.kind = ? AND i.value = ?
            """
        )
        var lookedUp: Set<IdentityKey> = []
        for event in events {
            let message = event.message
            messageLookup.bind(workspaceId)
            messageLookup.bind(message.messageId)
            if try messageLookup.int64(db) != nil { snapshot.existingMessageIds.insert(message.messageId) }
            for key in IngestGrouping.lookupKeys(event) where lookedUp.insert(key).inserted {
                identityLookup.bind(workspaceId)
                identityLookup.bind(key.kind)
                identityLookup.bind(key.value)
                if try identityLookup.step(db), let person = identityLookup.int64(0), let canonical = identityLookup.int64(1) {
                    snapshot.identities[key] = person
                    snapshot.canonical[person] = canonical
                    if snapshot.people[canonical] == nil {
                        snapshot.people[canonical] = PersonSummary(
                            id: canonical,
                            userId: identityLookup.string(3),
                            createdAt: identityLookup.int64(2) ?? 0
                        )
                    }
                }
                identityLookup.reset()
            }
        }
        try markSuppressed(db, workspaceId: workspaceId, events: events, in: &snapshot)
        // AUTOINCREMENT remembers the largest id ever used: an erased person's id is never given again.
        snapshot.nextPersonId = (try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'persons'") ?? 0) + 1
        return snapshot
    }

    /// Finds the message ids and identities of the batch that are on the suppression list; costs
    /// one probe when the workspace has erased nobody.
    static func markSuppressed(_ db: Database, workspaceId: Int64, events: [PreparedEvent], in snapshot: inout IdentitySnapshot) throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM suppressions WHERE workspace_id = ?)", arguments: [workspaceId]) == true,
            let salt = try String.fetchOne(db, sql: "SELECT salt FROM workspaces WHERE id = ?", arguments: [workspaceId])
        else { return }
        var lookup = try RawStatement(db, "SELECT 1 FROM suppressions WHERE workspace_id = ? AND kind = ? AND hash = ?")
        for probe in Suppression.probes(events, salt: salt) {
            lookup.bind(workspaceId)
            lookup.bind(probe.kind)
            lookup.bind(probe.hash)
            if try lookup.int64(db) != nil { Suppression.mark(probe.target, in: &snapshot) }
        }
    }

    /// Writes a plan in the order ``IngestPlan/applied(to:)`` defines: new people, identities,
    /// merges, profile deltas; then the events and refused merges.
    static func apply(_ plan: IngestPlan, events: [PreparedEvent], workspaceId: Int64, db: Database) throws {
        var insertPerson = try RawStatement(
            db,
            "INSERT INTO persons (id, workspace_id, canonical_id, created_at) VALUES (?, ?, ?, ?)"
        )
        for person in plan.newPersons {
            insertPerson.bind(person.id)
            insertPerson.bind(workspaceId)
            insertPerson.bind(person.id)
            insertPerson.bind(person.createdAt)
            try insertPerson.execute(db)
        }
        var insertIdentity = try RawStatement(db, "INSERT INTO identities (workspace_id, kind, value, person_id, created_at) VALUES (?, ?, ?, ?, ?)")
        let identityTime = events.first?.message.receivedAt ?? 0
        for (key, person) in plan.newIdentities {
            insertIdentity.bind(workspaceId)
            insertIdentity.bind(key.kind)
            insertIdentity.bind(key.value)
            insertIdentity.bind(person)
            insertIdentity.bind(identityTime)
            try insertIdentity.execute(db)
        }
        for merge in plan.merges { try applyMerge(merge, workspaceId: workspaceId, db: db) }
        for delta in plan.deltas { try applyDelta(delta, db: db) }

        var insertEvent = try RawStatement(
            db,
            """
            INSERT INTO events (workspace_id, message_id, type, event, person_id, user_id, anonymous_id, timestamp, received_at,
                original_timestamp, sent_at, channel, revenue_minor, currency, flags, properties, traits, context, extra)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        )
        for planned in plan.events {
            let row = EventRow(events[planned.index], personId: planned.personId, flags: planned.flags)
            insertEvent.bind(workspaceId)
            insertEvent.bind(row.messageId)
            insertEvent.bind(row.type)
            insertEvent.bind(row.event)
            insertEvent.bind(row.personId)
            insertEvent.bind(row.userId)
            insertEvent.bind(row.anonymousId)
            insertEvent.bind(row.timestamp)
            insertEvent.bind(row.receivedAt)
            insertEvent.bind(row.originalTimestamp)
            insertEvent.bind(row.sentAt)
            insertEvent.bind(row.channel)
            insertEvent.bind(row.revenueMinor)
            insertEvent.bind(row.currency)
            insertEvent.bind(row.flags)
            insertEvent.bind(row.properties)
            insertEvent.bind(row.traits)
            insertEvent.bind(row.context)
            insertEvent.bind(row.extra)
            try insertEvent.execute(db)
        }
        let lastSeq = plan.events.isEmpty ? 0 : db.lastInsertedRowID
        try recordChange(db, workspaceId: workspaceId, eventSeq: lastSeq, people: ChangedPeople(plan))
        // One row per refused pair: the first event, and how often and how lately it happened again.
        for conflict in plan.conflicts {
            try db.execute(
                sql: """
                    INSERT INTO merge_conflicts (workspace_id, kept_person_id, other_person_id, identity_kind, identity_value, message_id, at, last_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (workspace_id, kept_person_id, other_person_id, identity_kind, identity_value)
                    DO UPDATE SET occurrences = occurrences + 1, last_at = MAX(last_at, excluded.last_at)
                    """,
                arguments: [
                    workspaceId, conflict.keptPerson, conflict.otherPerson, conflict.identity.kind, conflict.identity.value, conflict.messageId,
                    conflict.at, conflict.at,
                ]
            )
        }
    }

    /// Moves the workspace's analytics version: the last event stored, and whether people changed
    /// beyond their counters (analytics caches reload people then).
    static func recordChange(_ db: Database, workspaceId: Int64, eventSeq: Int64, people: ChangedPeople) throws {
        try db.execute(
            sql: """
                INSERT INTO workspace_state (workspace_id, event_seq, people_version) VALUES (?, ?, ?)
                ON CONFLICT (workspace_id) DO UPDATE SET event_seq = MAX(event_seq, excluded.event_seq),
                    people_version = people_version + excluded.people_version
                """,
            arguments: [workspaceId, eventSeq, people.isEmpty ? 0 : 1]
        )
        guard !people.isEmpty else { return }
        let version = try Int64.fetchOne(db, sql: "SELECT people_version FROM workspace_state WHERE workspace_id = ?", arguments: [workspaceId]) ?? 0
        for chunk in stride(from: 0, to: people.ids.count, by: 500) {
            let list = people.ids[chunk..<min(chunk + 500, people.ids.count)].map(String.init).joined(separator: ",")
            try db.execute(sql: "UPDATE persons SET changed_version = ? WHERE id IN (\(list))", arguments: [version])
        }
        for chunk in stride(from: 0, to: people.groups.count, by: 500) {
            let list = people.groups[chunk..<min(chunk + 500, people.groups.count)].map(String.init).joined(separator: ",")
            try db.execute(
                sql: "UPDATE persons SET changed_version = ? WHERE workspace_id = ? AND canonical_id IN (\(list))",
                arguments: [version, workspaceId]
            )
        }
        if people.rebuild {
            try db.execute(sql: "UPDATE workspace_state SET rebuild_version = ? WHERE workspace_id = ?", arguments: [version, workspaceId])
        }
    }

    /// Merges the loser's group into the survivor: canonical ids, the merged profile, tags, the log.
    static func applyMerge(_ merge: MergeRecord, workspaceId: Int64, db: Database) throws {
        let load = try db.cachedStatement(sql: "SELECT * FROM persons WHERE id = ?")
        guard let survivorRow = try Row.fetchOne(load, arguments: [merge.survivor]), let loserRow = try Row.fetchOne(load, arguments: [merge.loser])
        else { throw StoreError.notFound("people \(merge.survivor) and \(merge.loser) of a merge are missing") }
        let merged = profile(survivorRow).merged(with: profile(loserRow), keepingId: merge.survivor)
        try writeProfile(merged, db: db)
        try db.execute(
            sql: "UPDATE persons SET canonical_id = ? WHERE workspace_id = ? AND canonical_id = ?",
            arguments: [merge.survivor, workspaceId, merge.loser]
        )
        try db.execute(sql: "UPDATE persons SET merged_into = ? WHERE id = ?", arguments: [merge.survivor, merge.loser])
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO person_tags (workspace_id, person_id, tag, created_at)
                SELECT workspace_id, ?, tag, created_at FROM person_tags WHERE person_id = ?
                """,
            arguments: [merge.survivor, merge.loser]
        )
        try db.execute(
            sql: """
                INSERT INTO merges (workspace_id, survivor_id, loser_id, at, message_id, reason, identity_kind, identity_value)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [workspaceId, merge.survivor, merge.loser, merge.at, merge.messageId, merge.reason, merge.identity.kind, merge.identity.value]
        )
    }

    /// Adds a delta with arithmetic in SQL; traits (identify calls only) are merged in Swift.
    /// Revenue stays within ±``Money/maximumTotalMinorUnits`` (10¹⁷): both the stored total and the
    /// delta are held there, so the sum cannot overflow before it is clamped.
    static func applyDelta(_ delta: ProfileDelta, db: Database) throws {
        var update = try RawStatement(
            db,
            """
            UPDATE persons SET
                event_count = event_count + ?1, order_count = order_count + ?2, revenue_minor = MIN(MAX(revenue_minor + ?3, -100000000000000000), 100000000000000000),
                first_channel = CASE WHEN ?4 IS NOT NULL AND (first_seen IS NULL OR ?4 < first_seen) THEN ?5 ELSE first_channel END,
                first_seen = CASE WHEN ?4 IS NOT NULL AND (first_seen IS NULL OR ?4 < first_seen) THEN ?4 ELSE first_seen END,
                last_channel = CASE WHEN ?6 IS NOT NULL AND (last_seen IS NULL OR ?6 >= last_seen) THEN ?7 ELSE last_channel END,
                last_seen = CASE WHEN ?6 IS NOT NULL AND (last_seen IS NULL OR ?6 >= last_seen) THEN ?6 ELSE last_seen END,
                user_id = COALESCE(user_id, ?8)
            WHERE id = ?9
            """
        )
        update.bind(delta.events)
        update.bind(delta.orders)
        update.bind(delta.revenueMinor)
        update.bind(delta.firstSeen)
        update.bind(delta.firstChannel)
        update.bind(delta.lastSeen)
        update.bind(delta.lastChannel)
        update.bind(delta.userId)
        update.bind(delta.personId)
        try update.execute(db)
        guard delta.hasTraits else { return }
        guard let row = try Row.fetchOne(db, sql: "SELECT traits, trait_times FROM persons WHERE id = ?", arguments: [delta.personId]) else { return }
        var profile = PersonProfile(id: delta.personId, createdAt: 0, traits: StoredJSON.object(row[0]), traitTimes: StoredJSON.traitTimes(row[1]))
        profile.setTraits(delta.traits, times: delta.traitTimes)
        try db.execute(
            sql: "UPDATE persons SET traits = ?, trait_times = ? WHERE id = ?",
            arguments: [JSONWriter.string(profile.traits), StoredJSON.traitTimesText(profile.traitTimes), delta.personId]
        )
    }

    /// Writes every profile column of a person.
    static func writeProfile(_ p: PersonProfile, db: Database) throws {
        try db.execute(
            sql: """
                UPDATE persons SET user_id = ?, first_seen = ?, last_seen = ?, first_channel = ?, last_channel = ?, event_count = ?,
                    order_count = ?, revenue_minor = ?, traits = ?, trait_times = ?, created_at = ?
                WHERE id = ?
                """,
            arguments: [
                p.userId, p.firstSeen, p.lastSeen, p.firstChannel, p.lastChannel, p.eventCount, p.orderCount, p.revenueMinor,
                JSONWriter.string(p.traits), StoredJSON.traitTimesText(p.traitTimes), p.createdAt, p.id,
            ]
        )
    }

    static func profile(_ row: Row) -> PersonProfile {
        PersonProfile(
            id: row["id"],
            createdAt: row["created_at"],
            userId: row["user_id"],
            firstSeen: row["first_seen"],
            lastSeen: row["last_seen"],
            firstChannel: row["first_channel"],
            lastChannel: row["last_channel"],
            eventCount: row["event_count"],
            orderCount: row["order_count"],
            revenueMinor: row["revenue_minor"],
            traits: StoredJSON.object(row["traits"]),
            traitTimes: StoredJSON.traitTimes(row["trait_times"])
        )
    }
}

/// Planning several workspaces' batches in one transaction, shared by both stores.
enum IngestGrouping {
    /// Plans and applies each workspace's events (all its batches together, in order) with
    /// `planAndApply`, and returns one result per batch in the batches' order.
    static func ingest(_ batches: [IngestBatch], planAndApply: (Int64, [PreparedEvent]) throws -> IngestPlan) throws -> [IngestResult] {
        var results = [IngestResult?](repeating: nil, count: batches.count)
        for (workspaceId, group) in byWorkspace(batches) {
            let events = group.count == 1 ? batches[group[0]].events : group.flatMap { batches[$0].events }
            let plan = try planAndApply(workspaceId, events)
            for (index, result) in zip(group, split(plan, events: events, sizes: group.map { batches[$0].events.count })) { results[index] = result }
        }
        return results.map { $0 ?? IngestResult(outcomes: [], merges: 0, conflicts: 0) }
    }

    /// ``ingest(_:planAndApply:)`` for stores whose statements are asynchronous (PostgreSQL).
    static func ingest(
        _ batches: [IngestBatch],
        planAndApply: (Int64, [PreparedEvent]) async throws -> IngestPlan
    ) async throws -> [IngestResult] {
        var results = [IngestResult?](repeating: nil, count: batches.count)
        for (workspaceId, group) in byWorkspace(batches) {
            let events = group.count == 1 ? batches[group[0]].events : group.flatMap { batches[$0].events }
            let plan = try await planAndApply(workspaceId, events)
            for (index, result) in zip(group, split(plan, events: events, sizes: group.map { batches[$0].events.count })) { results[index] = result }
        }
        return results.map { $0 ?? IngestResult(outcomes: [], merges: 0, conflicts: 0) }
    }

    /// The identities to look up for an event: its own, and for an alias both readings of `previousId`.
    static func lookupKeys(_ event: PreparedEvent) -> [IdentityKey] { IdentityResolver.lookupKeys(event) }

    /// Batch indexes grouped by workspace, in order of first appearance.
    static func byWorkspace(_ batches: [IngestBatch]) -> [(Int64, [Int])] {
        var order: [Int64] = []
        var groups: [Int64: [Int]] = [:]
        for (index, batch) in batches.enumerated() {
            if groups[batch.workspaceId] == nil { order.append(batch.workspaceId) }
            groups[batch.workspaceId, default: []].append(index)
        }
        return order.map { ($0, groups[$0] ?? []) }
    }

    /// Splits a plan's outcomes back into one result per batch of the group.
    static func split(_ plan: IngestPlan, events: [PreparedEvent], sizes: [Int]) -> [IngestResult] {
        var mergesByMessage: [String: Int] = [:]
        for merge in plan.merges { mergesByMessage[merge.messageId, default: 0] += 1 }
        var conflictsByMessage: [String: Int] = [:]
        for conflict in plan.conflicts { conflictsByMessage[conflict.messageId, default: 0] += 1 }
        var results: [IngestResult] = []
        var start = 0
        var eventIndex = 0
        for size in sizes {
            let outcomes = Array(plan.outcomes[start..<(start + size)])
            var merges = 0
            var conflicts = 0
            for outcome in outcomes where outcome == .stored {
                let id = events[plan.events[eventIndex].index].message.messageId
                merges += mergesByMessage.removeValue(forKey: id) ?? 0
                conflicts += conflictsByMessage.removeValue(forKey: id) ?? 0
                eventIndex += 1
            }
            results.append(IngestResult(outcomes: outcomes, merges: merges, conflicts: conflicts))
            start += size
        }
        return results
    }
}
