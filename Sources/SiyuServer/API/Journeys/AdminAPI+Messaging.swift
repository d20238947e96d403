import Foundation
import OpenAPIRuntime
import SiyuAPI
import SiyuCore
import SiyuMessaging
import SiyuStore

/// Messaging: templates (with a preview on a real person and a test send), subscription groups and
/// people's choices, and the channels, quiet hours and caps of the workspace.
extension AdminAPI {
    typealias TemplateAnswer = Components.Schemas.MessageTemplate

    func listTemplates(_ input: Operations.ListTemplates.Input) async throws -> Operations.ListTemplates.Output {
        let workspace = try workspace
        return .ok(.init(body: .json(.init(templates: try await messaging.templates(workspaceId: workspace.id).map(Self.answer)))))
    }

    func createTemplate(_ input: Operations.CreateTemplate.Input) async throws -> Operations.CreateTemplate.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        let template = try await messaging.createTemplate(workspaceId: workspace.id, try Self.fields(body))
        return .created(.init(body: .json(Self.answer(template))))
    }

    func getTemplate(_ input: Operations.GetTemplate.Input) async throws -> Operations.GetTemplate.Output {
        .ok(.init(body: .json(Self.answer(try await template(input.path.id)))))
    }

    func updateTemplate(_ input: Operations.UpdateTemplate.Input) async throws -> Operations.UpdateTemplate.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        let template = try await messaging.updateTemplate(id: input.path.id, workspaceId: workspace.id, try Self.fields(body))
        return .ok(.init(body: .json(Self.answer(template))))
    }

    func deleteTemplate(_ input: Operations.DeleteTemplate.Input) async throws -> Operations.DeleteTemplate.Output {
        guard try await messaging.deleteTemplate(id: input.path.id, workspaceId: try workspace.id) else {
            throw APIError.notFound("no template \(input.path.id) in this workspace")
        }
        return .noContent(.init())
    }

    /// `POST /api/v1/templates/{id}/preview {"personId": 1, "event": {...}}`: rendered now, nothing sent.
    func previewTemplate(_ input: Operations.PreviewTemplate.Input) async throws -> Operations.PreviewTemplate.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        var template = try await template(input.path.id)
        let person = try await person(body.personId)
        if let language = body.language {
            guard template.variants[language.rawValue] != nil else {
                throw APIError.badRequest("the template has no \(language.rawValue) variant", field: "language")
            }
            template.defaultLanguage = language.rawValue
            template.variants = template.variants.filter { $0.key == language.rawValue }
        }
        let event = body.event.map { JSONObject($0.additionalProperties) }
        if let event, JSONWriter.string(.object(event)).utf8.count > JourneyEntrant.maximumEventBytes {
            throw APIError.badRequest("the event is at most \(JourneyEntrant.maximumEventBytes / 1024) KiB of JSON", field: "event")
        }
        let facts = MessageComposer.Facts(
            person: person,
            labels: try await labels.labels(personId: person.id, workspaceId: try workspace.id).map {
                .init(scheme: $0.scheme, value: $0.value)
            },
            tags: try await people.tags(personId: person.id, workspaceId: try workspace.id),
            event: event,
            journeyId: nil,
            unsubscribeURL: template.groupId == nil ? nil : "https://example.invalid/u/preview"
        )
        let rendered = try MessageComposer.render(template, facts: facts)
        let vault = ContactVault(store: messaging)
        let to: String? =
            switch template.channel {
            case .email: try await vault.address("email", personId: person.id, workspaceId: try workspace.id)
            case .sms: try await vault.address("phone", personId: person.id, workspaceId: try workspace.id)
            default: nil
            }
        return .ok(
            .init(
                body: .json(
                    .init(
                        language: .init(rawValue: rendered.language) ?? .zhCN,
                        subject: rendered.subject,
                        text: rendered.text,
                        html: rendered.html,
                        to: to
                    )
                )
            )
        )
    }

    /// `POST /api/v1/templates/{id}/test {"personId": 1, "to": "me@example.com"}`: one message through the outbox.
    func testTemplate(_ input: Operations.TestTemplate.Input) async throws -> Operations.TestTemplate.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        let template = try await template(input.path.id)
        let person = try await person(body.personId)
        if let to = body.to, to.isEmpty || to.utf8.count > 320 || to.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
            throw APIError.badRequest("to is an address or phone number of 1 to 320 bytes without control characters", field: "to")
        }
        var payload: JSONObject = ["template": .int(template.id), "person": .int(person.id), "test": .bool(true)]
        if let to = body.to { payload["to"] = .string(to) }
        let now = clock()
        let key = "test:\(template.id):\(UUID().uuidString.lowercased())"
        try await messaging.enqueueOutbox(
            workspaceId: workspace.id,
            [
                OutboxDraft(
                    key: key,
                    channel: template.channel.outboxChannel,
                    payload: JSONWriter.string(.object(payload)),
                    notBefore: now,
                    journeyId: nil,
                    personId: person.id
                )
            ],
            now: now
        )
        guard let row = try await journeys.outboxMessages(workspaceId: workspace.id, status: nil, limit: 20).first(where: { $0.key == key }) else {
            throw APIError(.internalServerError, code: "internal_error", message: "the test message was not queued")
        }
        return .accepted(.init(body: .json(Self.answer(row))))
    }

    func listSubscriptionGroups(_ input: Operations.ListSubscriptionGroups.Input) async throws -> Operations.ListSubscriptionGroups.Output {
        let groups = try await messaging.subscriptionGroups(workspaceId: try workspace.id)
        return .ok(.init(body: .json(.init(groups: groups.map(Self.answer)))))
    }

    func createSubscriptionGroup(_ input: Operations.CreateSubscriptionGroup.Input) async throws -> Operations.CreateSubscriptionGroup.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let group = try await messaging.createSubscriptionGroup(
            workspaceId: try workspace.id,
            name: body.name,
            channel: try Self.channel(body.channel),
            optIn: body.optIn
        )
        return .created(.init(body: .json(Self.answer(group))))
    }

    func deleteSubscriptionGroup(_ input: Operations.DeleteSubscriptionGroup.Input) async throws -> Operations.DeleteSubscriptionGroup.Output {
        guard try await messaging.deleteSubscriptionGroup(id: input.path.id, workspaceId: try workspace.id) else {
            throw APIError.notFound("no subscription group \(input.path.id) in this workspace")
        }
        return .noContent(.init())
    }

    /// `POST /api/v1/subscription-groups/{id}/import?subscribed=false` with a CSV of people.
    func importSubscriptions(_ input: Operations.ImportSubscriptions.Input) async throws -> Operations.ImportSubscriptions.Output {
        let workspace = try workspace
        guard try await messaging.subscriptionGroups(workspaceId: workspace.id).contains(where: { $0.id == input.path.id }) else {
            throw APIError.notFound("no subscription group \(input.path.id) in this workspace")
        }
        guard case .csv(let body) = input.body else { throw APIError.badRequest("send a CSV (Content-Type: text/csv)") }
        let ids = try await Self.memberIds(csv: body)
        let (matched, unknown) = try await segmentService.match(ids, workspaceId: workspace.id)
        let now = clock()
        let choices = matched.map {
            SubscriptionChoice(groupId: input.path.id, personId: $0, subscribed: input.query.subscribed, source: "csv", updatedAt: now)
        }
        var changed = 0
        for start in stride(from: 0, to: choices.count, by: 1000) {
            changed += try await messaging.setSubscriptions(workspaceId: workspace.id, Array(choices[start..<min(start + 1000, choices.count)]))
        }
        return .ok(
            .init(body: .json(.init(matched: matched.count, changed: changed, unknown: unknown.count, unknownSample: Array(unknown.prefix(20)))))
        )
    }

    func getPersonSubscriptions(_ input: Operations.GetPersonSubscriptions.Input) async throws -> Operations.GetPersonSubscriptions.Output {
        let person = try await person(input.path.id)
        return .ok(.init(body: .json(try await subscriptions(of: person.id))))
    }

    func setPersonSubscriptions(_ input: Operations.SetPersonSubscriptions.Input) async throws -> Operations.SetPersonSubscriptions.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        guard (1...100).contains(body.subscriptions.count) else {
            throw APIError.badRequest("subscriptions holds 1 to 100 changes", field: "subscriptions")
        }
        let person = try await person(input.path.id)
        let now = clock()
        _ = try await messaging.setSubscriptions(
            workspaceId: workspace.id,
            body.subscriptions.map {
                SubscriptionChoice(groupId: $0.group, personId: person.id, subscribed: $0.subscribed, source: "api", updatedAt: now)
            }
        )
        return .ok(.init(body: .json(try await subscriptions(of: person.id))))
    }

    func getMessagingSettings(_ input: Operations.GetMessagingSettings.Input) async throws -> Operations.GetMessagingSettings.Output {
        let saved = MessagingSettings.read(try await settings.settings(workspaceId: try workspace.id))
        return .ok(.init(body: .json(MessagingSettings.masked(saved))))
    }

    func putMessagingSettings(_ input: Operations.PutMessagingSettings.Input) async throws -> Operations.PutMessagingSettings.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        let saved = MessagingSettings.read(try await settings.settings(workspaceId: workspace.id))
        let merged = MessagingSettings.keepingSecrets(body, saved: saved)
        try MessagingSettings.check(merged)
        _ = try await settings.saveSetting(
            workspaceId: workspace.id,
            key: MessagingSettings.key,
            value: try JSONParser.parse(String(decoding: try JSONEncoder().encode(merged), as: UTF8.self))
        )
        return .ok(.init(body: .json(MessagingSettings.masked(merged))))
    }

    func rotateWebhookSecret(_ input: Operations.RotateWebhookSecret.Input) async throws -> Operations.RotateWebhookSecret.Output {
        let secret = Secrets.randomHex()
        _ = try await settings.saveSetting(workspaceId: try workspace.id, key: OutboxDelivery.secretKey, value: .string(secret))
        return .ok(.init(body: .json(.init(secret: secret))))
    }

    // MARK: - Reading and answering

    func template(_ id: Int64) async throws -> MessageTemplate {
        guard let template = try await messaging.template(id: id, workspaceId: try workspace.id) else {
            throw APIError.notFound("no template \(id) in this workspace")
        }
        return template
    }

    func subscriptions(of personId: Int64) async throws -> Components.Schemas.PersonSubscriptions {
        let workspace = try workspace
        let groups = try await messaging.subscriptionGroups(workspaceId: workspace.id)
        let choices = Dictionary(
            try await messaging.subscriptions(personId: personId, workspaceId: workspace.id).map { ($0.groupId, $0) },
            uniquingKeysWith: { first, _ in first }
        )
        return .init(
            person: personId,
            subscriptions: groups.map { group in
                let choice = choices[group.id]
                return .init(
                    group: group.id,
                    name: group.name,
                    admitted: group.admits(choice?.subscribed),
                    subscribed: choice?.subscribed,
                    source: choice?.source,
                    updatedAt: choice.map { Timestamp.iso8601($0.updatedAt) }
                )
            }
        )
    }

    static func fields(_ body: Components.Schemas.MessageTemplateInput) throws -> MessageTemplateFields {
        var variants: [String: MessageVariant] = [:]
        for (language, variant) in [("zh-CN", body.variants.zhCN), ("en", body.variants.en)] {
            guard let variant else { continue }
            let converted = MessageVariant(subject: variant.subject, text: variant.text, html: variant.html)
            if let problem = MessageComposer.problem(converted) { throw APIError.badRequest(problem, field: "variants.\(language)") }
            variants[language] = converted
        }
        return MessageTemplateFields(
            name: body.name,
            channel: try channel(body.channel),
            groupId: body.group,
            transactional: body.transactional ?? false,
            variants: variants,
            defaultLanguage: body.defaultLanguage.rawValue
        )
    }

    static func channel(_ channel: Components.Schemas.MessageChannel) throws -> MessageChannel {
        guard let kernel = MessageChannel(rawValue: channel.rawValue) else { throw APIError.badRequest("no channel \(channel.rawValue)") }
        return kernel
    }

    static func answer(_ template: MessageTemplate) -> TemplateAnswer {
        func variant(_ language: String) -> Components.Schemas.MessageVariant? {
            template.variants[language].map { .init(subject: $0.subject, text: $0.text, html: $0.html) }
        }
        return .init(
            id: template.id,
            name: template.name,
            channel: .init(rawValue: template.channel.rawValue) ?? .email,
            group: template.groupId,
            transactional: template.transactional,
            variants: .init(zhCN: variant("zh-CN"), en: variant("en")),
            defaultLanguage: .init(rawValue: template.defaultLanguage) ?? .zhCN,
            createdAt: Timestamp.iso8601(template.createdAt),
            updatedAt: Timestamp.iso8601(template.updatedAt)
        )
    }

    static func answer(_ group: SubscriptionGroup) -> Components.Schemas.SubscriptionGroup {
        .init(
            id: group.id,
            name: group.name,
            channel: .init(rawValue: group.channel.rawValue) ?? .email,
            optIn: group.optIn,
            createdAt: Timestamp.iso8601(group.createdAt)
        )
    }
}

extension AdminAPI {
    /// `POST /api/v1/contacts {"contacts": [{"userId", "email", "phone"}]}`: sealed into the contact vault.
    func saveContacts(_ input: Operations.SaveContacts.Input) async throws -> Operations.SaveContacts.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("the request body must be JSON") }
        let workspace = try workspace
        guard (1...1000).contains(body.contacts.count) else { throw APIError.badRequest("contacts holds 1 to 1,000 rows", field: "contacts") }
        let vault = ContactVault(store: messaging)
        let now = clock()
        var sealed: [SealedContact] = []
        var unknown: [String] = []
        for (index, row) in body.contacts.enumerated() {
            let field = "contacts[\(index)]"
            guard (row.userId == nil) != (row.personId == nil) else {
                throw APIError.badRequest("each row names its person by userId or personId (one of them)", field: field)
            }
            guard row.email != nil || row.phone != nil else { throw APIError.badRequest("a row has an email, a phone or both", field: field) }
            if let userId = row.userId, userId.isEmpty || userId.utf8.count > 200 {
                throw APIError.badRequest("\(field).userId is 1 to 200 bytes", field: field + ".userId")
            }
            if let email = row.email, email.utf8.count > 320 || EmailAddress(email).problem != nil {
                throw APIError.badRequest("\(field).email is not an e-mail address", field: field + ".email")
            }
            let phone = try row.phone.map { given in
                guard given.utf8.count <= 32, let number = ContactVault.phoneNumber(given) else {
                    throw APIError.badRequest(
                        "\(field).phone is a phone number in international form (+86 138 0013 8000), or a mainland mobile number",
                        field: field + ".phone"
                    )
                }
                return number
            }
            let person: Int64?
            if let userId = row.userId {
                person = try await people.personId(identity: IdentityKey(IdentityKey.userId, userId), workspaceId: workspace.id)
            } else {
                person = try await people.person(id: row.personId!, workspaceId: workspace.id)?.id
            }
            guard let person else {
                unknown.append(row.userId ?? String(row.personId!))
                continue
            }
            if let email = row.email {
                sealed.append(
                    SealedContact(personId: person, kind: "email", sealed: try await vault.seal(email, workspaceId: workspace.id), updatedAt: now)
                )
            }
            if let phone {
                sealed.append(
                    SealedContact(personId: person, kind: "phone", sealed: try await vault.seal(phone, workspaceId: workspace.id), updatedAt: now)
                )
            }
        }
        try await messaging.saveContacts(workspaceId: workspace.id, sealed)
        return .ok(
            .init(
                body: .json(
                    .init(
                        saved: body.contacts.count - unknown.count,
                        unknown: unknown.count,
                        unknownSample: Array(unknown.prefix(20))
                    )
                )
            )
        )
    }

}
