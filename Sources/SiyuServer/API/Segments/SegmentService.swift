import Foundation
import SiyuCore
import SiyuStore

/// What the admin API's segment operations and the console's segment screens share: reading a
/// rule, computing a segment's members from it, its members as dataset rows, and matching a list
/// of person or user ids to people.
struct SegmentService: Sendable {
    let store: any SegmentRepository & PeopleRepository
    let cache: AnalyticsCache

    /// The rule in `json`, read as every rule is (docs/admin-api.md, "Person rules"); a mistake
    /// names its field under `path`.
    static func rule(_ json: JSONValue, path: String = "rule", workspace: Workspace) throws -> PersonRule {
        try RuleReader(currency: workspace.currency).rule(json, path: path)
    }

    /// Replaces the segment's members with the people `rule` matches now.
    func fill(_ segment: SegmentRecord, rule: PersonRule, workspace: Workspace, now: Int64) async throws -> SegmentRecord {
        try await Self.fill(segment, rule: rule, workspace: workspace, now: now, store: store, cache: cache)
    }

    /// ``fill(_:rule:workspace:now:)`` for whoever holds the segments (the scheduled refresh).
    static func fill(
        _ segment: SegmentRecord,
        rule: PersonRule,
        workspace: Workspace,
        now: Int64,
        store: any SegmentRepository,
        cache: AnalyticsCache
    ) async throws -> SegmentRecord {
        let dataset = try await cache.dataset(workspaceId: workspace.id, propertyKeys: rule.propertyKeys)
        let members = PersonRuleEvaluator(rule, dataset: dataset, now: now).members().map { dataset.personIds[$0] }
        return try await store.replaceSegmentMembers(id: segment.id, workspaceId: workspace.id, people: members)
    }

    /// The segment's members as rows of the workspace's dataset (for lists and exports).
    func members(_ segment: SegmentRecord, workspace: Workspace) async throws -> (dataset: Dataset, people: [Int]) {
        let ids = try await store.segmentMembers(id: segment.id, workspaceId: workspace.id, afterPersonId: 0, limit: -1)
        let dataset = try await cache.dataset(workspaceId: workspace.id)
        return (dataset, ids.compactMap { dataset.personIndex(of: $0) })
    }

    /// What a list of members names: person ids (as text) or user ids.
    struct MemberIds: Sendable {
        var personIds: [String] = []
        var userIds: [String] = []
    }

    /// Why a CSV of members cannot be read.
    enum CSVProblem: Error {
        /// What the reader said.
        case unreadable(String)
        /// No header row.
        case empty
        /// Neither a `personId` nor a `userId` column (the header as sent).
        case noColumn(header: String)
    }

    /// The ids of a CSV of members: its `personId` column, else its `userId` column (header names
    /// are read without case, spaces or punctuation).
    static func memberIds(csv bytes: some Collection<UInt8>) throws(CSVProblem) -> MemberIds {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(bytes)
        } catch {
            throw .unreadable("\(error)")
        }
        guard let header = records.first else { throw .empty }
        let names = header.fields.map { $0.lowercased().filter { $0.isLetter } }
        let column = { (index: Int) in records.dropFirst().map { $0.fields.count > index ? $0.fields[index] : "" } }
        if let index = names.firstIndex(of: "personid") { return MemberIds(personIds: column(index)) }
        if let index = names.firstIndex(of: "userid") { return MemberIds(userIds: column(index)) }
        throw .noColumn(header: header.fields.joined(separator: ","))
    }

    /// Person ids and user ids matched to people: each person once (a merged-away id counts as its
    /// survivor), in the order first named, and what matched nobody. Blank entries are skipped.
    func match(_ ids: MemberIds, workspaceId: Int64) async throws -> (people: [Int64], unknown: [String]) {
        let dataset = try await cache.dataset(workspaceId: workspaceId)
        var matched: [Int64] = []
        var seen = Set<Int64>()
        var unknown: [String] = []
        func add(_ id: Int64?, _ text: String) {
            guard let id else { return unknown.append(text) }
            if seen.insert(id).inserted { matched.append(id) }
        }
        for text in ids.personIds {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let id = Int64(trimmed) else {
                unknown.append(trimmed)
                continue
            }
            if dataset.personIndex(of: id) != nil {
                add(id, trimmed)
            } else {
                add(try await store.person(id: id, workspaceId: workspaceId)?.id, trimmed)
            }
        }
        if !ids.userIds.isEmpty {
            var byUserId: [String: Int64] = [:]
            for p in 0..<dataset.personCount { if let userId = dataset.userIds[p] { byUserId[userId] = dataset.personIds[p] } }
            for text in ids.userIds {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                var id = byUserId[trimmed]
                if id == nil { id = try await store.personId(identity: IdentityKey(IdentityKey.userId, trimmed), workspaceId: workspaceId) }
                add(id, trimmed)
            }
        }
        return (matched, unknown)
    }
}
