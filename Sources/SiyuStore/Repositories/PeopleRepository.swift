import SiyuCore

/// People: profiles, identities, tags, merges and erasure.
public protocol PeopleRepository: Sendable {
    /// The profile of a person; asking for a merged-away id gives the survivor's profile.
    func person(id: Int64, workspaceId: Int64) async throws -> PersonProfile?
    func searchPeople(workspaceId: Int64, query: PeopleQuery) async throws -> Page<PersonProfile>
    /// People in id order after `afterId`, canonical only, with their identities and tags (for
    /// export: three queries a page, each reading only that page's people). With `seenSince`, only
    /// people seen at or after that instant.
    func exportPeople(workspaceId: Int64, afterId: Int64, limit: Int, seenSince: Int64?) async throws -> [ExportedPerson]
    func peopleCount(workspaceId: Int64) async throws -> Int
    func identities(personId: Int64, workspaceId: Int64) async throws -> [IdentityRecord]
    /// The person an identity belongs to (canonical).
    func personId(identity: IdentityKey, workspaceId: Int64) async throws -> Int64?
    /// A person's events, newest first, before an opaque cursor.
    func timeline(personId: Int64, workspaceId: Int64, limit: Int, cursor: String?) async throws -> Page<StoredEvent>
    func tags(personId: Int64, workspaceId: Int64) async throws -> [String]
    func setTags(personId: Int64, workspaceId: Int64, add: [String], remove: [String]) async throws -> [String]
    /// Deletes a person with every merged person, identity, tag and event, and puts their message
    /// ids and identities (hashed) on the suppression list.
    func erasePerson(id: Int64, workspaceId: Int64) async throws -> ErasureSummary
    /// How many message ids and identities of erased people are on the suppression list, by kind.
    func suppressionCounts(workspaceId: Int64) async throws -> [String: Int]
    /// Takes an identity off the suppression list, so that its events are stored again; whether it was on it.
    func liftSuppression(identity: IdentityKey, workspaceId: Int64) async throws -> Bool
    func merges(workspaceId: Int64, personId: Int64?, limit: Int) async throws -> [MergeLogEntry]
    /// Splits a merge: the loser's identities and events go back to it and both profiles are rebuilt.
    func undoMerge(id: Int64, workspaceId: Int64, at: Int64) async throws -> MergeLogEntry
    func conflicts(workspaceId: Int64, limit: Int) async throws -> [ConflictLogEntry]
}
