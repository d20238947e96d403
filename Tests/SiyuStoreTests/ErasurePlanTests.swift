import Foundation
import GRDB
import Testing

@testable import SiyuStore

@Suite struct ErasurePlanTests {
    /// Every table with a column that names a person is in the erasure plan both stores follow —
    /// all but `erasures`, the record of erasures itself (it keeps the erased person's id and the
    /// counts, nothing else). A new table of people's rows fails here until it is in the plan.
    @Test func everyTableOfPeopleIsInThePlan() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("siyu-erasure-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let tables = try await store.database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'").filter { table in
                try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").contains { row in
                    let column: String = row["name"]
                    return column.contains("person") || ["survivor_id", "loser_id"].contains(column)
                }
            }
        }
        #expect(!tables.isEmpty)
        let planned = Set(ErasurePlan.tables.map(\.name)).subtracting(["persons"])
        #expect(Set(tables).subtracting(["erasures"]) == planned)
    }
}
