import SiyuCore

/// Segments and their members.
public protocol SegmentRepository: Sendable {
    /// Creates a segment (name unique in the workspace) with no members yet.
    func createSegment(workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord
    func segments(workspaceId: Int64) async throws -> [SegmentRecord]
    func segment(id: Int64, workspaceId: Int64) async throws -> SegmentRecord?
    func updateSegment(id: Int64, workspaceId: Int64, draft: SegmentDraft) async throws -> SegmentRecord
    func deleteSegment(id: Int64, workspaceId: Int64) async throws
    /// Replaces the members (canonical person ids; unknown ids are dropped), records the size in
    /// the history and the refresh time, all in one transaction.
    func replaceSegmentMembers(id: Int64, workspaceId: Int64, people: [Int64]) async throws -> SegmentRecord
    /// Members in id order after `afterPersonId`, at most `limit` (negative: all).
    func segmentMembers(id: Int64, workspaceId: Int64, afterPersonId: Int64, limit: Int) async throws -> [Int64]
    /// Sizes at each refresh, oldest first, from `since` on.
    func segmentSizes(id: Int64, workspaceId: Int64, since: Int64) async throws -> [SegmentSize]
    /// The segments a person (or anyone merged into them) is a member of.
    func segments(personId: Int64, workspaceId: Int64) async throws -> [SegmentRecord]
    /// Dynamic segments of every workspace whose scheduled refresh is due at `now`.
    func segmentsDue(at now: Int64) async throws -> [SegmentRecord]
}
