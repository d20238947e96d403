import Foundation
import SiyuCore
import SiyuStore

/// Matches the people of a CSV (a `personId` or `userId` column, as the admin API's members upload
/// reads it) against the workspace, before anything is saved.
struct SegmentCSVMembers: Sendable {
    let store: any PeopleRepository
    let cache: AnalyticsCache

    struct Result: Sendable {
        var people: [Int64]
        var unknown: [String]
    }

    func match(csv text: String, workspaceId: Int64) async throws -> Result {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(Array(text.utf8))
        } catch {
            throw SegmentRuleForm.Problem(key: "segments.errors.csvUnreadable")
        }
        guard let header = records.first, records.count > 1 else { throw SegmentRuleForm.Problem(key: "segments.errors.csvEmpty") }
        let names = header.fields.map { $0.lowercased().filter { $0.isLetter } }
        let byPerson: Bool
        let column: Int
        if let index = names.firstIndex(of: "personid") {
            byPerson = true
            column = index
        } else if let index = names.firstIndex(of: "userid") {
            byPerson = false
            column = index
        } else {
            throw SegmentRuleForm.Problem(key: "segments.errors.csvColumn", arguments: ["header": header.fields.joined(separator: ",")])
        }
        let dataset = try await cache.dataset(workspaceId: workspaceId)
        var byUserId: [String: Int64] = [:]
        if !byPerson {
            for p in 0..<dataset.personCount { if let userId = dataset.userIds[p] { byUserId[userId] = dataset.personIds[p] } }
        }
        var people: [Int64] = []
        var seen = Set<Int64>()
        var unknown: [String] = []
        for record in records.dropFirst() {
            let value = (record.fields.count > column ? record.fields[column] : "").trimmingCharacters(in: .whitespaces)
            if value.isEmpty { continue }
            var id: Int64?
            if byPerson {
                if let number = Int64(value) {
                    if dataset.personIndex(of: number) != nil {
                        id = number
                    } else if let profile = try await store.person(id: number, workspaceId: workspaceId) {
                        id = profile.id
                    }
                }
            } else {
                id = byUserId[value]
                if id == nil { id = try await store.personId(identity: IdentityKey(IdentityKey.userId, value), workspaceId: workspaceId) }
            }
            if let id {
                if seen.insert(id).inserted { people.append(id) }
            } else {
                unknown.append(value)
            }
        }
        return Result(people: people, unknown: unknown)
    }
}
