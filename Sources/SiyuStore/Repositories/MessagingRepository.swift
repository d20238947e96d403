import SiyuCore

/// Message templates, subscription groups and people's choices, and what was sent to whom (for
/// frequency caps).
public protocol MessagingRepository: Sendable {
    func createTemplate(workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate
    func templates(workspaceId: Int64) async throws -> [MessageTemplate]
    func template(id: Int64, workspaceId: Int64) async throws -> MessageTemplate?
    /// Replaces a template's fields; its channel never changes (a conflict).
    func updateTemplate(id: Int64, workspaceId: Int64, _ fields: MessageTemplateFields) async throws -> MessageTemplate
    /// Whether there was one.
    func deleteTemplate(id: Int64, workspaceId: Int64) async throws -> Bool

    func createSubscriptionGroup(workspaceId: Int64, name: String, channel: MessageChannel, optIn: Bool) async throws -> SubscriptionGroup
    func subscriptionGroups(workspaceId: Int64) async throws -> [SubscriptionGroup]
    /// Deletes a group and every choice in it; refused (a conflict) while a template uses it.
    func deleteSubscriptionGroup(id: Int64, workspaceId: Int64) async throws -> Bool
    /// Records choices (one per person and group; the latest wins); answers how many changed.
    func setSubscriptions(workspaceId: Int64, _ choices: [SubscriptionChoice]) async throws -> Int
    /// A person's recorded choices (groups they never chose in are absent).
    func subscriptions(personId: Int64, workspaceId: Int64) async throws -> [SubscriptionChoice]

    /// When messages of `channel` were delivered to a person since `since` (of one journey, or all).
    func deliveredTimes(workspaceId: Int64, personId: Int64, channel: String, journeyId: Int64?, since: Int64) async throws -> [Int64]
    /// Keeps people's contact addresses, sealed by the caller (kind: `email`, `phone`), replacing
    /// what was kept of the same kind.
    func saveContacts(workspaceId: Int64, _ contacts: [SealedContact]) async throws
    /// A person's sealed contacts by kind.
    func contacts(personId: Int64, workspaceId: Int64) async throws -> [String: String]
    /// Queues side effects that are not a journey's walk (a template's test send), each key once.
    func enqueueOutbox(workspaceId: Int64, _ drafts: [OutboxDraft], now: Int64) async throws
}
