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
    func rule(_ json: JSONValue, path: String = "rule", workspace: Workspace, now: Int64) throws -> PersonRule {
        guard let calendar = LocalCalendar.zone(workspace.timeZone) else {
            throw APIError(.internalServerError, code: "internal_error", message: "unknown time zone \(workspace.timeZone)")
        }
        return try QueryReader([path: json], workspace: workspace, calendar: calendar, now: now).rule(json, path: path)
    }

    /// Replaces the segment's members with the people `rule` matches now.
    func fill(_ segment: SegmentRecord, rule: PersonRule, workspace: Workspace, now: Int64) async throws -> SegmentRecord {
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

    /// Person ids (as text) and user ids matched to people: the matched ids in order, and what
    /// matched nobody. Blank entries are skipped.
    func match(personIds: [String], userIds: [String], workspaceId: Int64) async throws -> (people: [Int64], unknown: [String]) {
        let dataset = try await cache.dataset(workspaceId: workspaceId)
        var matched: [Int64] = []
        var unknown: [String] = []
        for text in personIds {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let id = Int64(trimmed) else {
                unknown.append(trimmed)
                continue
            }
            if dataset.personIndex(of: id) != nil {
                matched.append(id)
            } else if try await store.person(id: id, workspaceId: workspaceId) != nil {
                matched.append(id)
            } else {
                unknown.append(trimmed)
            }
        }
        if !userIds.isEmpty {
            var byUserId: [String: Int64] = [:]
            for p in 0..<dataset.personCount { if let userId = dataset.userIds[p] { byUserId[userId] = dataset.personIds[p] } }
            for text in userIds {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { continue }
                if let id = byUserId[trimmed] {
                    matched.append(id)
                } else if let id = try await store.personId(identity: IdentityKey("user_id", trimmed), workspaceId: workspaceId) {
                    matched.append(id)
                } else {
                    unknown.append(trimmed)
                }
            }
        }
        return (matched, unknown)
    }
}
