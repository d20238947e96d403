import PostgresNIO
import SiyuCore

/// Column lists and row decoders shared by the PostgreSQL store's queries.
///
/// JSON columns are selected as `::text` and parsed by Siyu's own `JSONParser` (``StoredJSON``),
/// exactly as the SQLite store reads its text columns.
extension PostgresStore {
    /// Columns of `workspaces`, in the order ``workspace(_:)`` decodes them.
    static let workspaceColumns = "w.id, w.name, w.time_zone, w.currency, w.salt, w.created_at"

    /// A workspace from a row of ``workspaceColumns``.
    static func workspace(_ row: PostgresRow) throws -> Workspace {
        let (id, name, timeZone, currency, salt, createdAt) = try row.decode((Int64, String, String, String, String, Int64).self)
        return Workspace(id: id, name: name, timeZone: timeZone, currency: currency, salt: salt, createdAt: createdAt)
    }

    /// Columns of `persons` (as `p`), in the order ``profile(_:)`` decodes them.
    static let profileColumns = """
        p.id, p.created_at, p.user_id, p.first_seen, p.last_seen, p.first_channel, p.last_channel, p.event_count, p.order_count,
        p.revenue_minor, p.traits::text, p.trait_times::text
        """

    /// A profile from a row of ``profileColumns``, its JSON columns parsed.
    static func profile(_ row: PostgresRow) throws -> PersonProfile {
        let (id, createdAt, userId, firstSeen, lastSeen, firstChannel, lastChannel, eventCount, orderCount, revenueMinor, traits, traitTimes) =
            try row.decode((Int64, Int64, String?, Int64?, Int64?, String?, String?, Int64, Int64, Int64, String, String).self)
        return PersonProfile(
            id: id,
            createdAt: createdAt,
            userId: userId,
            firstSeen: firstSeen,
            lastSeen: lastSeen,
            firstChannel: firstChannel,
            lastChannel: lastChannel,
            eventCount: eventCount,
            orderCount: orderCount,
            revenueMinor: revenueMinor,
            traits: StoredJSON.object(traits),
            traitTimes: StoredJSON.traitTimes(traitTimes)
        )
    }

    /// Columns of `events` (as `e`) joined with their person (as `p`), in the order ``storedEvent(_:)`` decodes them.
    static let eventColumns = """
        e.id, e.message_id, e.type, e.event, e.person_id, e.user_id, e.anonymous_id, e.timestamp, e.received_at, e.original_timestamp,
        e.sent_at, e.channel, e.revenue_minor, e.currency, e.flags, e.properties::text, e.traits::text, e.context::text, e.extra::text,
        p.canonical_id
        """

    /// An event from a row of ``eventColumns`` (20 columns: decoded in two parts).
    static func storedEvent(_ row: PostgresRow) throws -> StoredEvent {
        let (seq, messageId, type, event, personId, userId, anonymousId, timestamp, receivedAt, originalTimestamp) =
            try row.decode((Int64, String, Int64, String?, Int64, String?, String?, Int64, Int64, Int64?).self)
        let columns = row.makeRandomAccess()
        let sentAt = try columns[10].decode(Int64?.self)
        let channel = try columns[11].decode(String.self)
        let revenueMinor = try columns[12].decode(Int64?.self)
        let currency = try columns[13].decode(String?.self)
        let flags = try columns[14].decode(Int64.self)
        let properties = try columns[15].decode(String.self)
        let traits = try columns[16].decode(String?.self)
        let context = try columns[17].decode(String.self)
        let extra = try columns[18].decode(String?.self)
        let canonical = try columns[19].decode(Int64.self)
        return EventRow(
            messageId: messageId,
            type: Int(type),
            event: event,
            personId: personId,
            userId: userId,
            anonymousId: anonymousId,
            timestamp: timestamp,
            receivedAt: receivedAt,
            originalTimestamp: originalTimestamp,
            sentAt: sentAt,
            channel: channel,
            revenueMinor: revenueMinor,
            currency: currency,
            flags: Int(flags),
            properties: properties,
            traits: traits,
            context: context,
            extra: extra
        ).storedEvent(seq: seq, canonicalPersonId: canonical)
    }

    /// Columns of `merges`, in the order ``mergeEntry(_:)`` decodes them.
    static let mergeColumns = "id, survivor_id, loser_id, at, message_id, reason, identity_kind, identity_value, undone_at"

    /// A merge log entry from a row of ``mergeColumns``.
    static func mergeEntry(_ row: PostgresRow) throws -> MergeLogEntry {
        let (id, survivor, loser, at, messageId, reason, kind, value, undoneAt) =
            try row.decode((Int64, Int64, Int64, Int64, String, String, String, String, Int64?).self)
        return MergeLogEntry(
            id: id,
            record: MergeRecord(survivor: survivor, loser: loser, at: at, messageId: messageId, reason: reason, identity: IdentityKey(kind, value)),
            undoneAt: undoneAt
        )
    }
}
