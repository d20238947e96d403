/// What erasing a person removes, stated once for both stores: every table that holds rows of a
/// person, the columns that name the person, whether the table is scoped by workspace, and which
/// deletions the ``ErasureSummary`` counts. Rows are deleted in this order (rows that refer to a
/// person before the person). A table added to the schema that holds people's rows belongs here,
/// and both stores then erase it.
enum ErasurePlan {
    enum Counted { case events, identities }

    struct Table: Sendable {
        let name: String
        let personColumns: [String]
        var scopedByWorkspace = true
        var counted: Counted?

        /// The condition that selects the group's rows: `workspace_id = W AND (c1 IN (…) OR c2 IN (…))`,
        /// with `people` the SQL of the group's ids in the backend's dialect (`IN (1,2)`, `= ANY(…)`).
        func condition(workspaceId: Int64, people: String) -> String {
            let columns = personColumns.map { "\($0) \(people)" }.joined(separator: " OR ")
            return scopedByWorkspace ? "workspace_id = \(workspaceId) AND (\(columns))" : "(\(columns))"
        }
    }

    static let tables: [Table] = [
        Table(name: "events", personColumns: ["person_id"], counted: .events),
        Table(name: "identities", personColumns: ["person_id"], counted: .identities),
        Table(name: "person_tags", personColumns: ["person_id"], scopedByWorkspace: false),
        Table(name: "segment_members", personColumns: ["person_id"]),
        Table(name: "person_labels", personColumns: ["person_id"]),
        Table(name: "label_changes", personColumns: ["person_id"]),
        Table(name: "person_attributes", personColumns: ["person_id"]),
        Table(name: "merges", personColumns: ["survivor_id", "loser_id"]),
        Table(name: "merge_conflicts", personColumns: ["kept_person_id", "other_person_id"]),
        // What journeys hold of a person: where they are, and what was (or is to be) sent to them.
        Table(name: "journey_instances", personColumns: ["person_id"]),
        Table(name: "outbox", personColumns: ["person_id"]),
        Table(name: "subscriptions", personColumns: ["person_id"]),
        Table(name: "contacts", personColumns: ["person_id"]),
        Table(name: "staff_tasks", personColumns: ["person_id"]),
        Table(name: "persons", personColumns: ["id"]),
    ]
}
