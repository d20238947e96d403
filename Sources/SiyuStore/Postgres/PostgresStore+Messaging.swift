import PostgresNIO
import SiyuCore

extension PostgresStore: MessagingRepository {
    static let templateColumns = "id, workspace_id, name, channel, group_id, transactional, variants, default_language, created_at, updated_at"

    public func createTemplate(workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate {
        try MessagingValidation.check(fields)
        let now = clock()
        let variants = try MessagingCoding.variants(fields.variants)
        return try await transaction { connection in
            try await checkGroup(connection, fields.groupId, workspaceId: workspaceId, channel: fields.channel)
            let rows = try await connection.rows(
                """
                INSERT INTO message_templates (workspace_id, name, channel, group_id, transactional, variants, default_language, created_at, updated_at)
                VALUES (\(workspaceId), \(fields.name), \(fields.channel.rawValue), \(fields.groupId), \(fields.transactional), \(variants),
                    \(fields.defaultLanguage), \(now), \(now))
                ON CONFLICT (workspace_id, name) DO NOTHING
                RETURNING \(unescaped: Self.templateColumns)
                """,
                logger: logger
            )
            guard let row = rows.first else { throw StoreError.conflict("a template named `\(fields.name)` exists") }
            return try Self.template(row)
        }
    }

    public func templates(workspaceId: Int64) async throws -> [MessageTemplate] {
        try await read { connection in
            try await connection.rows(
                "SELECT \(unescaped: Self.templateColumns) FROM message_templates WHERE workspace_id = \(workspaceId) ORDER BY id",
                logger: logger
            ).map(Self.template)
        }
    }

    public func template(id: Int64, workspaceId: Int64) async throws -> MessageTemplate? {
        try await read { connection in try await template(connection, id: id, workspaceId: workspaceId) }
    }

    public func updateTemplate(id: Int64, workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate {
        try MessagingValidation.check(fields)
        let now = clock()
        let variants = try MessagingCoding.variants(fields.variants)
        return try await transaction { connection in
            guard let old = try await template(connection, id: id, workspaceId: workspaceId, lock: true) else {
                throw StoreError.notFound("no template \(id)")
            }
            guard old.channel == fields.channel else {
                throw StoreError.conflict("a template's channel stays \(old.channel.rawValue); make a new template for \(fields.channel.rawValue)")
            }
            try await checkGroup(connection, fields.groupId, workspaceId: workspaceId, channel: fields.channel)
            let taken = try await connection.value(
                Int64.self,
                "SELECT id FROM message_templates WHERE workspace_id = \(workspaceId) AND name = \(fields.name) AND id <> \(id)",
                logger: logger
            )
            if taken != nil { throw StoreError.conflict("a template named `\(fields.name)` exists") }
            let rows = try await connection.rows(
                """
                UPDATE message_templates SET name = \(fields.name), group_id = \(fields.groupId), transactional = \(fields.transactional),
                    variants = \(variants), default_language = \(fields.defaultLanguage), updated_at = \(now)
                WHERE id = \(id) AND workspace_id = \(workspaceId)
                RETURNING \(unescaped: Self.templateColumns)
                """,
                logger: logger
            )
            return try Self.template(rows[0])
        }
    }

    public func deleteTemplate(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await transaction { connection in
            try await !connection.rows(
                "DELETE FROM message_templates WHERE id = \(id) AND workspace_id = \(workspaceId) RETURNING id",
                logger: logger
            ).isEmpty
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
        return try await transaction { connection in
            let rows = try await connection.rows(
                """
                INSERT INTO subscription_groups (workspace_id, name, channel, opt_in, created_at)
                VALUES (\(workspaceId), \(name), \(channel.rawValue), \(optIn), \(now))
                ON CONFLICT (workspace_id, name) DO NOTHING RETURNING id
                """,
                logger: logger
            )
            guard let row = rows.first else { throw StoreError.conflict("a subscription group named `\(name)` exists") }
            return SubscriptionGroup(
                id: try row.decode(Int64.self),
                workspaceId: workspaceId,
                name: name,
                channel: channel,
                optIn: optIn,
                createdAt: now
            )
        }
    }

    public func subscriptionGroups(workspaceId: Int64) async throws -> [SubscriptionGroup] {
        try await read { connection in
            try await connection.rows(
                "SELECT id, name, channel, opt_in, created_at FROM subscription_groups WHERE workspace_id = \(workspaceId) ORDER BY id",
                logger: logger
            ).map { row in
                let (id, name, channel, optIn, createdAt) = try row.decode((Int64, String, String, Bool, Int64).self)
                return SubscriptionGroup(
                    id: id,
                    workspaceId: workspaceId,
                    name: name,
                    channel: MessageChannel(rawValue: channel) ?? .email,
                    optIn: optIn,
                    createdAt: createdAt
                )
            }
        }
    }

    public func deleteSubscriptionGroup(id: Int64, workspaceId: Int64) async throws -> Bool {
        try await transaction { connection in
            if let name = try await connection.value(
                String.self,
                "SELECT name FROM message_templates WHERE group_id = \(id) AND workspace_id = \(workspaceId) LIMIT 1",
                logger: logger
            ) {
                throw StoreError.conflict("the template `\(name)` uses this group")
            }
            let deleted = try await connection.rows(
                "DELETE FROM subscription_groups WHERE id = \(id) AND workspace_id = \(workspaceId) RETURNING id",
                logger: logger
            )
            guard !deleted.isEmpty else { return false }
            try await connection.run("DELETE FROM subscriptions WHERE group_id = \(id)", logger: logger)
            return true
        }
    }

    public func setSubscriptions(workspaceId: Int64, _ choices: [SubscriptionChoice]) async throws -> Int {
        guard !choices.isEmpty else { return 0 }
        return try await transaction { connection in
            let groups = Set(
                try await connection.rows("SELECT id FROM subscription_groups WHERE workspace_id = \(workspaceId)", logger: logger).map {
                    try $0.decode(Int64.self)
                }
            )
            if let unknown = choices.first(where: { !groups.contains($0.groupId) }) {
                throw StoreError.notFound("no subscription group \(unknown.groupId) in this workspace")
            }
            var changed = 0
            for choice in choices {
                let rows = try await connection.rows(
                    """
                    INSERT INTO subscriptions (workspace_id, group_id, person_id, subscribed, source, updated_at)
                    VALUES (\(workspaceId), \(choice.groupId), \(choice.personId), \(choice.subscribed), \(choice.source), \(choice.updatedAt))
                    ON CONFLICT (group_id, person_id) DO UPDATE SET subscribed = excluded.subscribed, source = excluded.source,
                        updated_at = excluded.updated_at
                    WHERE subscriptions.subscribed <> excluded.subscribed AND subscriptions.updated_at <= excluded.updated_at
                    RETURNING 1
                    """,
                    logger: logger
                )
                changed += rows.count
            }
            return changed
        }
    }

    public func subscriptions(personId: Int64, workspaceId: Int64) async throws -> [SubscriptionChoice] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT group_id, subscribed, source, updated_at FROM subscriptions
                WHERE workspace_id = \(workspaceId) AND person_id = \(personId) ORDER BY group_id
                """,
                logger: logger
            ).map { row in
                let (group, subscribed, source, updatedAt) = try row.decode((Int64, Bool, String, Int64).self)
                return SubscriptionChoice(groupId: group, personId: personId, subscribed: subscribed, source: source, updatedAt: updatedAt)
            }
        }
    }

    public func deliveredTimes(workspaceId: Int64, personId: Int64, channel: String, journeyId: Int64?, since: Int64) async throws -> [Int64] {
        try await read { connection in
            try await connection.rows(
                """
                SELECT delivered_at FROM outbox
                WHERE person_id = \(personId) AND channel = \(channel) AND status = 'delivered' AND delivered_at >= \(since)
                    AND workspace_id = \(workspaceId) AND (\(journeyId)::bigint IS NULL OR journey_id = \(journeyId))
                ORDER BY delivered_at
                """,
                logger: logger
            ).map { try $0.decode(Int64.self) }
        }
    }

    public func saveContacts(workspaceId: Int64, _ contacts: [SealedContact]) async throws {
        guard !contacts.isEmpty else { return }
        try await transaction { connection in
            for contact in contacts {
                try await connection.run(
                    """
                    INSERT INTO contacts (workspace_id, person_id, kind, sealed, updated_at)
                    VALUES (\(workspaceId), \(contact.personId), \(contact.kind), \(contact.sealed), \(contact.updatedAt))
                    ON CONFLICT (workspace_id, person_id, kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                    """,
                    logger: logger
                )
            }
        }
    }

    public func contacts(personId: Int64, workspaceId: Int64) async throws -> [String: String] {
        try await read { connection in
            var found: [String: String] = [:]
            for row in try await connection.rows(
                "SELECT kind, sealed FROM contacts WHERE workspace_id = \(workspaceId) AND person_id = \(personId)",
                logger: logger
            ) {
                let (kind, sealed) = try row.decode((String, String).self)
                found[kind] = sealed
            }
            return found
        }
    }

    public func enqueueOutbox(workspaceId: Int64, _ drafts: [OutboxDraft], now: Int64) async throws {
        try await transaction { connection in try await insertOutbox(connection, workspaceId: workspaceId, drafts, now: now) }
    }

    /// A template's group must be one of the workspace's, on the template's channel.
    func checkGroup(_ connection: PostgresConnection, _ groupId: Int64?, workspaceId: Int64, channel: MessageChannel) async throws {
        guard let groupId else { return }
        guard
            let groupChannel = try await connection.value(
                String.self,
                "SELECT channel FROM subscription_groups WHERE id = \(groupId) AND workspace_id = \(workspaceId)",
                logger: logger
            )
        else { throw StoreError.notFound("no subscription group \(groupId) in this workspace") }
        guard groupChannel == channel.rawValue else {
            throw StoreError.invalid("subscription group \(groupId) is for \(groupChannel), the template for \(channel.rawValue)")
        }
    }

    func template(_ connection: PostgresConnection, id: Int64, workspaceId: Int64, lock: Bool = false) async throws -> MessageTemplate? {
        try await connection.rows(
            """
            SELECT \(unescaped: Self.templateColumns) FROM message_templates WHERE id = \(id) AND workspace_id = \(workspaceId)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """,
            logger: logger
        ).first.map(Self.template)
    }

    static func template(_ row: PostgresRow) throws -> MessageTemplate {
        let (id, workspaceId, name, channel, groupId, transactional, variants, language, createdAt, updatedAt) = try row.decode(
            (Int64, Int64, String, String, Int64?, Bool, String, String, Int64, Int64).self
        )
        return MessageTemplate(
            id: id,
            workspaceId: workspaceId,
            name: name,
            channel: MessageChannel(rawValue: channel) ?? .email,
            groupId: groupId,
            transactional: transactional,
            variants: MessagingCoding.variants(variants),
            defaultLanguage: language,
            createdAt: createdAt,
            updatedAt: updatedAt
        )
    }
}
