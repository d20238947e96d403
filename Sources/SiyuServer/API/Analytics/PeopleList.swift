import Hummingbird
import SiyuCore

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

    /// Every person of `people` (dataset indexes) as a streamed CSV download, as the console exports lists.
    static func csv(_ people: [Int], dataset: Dataset, filename: String) -> Response {
        CSVResponse.stream(filename: filename, header: csvHeader, count: people.count) { csvRow(dataset, people[$0]) }
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
    static func page(_ people: [Int], dataset: Dataset, limit: Int?, cursor: String?) throws -> (positions: ArraySlice<Int>, nextCursor: String?) {
        guard (1...1000).contains(limit ?? 100) else { throw QueryContext.fail("limit must be 1 to 1000", "limit") }
        let after = try cursor.map { text -> Int64 in
            guard let id = Int64(text) else { throw QueryContext.fail("cursor is not valid", "cursor") }
            return id
        }
        return page(people, dataset: dataset, limit: limit ?? 100, after: after)
    }
}
