import Foundation
import GRDB
import SiyuCore

extension SQLiteStore: MessagingRepository {
    public func createTemplate(workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate {
        try MessagingValidation.check(fields)
        let now = clock()
        let variants = try MessagingCoding.variants(fields.variants)
        return try await write { db in
            try Self.checkGroup(db, fields.groupId, workspaceId: workspaceId, channel: fields.channel)
            do {
                try db.execute(
                    sql: """
                        INSERT INTO message_templates (workspace_id, name, channel, group_id, transactional, variants, default_language, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        workspaceId, fields.name, fields.channel.rawValue, fields.groupId, fields.transactional, variants, fields.defaultLanguage,
                        now,
                        now,
                    ]
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.conflict("a template named `\(fields.name)` exists")
            }
            return try Self.template(db, id: db.lastInsertedRowID, workspaceId: workspaceId)!
        }
    }

    public func templates(workspaceId: Int64) async throws -> [MessageTemplate] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM message_templates WHERE workspace_id = ? ORDER BY id", arguments: [workspaceId]).map(
                Self.template
            )
        }
    }

    public func template(id: Int64, workspaceId: Int64) async throws -> MessageTemplate? {
        try await read { db in try Self.template(db, id: id, workspaceId: workspaceId) }
    }

    public func updateTemplate(id: Int64, workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate {
        try MessagingValidation.check(fields)
        let now = clock()
        let variants = try MessagingCoding.variants(fields.variants)
        return try await write { db in
            guard let old = try Self.template(db, id: id, workspaceId: workspaceId) else { throw StoreError.notFound("no template \(id)") }
            guard old.channel == fields.channel else {
                throw StoreError.conflict("a template's channel stays \(old.channel.rawValue); make a new template for \(fields.channel.rawValue)")
            }
            try Self.checkGroup(db, fields.groupId, workspaceId: workspaceId, channel: fields.channel)
            do {
                try db.execute(
                    sql: """
                        UPDATE message_templates SET name = ?, group_id = ?, transactional = ?, variants = ?, default_language = ?, updated_at = ?
                        WHERE id = ? AND workspace_id = ?
                        """,
                    arguments: [fields.name, fields.groupId, fields.transactional, variants, fields.defaultLanguage, now, id, workspaceId]
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.conflict("a template named `\(fields.name)` exists")
            }
            return try Self.template(db, id: id, workspaceId: workspaceId)!
        }
    }

    public func deleteTemplate(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM message_templates WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
            return db.changesCount == 1
        }
    }

    public func createSubscriptionGroup(
        workspaceId: Int64,
        name: String,
        channel: MessageChannel,
        optIn: Bool
    ) async throws
        -> SubscriptionGroup
    {
        try MessagingValidation.checkName(name, what: "subscription group")
        let now = clock()
        return try await write { db in
            do {
                try db.execute(
                    sql: "INSERT INTO subscription_groups (workspace_id, name, channel, opt_in, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [workspaceId, name, channel.rawValue, optIn, now]
                )
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw StoreError.conflict("a subscription group named `\(name)` exists")
            }
            return SubscriptionGroup(id: db.lastInsertedRowID, workspaceId: workspaceId, name: name, channel: channel, optIn: optIn, createdAt: now)
        }
    }

    public func subscriptionGroups(workspaceId: Int64) async throws -> [SubscriptionGroup] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM subscription_groups WHERE workspace_id = ? ORDER BY id", arguments: [workspaceId]).map {
                SubscriptionGroup(
                    id: $0["id"],
                    workspaceId: $0["workspace_id"],
                    name: $0["name"],
                    channel: MessageChannel(rawValue: $0["channel"]) ?? .email,
                    optIn: $0["opt_in"],
                    createdAt: $0["created_at"]
                )
            }
        }
    }

    public func deleteSubscriptionGroup(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await write { db in
            if let name = try String.fetchOne(
                db,
                sql: "SELECT name FROM message_templates WHERE group_id = ? AND workspace_id = ? LIMIT 1",
                arguments: [id, workspaceId]
            ) {
                throw StoreError.conflict("the template `\(name)` uses this group")
            }
            try db.execute(sql: "DELETE FROM subscription_groups WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId])
            guard db.changesCount == 1 else { return false }
            try db.execute(sql: "DELETE FROM subscriptions WHERE group_id = ?", arguments: [id])
            return true
        }
    }

    public func setSubscriptions(workspaceId: Int64, _ choices: [SubscriptionChoice]) async throws -> Int {
        guard !choices.isEmpty else { return 0 }
        return try await write { db in
            let groups = Set(
                try Int64.fetchAll(db, sql: "SELECT id FROM subscription_groups WHERE workspace_id = ?", arguments: [workspaceId])
            )
            if let unknown = choices.first(where: { !groups.contains($0.groupId) }) {
                throw StoreError.notFound("no subscription group \(unknown.groupId) in this workspace")
            }
            let upsert = try db.makeStatement(
                sql: """
                    INSERT INTO subscriptions (workspace_id, group_id, person_id, subscribed, source, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (group_id, person_id) DO UPDATE SET subscribed = excluded.subscribed, source = excluded.source,
                        updated_at = excluded.updated_at
                    WHERE subscriptions.subscribed <> excluded.subscribed AND subscriptions.updated_at <= excluded.updated_at
                    """
            )
            var changed = 0
            for choice in choices {
                try upsert.execute(arguments: [
                    workspaceId, choice.groupId, choice.personId, choice.subscribed, choice.source, choice.updatedAt,
                ])
                changed += db.changesCount
            }
            return changed
        }
    }

    public func subscriptions(personId: Int64, workspaceId: Int64) async throws -> [SubscriptionChoice] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM subscriptions WHERE workspace_id = ? AND person_id = ? ORDER BY group_id",
                arguments: [workspaceId, personId]
            ).map {
                SubscriptionChoice(
                    groupId: $0["group_id"],
                    personId: $0["person_id"],
                    subscribed: $0["subscribed"],
                    source: $0["source"],
                    updatedAt: $0["updated_at"]
                )
            }
        }
    }

    public func deliveredTimes(workspaceId: Int64, personId: Int64, channel: String, journeyId: Int64?, since: Int64) async throws -> [Int64] {
        try await read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT delivered_at FROM outbox
                    WHERE person_id = ? AND channel = ? AND status = 'delivered' AND delivered_at >= ? AND workspace_id = ?
                        AND (? IS NULL OR journey_id = ?)
                    ORDER BY delivered_at
                    """,
                arguments: [personId, channel, since, workspaceId, journeyId, journeyId]
            )
        }
    }

    public func saveContacts(workspaceId: Int64, _ contacts: [SealedContact]) async throws {
        guard !contacts.isEmpty else { return }
        try await write { db in
            let upsert = try db.makeStatement(
                sql: """
                    INSERT INTO contacts (workspace_id, person_id, kind, sealed, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (workspace_id, person_id, kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    """
            )
            for contact in contacts {
                try upsert.execute(arguments: [workspaceId, contact.personId, contact.kind, contact.sealed, contact.updatedAt])
            }
        }
    }

    public func contacts(personId: Int64, workspaceId: Int64) async throws -> [String: String] {
        try await read { db in
            var found: [String: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT kind, sealed FROM contacts WHERE workspace_id = ? AND person_id = ?",
                arguments: [workspaceId, personId]
            ) {
                found[row["kind"]] = row["sealed"]
            }
            return found
        }
    }

    public func enqueueOutbox(workspaceId: Int64, _ drafts: [OutboxDraft], now: Int64) async throws {
        try await write { db in try Self.insertOutbox(db, workspaceId: workspaceId, drafts, now: now) }
    }

    /// A template's group must be one of the workspace's, on the template's channel.
    static func checkGroup(_ db: Database, _ groupId: Int64?, workspaceId: Int64, channel: MessageChannel) throws {
        guard let groupId else { return }
        guard
            let groupChannel = try String.fetchOne(
                db,
                sql: "SELECT channel FROM subscription_groups WHERE id = ? AND workspace_id = ?",
                arguments: [groupId, workspaceId]
            )
        else { throw StoreError.notFound("no subscription group \(groupId) in this workspace") }
        guard groupChannel == channel.rawValue else {
            throw StoreError.invalid("subscription group \(groupId) is for \(groupChannel), the template for \(channel.rawValue)")
        }
    }

    static func template(_ db: Database, id: Int64, workspaceId: Int64) throws -> MessageTemplate? {
        try Row.fetchOne(db, sql: "SELECT * FROM message_templates WHERE id = ? AND workspace_id = ?", arguments: [id, workspaceId]).map(
            template
        )
    }

    static func template(_ row: Row) -> MessageTemplate {
        MessageTemplate(
            id: row["id"],
            workspaceId: row["workspace_id"],
            name: row["name"],
            channel: MessageChannel(rawValue: row["channel"]) ?? .email,
            groupId: row["group_id"],
            transactional: row["transactional"],
            variants: MessagingCoding.variants(row["variants"] as String),
            defaultLanguage: row["default_language"],
            createdAt: row["created_at"],
            updatedAt: row["updated_at"]
        )
    }
}

/// How both stores keep a template's variants: one JSON object by language.
enum MessagingCoding {
    static func variants(_ variants: [String: MessageVariant]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(variants), as: UTF8.self)
    }

    static func variants(_ text: String) -> [String: MessageVariant] {
        (try? JSONDecoder().decode([String: MessageVariant].self, from: Data(text.utf8))) ?? [:]
    }
}
