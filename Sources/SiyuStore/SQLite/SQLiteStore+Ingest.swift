import GRDB
import SiyuCore

extension SQLiteStore {
    /// Resolves identities and appends every batch in one IMMEDIATE transaction: one fsync for
    /// all of them (group commit).
    public func ingest(_ batches: [IngestBatch]) async throws -> [IngestResult] {
        guard !batches.isEmpty else { return [] }
        return try await write { db in
            var results: [IngestResult] = []
            results.reserveCapacity(batches.count)
            for (workspaceId, group) in IngestGrouping.byWorkspace(batches) {
                let events = group.flatMap { batches[$0].events }
                let snapshot = try Self.snapshot(db, workspaceId: workspaceId, events: events)
                let plan = IdentityResolver.plan(events, snapshot: snapshot)
                try Self.apply(plan, workspaceId: workspaceId, db: db)
                results.append(contentsOf: IngestGrouping.split(plan, sizes: group.map { batches[$0].events.count }))
            }
            return IngestGrouping.reorder(results, groups: IngestGrouping.byWorkspace(batches))
        }
    }

    /// Reads what the resolver needs to know about the identities and message ids of `events`.
    static func snapshot(_ db: Database, workspaceId: Int64, events: [PreparedEvent]) throws -> IdentitySnapshot {
        var snapshot = IdentitySnapshot()
        let messageStatement = try db.cachedStatement(sql: "SELECT 1 FROM events WHERE workspace_id = ? AND message_id = ?")
        let identityStatement = try db.cachedStatement(sql: "SELECT person_id FROM identities WHERE workspace_id = ? AND kind = ? AND value = ?")
        let canonicalStatement = try db.cachedStatement(sql: "SELECT canonical_id FROM persons WHERE id = ?")
        var lookedUp: Set<IdentityKey> = []
        for event in events {
            let message = event.message
            if try Bool.fetchOne(messageStatement, arguments: [workspaceId, message.messageId]) != nil {
                snapshot.existingMessageIds.insert(message.messageId)
            }
            var keys = event.identities
            if message.type == .alias, let previous = message.previousId {
                keys.append(IdentityKey(IdentityKey.userId, previous))
                keys.append(IdentityKey(IdentityKey.anonymousId, previous))
            }
            for key in keys where lookedUp.insert(key).inserted {
                guard let person = try Int64.fetchOne(identityStatement, arguments: [workspaceId, key.kind, key.value]) else { continue }
                snapshot.identities[key] = person
                if snapshot.canonical[person] == nil {
                    snapshot.canonical[person] = try Int64.fetchOne(canonicalStatement, arguments: [person]) ?? person
                }
            }
        }
        let profileStatement = try db.cachedStatement(sql: "SELECT * FROM persons WHERE id = ?")
        for canonical in Set(snapshot.canonical.values) {
            if let row = try Row.fetchOne(profileStatement, arguments: [canonical]) {
                snapshot.profiles[canonical] = profile(row)
            }
        }
        snapshot.nextPersonId = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM persons") ?? 0) + 1
        return snapshot
    }

    /// Writes a plan: new people, identities, merges (in order), profiles, events, conflicts.
    static func apply(_ plan: IngestPlan, workspaceId: Int64, db: Database) throws {
        let profiles = Dictionary(plan.profiles.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        let newPersons = Set(plan.newPersons)
        let insertPerson = try db.cachedStatement(
            sql: """
                INSERT INTO persons (id, workspace_id, canonical_id, created_at, user_id, first_seen, last_seen, first_channel, last_channel,
                    event_count, order_count, revenue_minor, traits, trait_times)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for id in plan.newPersons {
            let p = profiles[id] ?? PersonProfile(id: id, createdAt: 0)
            try insertPerson.execute(arguments: [
                id, workspaceId, id, p.createdAt, p.userId, p.firstSeen, p.lastSeen, p.firstChannel, p.lastChannel, p.eventCount, p.orderCount,
                p.revenueMinor, JSONWriter.string(p.traits), StoredJSON.traitTimesText(p.traitTimes),
            ])
        }
        let insertIdentity = try db.cachedStatement(
            sql: "INSERT INTO identities (workspace_id, kind, value, person_id, created_at) VALUES (?, ?, ?, ?, ?)")
        let identityTime = plan.events.first?.event.message.receivedAt ?? 0
        for (key, person) in plan.newIdentities {
            try insertIdentity.execute(arguments: [workspaceId, key.kind, key.value, person, identityTime])
        }
        for merge in plan.merges {
            try db.execute(
                sql: "UPDATE persons SET canonical_id = ? WHERE workspace_id = ? AND canonical_id = ?",
                arguments: [merge.survivor, workspaceId, merge.loser])
            try db.execute(sql: "UPDATE persons SET merged_into = ? WHERE id = ?", arguments: [merge.survivor, merge.loser])
            try db.execute(
                sql: "INSERT OR IGNORE INTO person_tags (workspace_id, person_id, tag, created_at) SELECT workspace_id, ?, tag, created_at FROM person_tags WHERE person_id = ?",
                arguments: [merge.survivor, merge.loser])
            try db.execute(
                sql: """
                    INSERT INTO merges (workspace_id, survivor_id, loser_id, at, message_id, reason, identity_kind, identity_value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [workspaceId, merge.survivor, merge.loser, merge.at, merge.messageId, merge.reason, merge.identity.kind, merge.identity.value])
        }
        let updatePerson = try db.cachedStatement(
            sql: """
                UPDATE persons SET user_id = ?, first_seen = ?, last_seen = ?, first_channel = ?, last_channel = ?, event_count = ?,
                    order_count = ?, revenue_minor = ?, traits = ?, trait_times = ?, created_at = ?
                WHERE id = ?
                """)
        for p in plan.profiles where !newPersons.contains(p.id) {
            try updatePerson.execute(arguments: [
                p.userId, p.firstSeen, p.lastSeen, p.firstChannel, p.lastChannel, p.eventCount, p.orderCount, p.revenueMinor,
                JSONWriter.string(p.traits), StoredJSON.traitTimesText(p.traitTimes), p.createdAt, p.id,
            ])
        }
        let insertEvent = try db.cachedStatement(
            sql: """
                INSERT INTO events (workspace_id, message_id, type, event, person_id, user_id, anonymous_id, timestamp, received_at,
                    original_timestamp, sent_at, channel, revenue_minor, currency, flags, properties, traits, context, extra)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (event, person) in plan.events {
            let row = EventRow(event, personId: person)
            try insertEvent.execute(arguments: [
                workspaceId, row.messageId, row.type, row.event, row.personId, row.userId, row.anonymousId, row.timestamp, row.receivedAt,
                row.originalTimestamp, row.sentAt, row.channel, row.revenueMinor, row.currency, row.flags, row.properties, row.traits,
                row.context, row.extra,
            ])
        }
        for conflict in plan.conflicts {
            try db.execute(
                sql: """
                    INSERT INTO merge_conflicts (workspace_id, kept_person_id, other_person_id, identity_kind, identity_value, message_id, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    workspaceId, conflict.keptPerson, conflict.otherPerson, conflict.identity.kind, conflict.identity.value, conflict.messageId,
                    conflict.at,
                ])
        }
    }

    static func profile(_ row: Row) -> PersonProfile {
        PersonProfile(
            id: row["id"], createdAt: row["created_at"], userId: row["user_id"], firstSeen: row["first_seen"], lastSeen: row["last_seen"],
            firstChannel: row["first_channel"], lastChannel: row["last_channel"], eventCount: row["event_count"], orderCount: row["order_count"],
            revenueMinor: row["revenue_minor"], traits: StoredJSON.object(row["traits"]), traitTimes: StoredJSON.traitTimes(row["trait_times"]))
    }
}

/// Helpers for planning several workspaces' batches in one transaction.
enum IngestGrouping {
    /// Batch indexes grouped by workspace, in order of first appearance.
    static func byWorkspace(_ batches: [IngestBatch]) -> [(Int64, [Int])] {
        var order: [Int64] = []
        var groups: [Int64: [Int]] = [:]
        for (index, batch) in batches.enumerated() {
            if groups[batch.workspaceId] == nil { order.append(batch.workspaceId) }
            groups[batch.workspaceId, default: []].append(index)
        }
        return order.map { ($0, groups[$0]!) }
    }

    /// Splits a plan's outcomes back into one result per batch of the group.
    static func split(_ plan: IngestPlan, sizes: [Int]) -> [IngestResult] {
        var results: [IngestResult] = []
        var start = 0
        var mergeIds = Set(plan.merges.map(\.messageId))
        var conflictIds = Set(plan.conflicts.map(\.messageId))
        var eventIndex = 0
        for size in sizes {
            let outcomes = Array(plan.outcomes[start..<(start + size)])
            var merges = 0
            var conflicts = 0
            for outcome in outcomes where outcome == .stored {
                let id = plan.events[eventIndex].event.message.messageId
                if mergeIds.remove(id) != nil { merges += plan.merges.filter { $0.messageId == id }.count }
                if conflictIds.remove(id) != nil { conflicts += plan.conflicts.filter { $0.messageId == id }.count }
                eventIndex += 1
            }
            results.append(IngestResult(outcomes: outcomes, merges: merges, conflicts: conflicts))
            start += size
        }
        return results
    }

    /// Puts results computed group by group back into the order of the batches.
    static func reorder(_ results: [IngestResult], groups: [(Int64, [Int])]) -> [IngestResult] {
        var ordered = [IngestResult?](repeating: nil, count: results.count)
        var position = 0
        for (_, indexes) in groups {
            for index in indexes {
                ordered[index] = results[position]
                position += 1
            }
        }
        return ordered.map { $0! }
    }
}
