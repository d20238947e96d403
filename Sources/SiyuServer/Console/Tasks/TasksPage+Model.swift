/// What `tasks.mustache` shows: the open staff tasks with their buttons, then the confirmed ones.
extension TasksPage {
    struct Model {
        var open: [Row]
        var hasOpen: Bool
        var closed: [Row]
        var hasClosed: Bool
        /// Operators and up see the done and dismiss buttons.
        var canConfirm: Bool
        var noteLimit: Int
    }

    struct Row {
        var id: Int64
        var title: String
        var person: String?
        var personHref: String?
        var journey: String?
        var journeyHref: String?
        var assignee: String
        var due: String
        var overdue: Bool
        var created: String
        var status: String
        var statusKey: String
        var confirmedBy: String
        var confirmed: String
        var note: String?
    }

    /// The fields of a confirmation: `done` or `dismissed`, and an optional note.
    struct ConfirmForm: Decodable {
        var status: String?
        var note: String?
    }
}
