import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// People: search, profile with identities and tags, timeline, tags, erasure, merges (with undo),
/// refused merges and the suppression list of erased people.
extension AdminAPI {
    /// `GET /api/v1/people?trait.city=上海&identity=email:a@b.com&channel=douyin&tag=vip&q=text&limit=50&cursor=…`
    func searchPeople(_ input: Operations.SearchPeople.Input) async throws -> Operations.SearchPeople.Output {
        let workspace = try workspace
        var query = PeopleQuery()
        // The typed query cannot hold `trait.NAME`, so the parameters are read as sent; an unknown one is refused.
        for (key, value) in queryParameters {
            let key = String(key)
            let value = String(value)
            if key.hasPrefix("trait.") {
                query.traits[String(key.dropFirst(6))] = value
                continue
            }
            switch key {
            case "identity":
                guard let colon = value.firstIndex(of: ":") else {
                    throw APIError.badRequest("identity must be kind:value, e.g. email:someone@example.com", field: "identity")
                }
                query.identity = IdentityKey(String(value[..<colon]), String(value[value.index(after: colon)...]))
            case "channel": query.channel = value
            case "tag": query.tag = value
            case "q": query.text = value
            case "cursor": query.cursor = value
            case "limit": query.limit = try Self.limit(input.query.limit)
            default: throw APIError.badRequest("unknown parameter `\(key)`", field: key)
            }
        }
        let page = try await people.searchPeople(workspaceId: workspace.id, query: query)
        let people = page.items.map { Components.Schemas.PersonProfile($0, currency: workspace.currency) }
        return .ok(.init(body: .json(.init(people: people, nextCursor: page.nextCursor))))
    }

    /// `GET /api/v1/people/{id}`: profile, identities, tags, merges (a merged-away id shows the survivor).
    func getPerson(_ input: Operations.GetPerson.Input) async throws -> Operations.GetPerson.Output {
        let workspace = try workspace
        let id = input.path.id
        let profile = try await person(id)
        let identities = try await people.identities(personId: profile.id, workspaceId: workspace.id)
        let tags = try await people.tags(personId: profile.id, workspaceId: workspace.id)
        let merges = try await people.merges(workspaceId: workspace.id, personId: profile.id, limit: 100)
        let summary = Components.Schemas.PersonProfile(profile, currency: workspace.currency)
        return .ok(
            .init(
                body: .json(
                    .init(
                        id: summary.id,
                        userId: summary.userId,
                        createdAt: summary.createdAt,
                        firstSeen: summary.firstSeen,
                        lastSeen: summary.lastSeen,
                        firstChannel: summary.firstChannel,
                        lastChannel: summary.lastChannel,
                        eventCount: summary.eventCount,
                        orderCount: summary.orderCount,
                        revenue: summary.revenue,
                        traits: .init(additionalProperties: summary.traits.additionalProperties),
                        identities: identities.map(Components.Schemas.PersonIdentity.init),
                        tags: tags,
                        merges: try merges.map(Components.Schemas.MergeEntry.init),
                        requestedId: profile.id != id ? id : nil
                    )
                )
            )
        )
    }

    /// `GET /api/v1/people/{id}/events?limit=50&cursor=…`: newest first.
    func getPersonEvents(_ input: Operations.GetPersonEvents.Input) async throws -> Operations.GetPersonEvents.Output {
        let workspace = try workspace
        let id = input.path.id
        _ = try await person(id)
        let limit = try input.query.limit.map(Self.limit) ?? 50
        let page = try await people.timeline(personId: id, workspaceId: workspace.id, limit: limit, cursor: input.query.cursor)
        return .ok(.init(body: .json(.init(events: try page.items.map(Components.Schemas.PersonEvent.init), nextCursor: page.nextCursor))))
    }

    /// `POST /api/v1/people/{id}/tags` with `{"add": [...], "remove": [...]}`.
    func editPersonTags(_ input: Operations.EditPersonTags.Input) async throws -> Operations.EditPersonTags.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("send {\"add\": [...], \"remove\": [...]}") }
        let tags = try await people.setTags(personId: input.path.id, workspaceId: workspace.id, add: body.add ?? [], remove: body.remove ?? [])
        return .ok(.init(body: .json(.init(tags: tags))))
    }

    func addPersonTag(_ input: Operations.AddPersonTag.Input) async throws -> Operations.AddPersonTag.Output {
        let tags = try await people.setTags(personId: input.path.id, workspaceId: try workspace.id, add: [input.path.tag], remove: [])
        return .ok(.init(body: .json(.init(tags: tags))))
    }

    func removePersonTag(_ input: Operations.RemovePersonTag.Input) async throws -> Operations.RemovePersonTag.Output {
        let tags = try await people.setTags(personId: input.path.id, workspaceId: try workspace.id, add: [], remove: [input.path.tag])
        return .ok(.init(body: .json(.init(tags: tags))))
    }

    /// `DELETE /api/v1/people/{id}`: erases the person, everyone merged into them, their identities and every event.
    func erasePerson(_ input: Operations.ErasePerson.Input) async throws -> Operations.ErasePerson.Output {
        let summary = try await people.erasePerson(id: input.path.id, workspaceId: try workspace.id)
        return .ok(.init(body: .json(.init(erased: .init(people: summary.people, identities: summary.identities, events: summary.events)))))
    }

    /// `GET /api/v1/suppressions`: how many message ids and identities of erased people are kept
    /// out (hashes only; the list cannot be read back).
    func getSuppressions(_ input: Operations.GetSuppressions.Input) async throws -> Operations.GetSuppressions.Output {
        let counts = try await people.suppressionCounts(workspaceId: try workspace.id)
        let identities = counts.filter { $0.key != Suppression.messageKind }
        return .ok(
            .init(
                body: .json(
                    .init(messageIds: counts[Suppression.messageKind] ?? 0, identities: .init(additionalProperties: identities))
                )
            )
        )
    }

    /// `DELETE /api/v1/suppressions?identity=user_id:u-1001` (or `phone:13800138000`,
    /// `email:a@b.cn`): the person may be tracked again (after they signed up anew, say).
    func deleteSuppression(_ input: Operations.DeleteSuppression.Input) async throws -> Operations.DeleteSuppression.Output {
        let workspace = try workspace
        let text = input.query.identity
        guard let colon = text.firstIndex(of: ":") else {
            throw APIError.badRequest("identity must be kind:value, e.g. user_id:u-1001 or phone:13800138000", field: "identity")
        }
        let kind = String(text[..<colon])
        let raw = String(text[text.index(after: colon)...])
        guard let key = Secrets.extractor(for: workspace).identity(kind: kind, raw: raw) else {
            throw APIError.badRequest("`\(raw)` is not a valid \(kind)", field: "identity")
        }
        let lifted = try await people.liftSuppression(identity: key, workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(lifted: lifted))))
    }

    func listMerges(_ input: Operations.ListMerges.Input) async throws -> Operations.ListMerges.Output {
        let entries = try await people.merges(workspaceId: try workspace.id, personId: input.query.person, limit: 200)
        return .ok(.init(body: .json(.init(merges: try entries.map(Components.Schemas.MergeEntry.init)))))
    }

    /// `POST /api/v1/merges/{id}/undo`: splits the merged person back out.
    func undoMerge(_ input: Operations.UndoMerge.Input) async throws -> Operations.UndoMerge.Output {
        let entry = try await people.undoMerge(id: input.path.id, workspaceId: try workspace.id, at: clock())
        return .ok(.init(body: .json(.init(merge: try .init(entry)))))
    }

    func listConflicts(_ input: Operations.ListConflicts.Input) async throws -> Operations.ListConflicts.Output {
        let entries = try await people.conflicts(workspaceId: try workspace.id, limit: 200)
        return .ok(.init(body: .json(.init(conflicts: entries.map(Components.Schemas.MergeConflict.init)))))
    }

    /// A page size: 1 to 1,000.
    static func limit(_ value: Int?) throws -> Int {
        guard let value, (1...1000).contains(value) else { throw APIError.badRequest("limit must be 1–1000", field: "limit") }
        return value
    }
}

extension Components.Schemas.PersonProfile {
    init(_ profile: PersonProfile, currency: String) {
        self.init(
            id: profile.id,
            userId: profile.userId,
            createdAt: Timestamp.iso8601(profile.createdAt),
            firstSeen: profile.firstSeen.map(Timestamp.iso8601),
            lastSeen: profile.lastSeen.map(Timestamp.iso8601),
            firstChannel: profile.firstChannel,
            lastChannel: profile.lastChannel,
            eventCount: profile.eventCount,
            orderCount: profile.orderCount,
            revenue: .init(Money(minorUnits: profile.revenueMinor, currency: currency)),
            traits: .init(additionalProperties: .init(profile.traits))
        )
    }
}

extension Components.Schemas.PersonMoney {
    init(_ money: Money) {
        self.init(amount: money.decimalText, minorUnits: money.minorUnits, currency: money.currency)
    }
}

extension Components.Schemas.PersonIdentity {
    init(_ record: IdentityRecord) {
        self.init(
            kind: record.kind,
            value: record.value,
            personId: record.personId,
            hashed: IdentityKey.hashedKinds.contains(record.kind) ? true : nil,
            createdAt: Timestamp.iso8601(record.createdAt)
        )
    }
}

extension Components.Schemas.MergeEntry {
    init(_ entry: MergeLogEntry) throws {
        guard let reason = ReasonPayload(rawValue: entry.record.reason) else {
            throw APIError(.internalServerError, code: "internal_error", message: "merge \(entry.id) has the unknown reason \(entry.record.reason)")
        }
        self.init(
            id: entry.id,
            survivor: entry.record.survivor,
            loser: entry.record.loser,
            at: Timestamp.iso8601(entry.record.at),
            messageId: entry.record.messageId,
            reason: reason,
            identity: .init(kind: entry.record.identity.kind, value: entry.record.identity.value),
            undoneAt: entry.undoneAt.map(Timestamp.iso8601)
        )
    }
}

extension Components.Schemas.MergeConflict {
    init(_ entry: ConflictLogEntry) {
        self.init(
            id: entry.id,
            keptPerson: entry.conflict.keptPerson,
            otherPerson: entry.conflict.otherPerson,
            identity: .init(kind: entry.conflict.identity.kind, value: entry.conflict.identity.value),
            messageId: entry.conflict.messageId,
            at: Timestamp.iso8601(entry.conflict.at),
            occurrences: entry.occurrences,
            lastAt: Timestamp.iso8601(entry.lastAt)
        )
    }
}

extension Components.Schemas.PersonEvent {
    init(_ event: StoredEvent) throws {
        let message = event.message
        guard let type = _TypePayload(rawValue: message.type.rawValue) else {
            throw APIError(.internalServerError, code: "internal_error", message: "event \(event.seq) has the unknown type \(message.type.rawValue)")
        }
        let flags = message.flags.names.compactMap(FlagsPayloadPayload.init(rawValue:))
        self.init(
            seq: event.seq,
            messageId: message.messageId,
            _type: type,
            event: message.event,
            personId: event.personId,
            originPersonId: event.originPersonId != event.personId ? event.originPersonId : nil,
            userId: message.userId,
            anonymousId: message.anonymousId,
            channel: event.channel,
            timestamp: Timestamp.iso8601(message.timestamp),
            receivedAt: Timestamp.iso8601(message.receivedAt),
            originalTimestamp: message.originalTimestamp.map(Timestamp.iso8601),
            sentAt: message.sentAt.map(Timestamp.iso8601),
            revenue: event.revenueMinor.flatMap { minor in event.currency.map { .init(Money(minorUnits: minor, currency: $0)) } },
            properties: .init(additionalProperties: .init(message.properties)),
            traits: message.traits.isEmpty ? nil : .init(additionalProperties: .init(message.traits)),
            context: .init(additionalProperties: .init(message.context)),
            integrations: message.integrations.isEmpty ? nil : .init(additionalProperties: .init(message.integrations)),
            groupId: message.groupId,
            previousId: message.previousId,
            flags: flags.isEmpty ? nil : flags
        )
    }
}

extension AdminAPI {
    /// A person of the request's workspace (a merged-away id gives the survivor), else a 404.
    func person(_ id: Int64) async throws -> PersonProfile {
        guard let person = try await people.person(id: id, workspaceId: try workspace.id) else {
            throw APIError.notFound("no person \(id) in this workspace")
        }
        return person
    }
}
