import SiyuCore
import SiyuStore

/// Lists of people (funnel drop-outs, RFM buyers, segment members): pages in ascending person id
/// and the columns of their CSV export.
enum PeopleList {
    /// The columns of a person in a CSV list.
    static let csvHeader = ["personId", "userId", "name", "firstChannel", "lastSeen"]

    /// Person `p` of the dataset as a CSV list's row.
    static func csvRow(_ dataset: Dataset, _ p: Int) -> [String] {
        [
            String(dataset.personIds[p]), dataset.userIds[p] ?? "", dataset.traits[p]["name"]?.scalarText ?? "",
            dataset.channelName(dataset.firstChannel[p]), dataset.lastSeen[p] == .min ? "" : Timestamp.iso8601(dataset.lastSeen[p]),
        ]
    }

    /// One page of `people` (dataset indexes) in ascending person id, starting after the person id
    /// `after`: the positions in `people` of the page's entries and the cursor of the next page.
    static func page(_ people: [Int], dataset: Dataset, limit: Int, after: Int64?) -> (positions: ArraySlice<Int>, nextCursor: String?) {
        let order = people.indices.sorted { dataset.personIds[people[$0]] < dataset.personIds[people[$1]] }
        let start = after.map { after in order.firstIndex { dataset.personIds[people[$0]] > after } ?? order.count } ?? 0
        let end = min(order.count, start + limit)
        let next = end < order.count && end > start ? String(dataset.personIds[people[order[end - 1]]]) : nil
        return (order[start..<end], next)
    }

    /// The page a query body asks for with `limit` (1 to 1,000, default 100) and `cursor`.
    static func page(_ people: [Int], dataset: Dataset, reader: QueryReader) throws -> (positions: ArraySlice<Int>, nextCursor: String?) {
        let limit = try reader.int("limit", range: 1...1000) ?? 100
        let after = try reader.string("cursor").map { text -> Int64 in
            guard let id = Int64(text) else { throw QueryReader.fail("cursor is not valid", "cursor") }
            return id
        }
        return page(people, dataset: dataset, limit: limit, after: after)
    }
}

extension QueryReader {
    /// `"step": k, "status": "dropped"` (reached step k−1, not k; the default) or `"reached"`.
    func funnelStep(steps: Int) throws -> (step: Int, status: FunnelStepStatus) {
        guard let step = try int("step", range: 0...(steps - 1)) else { throw Self.fail("step is required", "step") }
        guard let status = FunnelStepStatus(rawValue: try string("status") ?? "dropped") else {
            throw Self.fail("status is dropped or reached", "status")
        }
        if status == .dropped && step == 0 { throw Self.fail("nobody drops at the first step; ask for step 1 or later", "step") }
        return (step, status)
    }

    /// Exactly one of `"class": "importantValue"` and `"segment": "atRisk"`.
    func rfmGroup() throws -> (RFMClass?, RFMSegment?) {
        let rfmClass = try string("class").map { code -> RFMClass in
            guard let value = RFMClass(rawValue: code) else { throw Self.fail("unknown RFM class `\(code)`", "class") }
            return value
        }
        let segment = try string("segment").map { code -> RFMSegment in
            guard let value = RFMSegment(rawValue: code) else { throw Self.fail("unknown RFM segment `\(code)`", "segment") }
            return value
        }
        guard (rfmClass == nil) != (segment == nil) else { throw Self.fail("give a class or a segment", "class") }
        return (rfmClass, segment)
    }
}

extension TierMovements {
    /// The movements between tiers, largest first (people who stayed are not movements).
    var movements: [LabelMovement] {
        var movements: [LabelMovement] = []
        for (from, row) in matrix {
            for (to, people) in row where from != to {
                movements.append(LabelMovement(from: from == Self.noTier ? nil : from, to: to == Self.noTier ? nil : to, people: people))
            }
        }
        return movements.sorted { a, b in
            let left = (a.people, b.from ?? "", b.to ?? "")
            let right = (b.people, a.from ?? "", a.to ?? "")
            return left > right
        }
    }
}
