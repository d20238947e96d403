import Foundation
import SiyuAPI
import SiyuCore
import SiyuMessaging
import SiyuStore

/// Messages from templates: whether one may go now (subscription, quiet hours, caps — in that
/// order), and if so rendered for its person and handed to the channel's sender.
extension OutboxDelivery {
    /// What a message row comes to: held back on purpose (skipped or deferred), or a sender's outcome.
    enum MessageStep {
        case held(OutboxResult)
        case sent(DeliveryOutcome)
    }

    /// How far back caps look: a week, and a day for zones far from the server's.
    static let capWindowMillis: Int64 = 8 * 86_400_000

    func message(_ row: OutboxMessage, _ payload: JSONObject, secret: String?) async throws -> MessageStep {
        func failed(_ kind: DeliveryFailure.Cause, _ reason: String) -> MessageStep { .sent(.permanentFailure(DeliveryFailure(kind, reason))) }
        guard let templateId = payload["template"]?.int64Value,
            let template = try await store.template(id: templateId, workspaceId: row.workspaceId)
        else { return failed(.configuration, "the template \(payload["template"]?.scalarText ?? "?") no longer exists") }
        guard let personId = row.personId, let person = try await store.person(id: personId, workspaceId: row.workspaceId),
            let workspace = try await store.workspace(id: row.workspaceId)
        else { return failed(.invalidMessage, "the person is gone") }
        // The workspace's settings, read once: the channels, and the unsubscribe and contact keys.
        let saved = try await store.settings(workspaceId: row.workspaceId)
        let settings = MessagingSettings.read(saved)
        let test = payload["test"]?.boolValue == true
        let now = clock()
        let calendar =
            person.traits["timezone"]?.stringValue.flatMap(LocalCalendar.zone) ?? LocalCalendar.zone(workspace.timeZone) ?? .shanghai
        let counted = { (outcome: String) -> JourneyNodeOutcome? in
            guard let journey = row.journeyId, let version = payload["version"]?.int64Value, let node = payload["node"]?.stringValue else {
                return nil
            }
            return JourneyNodeOutcome(journeyId: journey, version: Int(version), node: node, outcome: outcome)
        }

        // 1. The person's choice, unless the message is transactional (or an operator's test).
        var unsubscribeURL: String?
        if let groupId = template.groupId,
            let group = try await store.subscriptionGroups(workspaceId: row.workspaceId).first(where: { $0.id == groupId })
        {
            if !template.transactional, !test {
                let choice = try await store.subscriptions(personId: person.id, workspaceId: row.workspaceId).first { $0.groupId == groupId }
                if !group.admits(choice?.subscribed) {
                    return .held(.skipped(reason: "not subscribed to \(group.name)", count: counted("unsubscribed")))
                }
            }
            if let base = settings.publicURL {
                let target = UnsubscribeLink.Target(workspaceId: row.workspaceId, groupId: groupId, personId: person.id)
                unsubscribeURL = UnsubscribeLink.url(
                    base: base,
                    target,
                    secret: try await unsubscribeSecret(workspaceId: row.workspaceId, saved: saved)
                )
            }
        }
        if !template.transactional, !test {
            // 2. Quiet hours in the person's zone: held until they end.
            if let quiet = MessagingSettings.quietHours(settings) {
                let release = quiet.release(now, calendar: calendar)
                if release > now { return .held(.deferred(until: release, reason: "quiet hours until \(Timestamp.iso8601(release))")) }
            }
            // 3. Caps: the workspace's on this channel, then the journey's own.
            var caps: [(FrequencyCap, Int64?)] = []
            if let cap = MessagingSettings.cap(settings, template.channel) { caps.append((cap, nil)) }
            if let journey = row.journeyId, case .object(let cap)? = payload["cap"] {
                caps.append(
                    (FrequencyCap(perDay: cap["perDay"]?.int64Value.map(Int.init), perWeek: cap["perWeek"]?.int64Value.map(Int.init)), journey)
                )
            }
            for (cap, journey) in caps {
                let sent = try await store.deliveredTimes(
                    workspaceId: row.workspaceId,
                    personId: person.id,
                    channel: row.channel,
                    journeyId: journey,
                    since: now - Self.capWindowMillis
                )
                let check = cap.check(at: now, sent: sent, calendar: calendar)
                guard !check.allowed else { continue }
                let scope = journey == nil ? "the workspace's" : "the journey's"
                if payload["whenCapped"]?.stringValue == "defer", let retryAt = check.retryAt {
                    return .held(.deferred(until: retryAt, reason: "\(scope) cap: waits until \(Timestamp.iso8601(retryAt))"))
                }
                return .held(.skipped(reason: "\(scope) cap on \(template.channel.rawValue) reached", count: counted("capped")))
            }
        }

        // Rendered now, with the person as they are now.
        let facts = MessageComposer.Facts(
            person: person,
            labels: try await store.labels(personId: person.id, workspaceId: row.workspaceId).map { .init(scheme: $0.scheme, value: $0.value) },
            tags: try await store.tags(personId: person.id, workspaceId: row.workspaceId),
            event: payload["event"]?.objectValue,
            journeyId: row.journeyId,
            unsubscribeURL: unsubscribeURL
        )
        let rendered: MessageComposer.Rendered
        do { rendered = try MessageComposer.render(template, facts: facts) } catch let error as APIError {
            return failed(.invalidMessage, error.message)
        }
        let to = payload["to"]?.stringValue
        let vault = ContactVault(store: store)
        let attempt = DeliveryAttempt(idempotencyKey: row.key, deliveryId: "\(row.id)-\(row.attempts)")
        switch template.channel {
        case .email:
            guard let email = settings.email, let smtp = SMTPConfiguration(url: email.smtp), let from = MessagingSettings.sender(email.from) else {
                return failed(.configuration, "no e-mail (SMTP) is configured in the messaging settings")
            }
            let loaded = to == nil ? try await vault.address("email", personId: person.id, workspaceId: row.workspaceId, settings: saved) : nil
            guard let address = to ?? loaded else {
                return failed(.invalidMessage, "no e-mail address is loaded for this person (POST /api/v1/contacts)")
            }
            let message = EmailMessage(
                from: from,
                to: [EmailAddress(address)],
                subject: rendered.subject ?? "",
                textBody: rendered.text,
                htmlBody: rendered.html,
                unsubscribeURL: unsubscribeURL
            )
            if let problem = message.problem { return failed(.invalidMessage, problem) }
            return .sent(await SMTPSender(configuration: smtp, logger: logger).send(message, attempt: attempt))
        case .sms:
            guard let sms = settings.sms else { return failed(.configuration, "no SMS provider is configured in the messaging settings") }
            let loaded = to == nil ? try await vault.address("phone", personId: person.id, workspaceId: row.workspaceId, settings: saved) : nil
            guard let phone = to ?? loaded else {
                return failed(.invalidMessage, "no phone number is loaded for this person (POST /api/v1/contacts)")
            }
            let provider = SMSProvider(url: sms.url, secret: sms.secret, bearerToken: sms.bearerToken, sender: sms.sender)
            return .sent(await SMSSender(provider: provider, logger: logger).send(SMSMessage(to: phone, text: rendered.text), attempt: attempt))
        case .wecomRobot:
            guard let robot = settings.wecomRobot else { return failed(.configuration, "no WeCom robot is configured in the messaging settings") }
            let message: WeComRobotMessage = robot.markdown == true ? .markdown(content: rendered.text) : .text(content: rendered.text)
            return .sent(await WeComRobotSender(robot: WeComRobot(url: robot.url), logger: logger).send(message, attempt: attempt))
        case .webhook:
            guard let url = settings.webhook?.url, let secret else {
                return failed(.configuration, "no webhook address is configured in the messaging settings")
            }
            var body: JSONObject = [
                "key": .string(row.key), "person": .int(person.id), "template": .int(template.id), "language": .string(rendered.language),
                "text": .string(rendered.text),
            ]
            if let userId = person.userId { body["userId"] = .string(userId) }
            if let journey = row.journeyId { body["journey"] = .int(journey) }
            let message = WebhookMessage(event: "message", body: Array(JSONWriter.string(.object(body)).utf8))
            let sender = WebhookSender(endpoint: WebhookEndpoint(url: url, secret: secret), now: { Date() }, logger: logger)
            return .sent(await sender.send(message, attempt: attempt))
        case .staffTask:
            return failed(.configuration, "staff tasks have no template")
        }
    }

    /// The workspace's unsubscribe-link secret (from its settings, `saved`), made (32 random bytes, hex)
    /// and saved on first use.
    func unsubscribeSecret(workspaceId: Int64, saved: JSONObject) async throws -> String {
        if let secret = saved[UnsubscribeLink.secretKey]?.stringValue { return secret }
        let secret = Secrets.randomHex()
        _ = try await store.saveSetting(workspaceId: workspaceId, key: UnsubscribeLink.secretKey, value: .string(secret))
        return secret
    }
}
