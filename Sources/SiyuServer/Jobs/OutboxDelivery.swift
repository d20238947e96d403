import Foundation
import Logging
import SiyuCore
import SiyuMessaging
import SiyuStore

/// Delivers the outbox: claims due rows with a lease, hands each to its channel, records what
/// happened, and retries with exponential backoff (``RetryPolicy``) until delivered or out of
/// attempts. A row is claimed by one attempt at a time; a worker that dies leaves its rows to be
/// claimed again when the lease ends, with the same idempotency key, which webhooks carry in
/// `X-Siyu-Idempotency-Key` so a receiver drops a repeat (docs/webhooks.md).
struct OutboxDelivery: Sendable {
    typealias Store = any OutboxRepository & PeopleRepository & SegmentRepository & SettingsRepository & MessagingRepository
        & LabelRepository & WorkspaceRepository & StaffTaskRepository
    let store: Store
    let clock: @Sendable () -> Int64
    let logger: Logger
    var policy = RetryPolicy()
    /// How long a claim holds a row: longer than any channel's time limit (10 s for webhooks). A
    /// worker killed mid-delivery leaves its rows for this long, then they go again.
    static let leaseMillis: Int64 = 30_000
    /// Rows claimed and delivered at once: only what is in flight is leased, so a crash strands few.
    static let parallel = 16
    /// The settings key of a workspace's webhook signing secret (made on first use).
    static let secretKey = "journeys.webhookSecret"

    /// Delivers every row due now; returns how many were attempted.
    @discardableResult
    func deliverDue() async throws -> Int {
        var attempted = 0
        while !Task.isCancelled {
            let rows = try await store.claimOutbox(now: clock(), limit: Self.parallel, leaseMillis: Self.leaseMillis)
            guard !rows.isEmpty else { break }
            var secrets: [Int64: String] = [:]
            for workspace in Set(rows.filter { ["webhook", "webhookMessage"].contains($0.channel) }.map(\.workspaceId)) {
                secrets[workspace] = try await secret(workspaceId: workspace)
            }
            let known = secrets
            // A person's rows go one after another, so that a cap counts the message before (messages
            // are recorded as they go); the other results are recorded together once the batch is done.
            let byPerson = Dictionary(grouping: rows, by: { $0.personId.map { "p\($0)" } ?? "r\($0.id)" })
            let finishes = try await withThrowingTaskGroup(of: [OutboxFinish].self) { group in
                for personRows in byPerson.values {
                    group.addTask {
                        var finishes: [OutboxFinish] = []
                        for row in personRows {
                            if let finish = try await self.deliver(row, secret: known[row.workspaceId]) { finishes.append(finish) }
                        }
                        return finishes
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            try await store.finishOutbox(finishes, now: clock())
            attempted += rows.count
            if rows.count < Self.parallel { break }
        }
        return attempted
    }

    /// One attempt at one row: a message's result is recorded at once (caps count it); another's is
    /// answered, to be recorded with its batch's.
    func deliver(_ row: OutboxMessage, secret: String?) async throws -> OutboxFinish? {
        let outcome: DeliveryOutcome
        let payload = Self.payload(row)
        let isMessage = payload?["template"] != nil
        if isMessage, let payload {
            do {
                switch try await message(row, payload, secret: secret) {
                case .held(let result):
                    try await store.finishOutbox(id: row.id, attempt: row.attempts, result: result, now: clock())
                    return nil
                case .sent(let sent): outcome = sent
                }
            } catch {
                // The store failed (it may be restarting): try again later.
                outcome = .retryableFailure(DeliveryFailure(.connection, "\(error)"))
            }
        } else {
            outcome = await attempt(row, secret: secret)
        }
        let now = clock()
        let result: OutboxResult
        switch outcome {
        case .delivered(let response):
            result = .delivered(response: "\(response.code) \(response.text)")
        case .retryableFailure(let failure) where row.attempts < policy.maximumAttempts:
            var random = SystemRandomNumberGenerator()
            let delay = policy.delay(afterAttempt: row.attempts, using: &random)
            let millis = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
            result = .retry(at: now + max(millis, (failure.retryAfter.map { Int64($0.components.seconds) * 1000 }) ?? 0), error: failure.reason)
        case .retryableFailure(let failure), .permanentFailure(let failure):
            result = .failed(error: failure.reason)
            logger.warning("outbox row failed", metadata: ["row": "\(row.id)", "channel": "\(row.channel)", "reason": "\(failure.reason)"])
        }
        let finish = OutboxFinish(id: row.id, attempt: row.attempts, result: result)
        guard !isMessage else {
            try await store.finishOutbox([finish], now: now)
            return nil
        }
        return finish
    }

    static func payload(_ row: OutboxMessage) -> JSONObject? {
        if case .object(let payload)? = try? JSONParser.parse(row.payload) { return payload }
        return nil
    }

    /// What the row's channel answers.
    func attempt(_ row: OutboxMessage, secret: String?) async -> DeliveryOutcome {
        guard case .object(let payload)? = try? JSONParser.parse(row.payload) else {
            return .permanentFailure(DeliveryFailure(.invalidMessage, "the row's payload is not a JSON object"))
        }
        do {
            switch row.channel {
            case "tag":
                guard let person = row.personId else { return .permanentFailure(DeliveryFailure(.invalidMessage, "no person")) }
                let add = payload["add"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let remove = payload["remove"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let tags = try await store.setTags(personId: person, workspaceId: row.workspaceId, add: add, remove: remove)
                return .delivered(ProviderResponse(code: 200, text: "tags: " + tags.joined(separator: ", ")))
            case "segment":
                guard let person = row.personId, let id = payload["segment"]?.int64Value else {
                    return .permanentFailure(DeliveryFailure(.invalidMessage, "no person or segment"))
                }
                guard let segment = try await store.segment(id: id, workspaceId: row.workspaceId), segment.kind == .static else {
                    return .permanentFailure(DeliveryFailure(.configuration, "segment \(id) is not a static segment of this workspace"))
                }
                let members = try await store.segmentMembers(id: id, workspaceId: row.workspaceId, afterPersonId: 0, limit: -1)
                if !members.contains(person) {
                    _ = try await store.replaceSegmentMembers(id: id, workspaceId: row.workspaceId, people: members + [person])
                }
                return .delivered(ProviderResponse(code: 200, text: "in segment \(id)"))
            case "task":
                // The task the staff confirm (console, admin API); the row's key makes it once, however often the row goes.
                guard let title = payload["title"]?.stringValue else { return .permanentFailure(DeliveryFailure(.invalidMessage, "no title")) }
                let draft = StaffTaskDraft(
                    key: row.key,
                    personId: row.personId,
                    journeyId: row.journeyId,
                    title: title,
                    assignee: payload["assignee"]?.stringValue,
                    dueAt: payload["dueAt"]?.stringValue.flatMap { Timestamp.parseISO8601($0) }
                )
                let task = try await store.recordStaffTask(workspaceId: row.workspaceId, draft, now: clock())
                return .delivered(ProviderResponse(code: 200, text: "staff task \(task.id)"))
            case "webhook":
                guard let url = payload["url"]?.stringValue, let secret else {
                    return .permanentFailure(DeliveryFailure(.configuration, "no webhook url or secret"))
                }
                var body = payload
                body["url"] = nil
                body["key"] = .string(row.key)
                let message = WebhookMessage(event: "journey.action", body: Array(JSONWriter.string(.object(body)).utf8))
                let sender = WebhookSender(endpoint: WebhookEndpoint(url: url, secret: secret), now: { Date() }, logger: logger)
                return await sender.send(message, attempt: DeliveryAttempt(idempotencyKey: row.key, deliveryId: "\(row.id)-\(row.attempts)"))
            default:
                return .permanentFailure(DeliveryFailure(.configuration, "no sender is configured for the channel \(row.channel)"))
            }
        } catch {
            // The store failed (it may be restarting): try again later.
            return .retryableFailure(DeliveryFailure(.connection, "\(error)"))
        }
    }

    /// The workspace's webhook signing secret, made (32 random bytes, hex) and saved on first use.
    func secret(workspaceId: Int64) async throws -> String {
        if let secret = try await store.settings(workspaceId: workspaceId)[Self.secretKey]?.stringValue { return secret }
        let secret = Secrets.randomHex()
        _ = try await store.saveSetting(workspaceId: workspaceId, key: Self.secretKey, value: .string(secret))
        return secret
    }
}
