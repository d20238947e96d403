import SiyuCore

/// Where a staff task is: waiting for someone (open), done, or dismissed (not needed after all).
public enum StaffTaskStatus: String, Sendable, Codable, CaseIterable {
    case open, done, dismissed
}

/// A task a journey gave the brand's staff (call a customer, send a sample): made once from the
/// outbox row that asked for it, listed in the console, confirmed as done or dismissed.
public struct StaffTask: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    /// The outbox row's key: a row delivered twice makes one task.
    public var key: String
    public var personId: Int64?
    public var journeyId: Int64?
    public var title: String
    public var assignee: String?
    public var dueAt: Int64?
    public var status: StaffTaskStatus
    /// Who confirmed it (a console user's e-mail, or what the admin API was told) and when.
    public var confirmedBy: String?
    public var confirmedAt: Int64?
    public var note: String?
    public var createdAt: Int64

    public init(
        id: Int64,
        workspaceId: Int64,
        key: String,
        personId: Int64?,
        journeyId: Int64?,
        title: String,
        assignee: String?,
        dueAt: Int64?,
        status: StaffTaskStatus,
        confirmedBy: String?,
        confirmedAt: Int64?,
        note: String?,
        createdAt: Int64
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.key = key
        self.personId = personId
        self.journeyId = journeyId
        self.title = title
        self.assignee = assignee
        self.dueAt = dueAt
        self.status = status
        self.confirmedBy = confirmedBy
        self.confirmedAt = confirmedAt
        self.note = note
        self.createdAt = createdAt
    }
}

/// A task to record, as its outbox row describes it.
public struct StaffTaskDraft: Sendable, Equatable {
    public var key: String
    public var personId: Int64?
    public var journeyId: Int64?
    public var title: String
    public var assignee: String?
    public var dueAt: Int64?

    public init(key: String, personId: Int64?, journeyId: Int64?, title: String, assignee: String?, dueAt: Int64?) {
        self.key = key
        self.personId = personId
        self.journeyId = journeyId
        self.title = title
        self.assignee = assignee
        self.dueAt = dueAt
    }
}

/// The rules both stores follow for staff tasks, stated once.
public enum StaffTaskValidation {
    /// A title of 1 to 200 characters (a journey's task action allows as much), an assignee and a
    /// confirmer of at most 200, a note of at most 1,000; no control characters but line breaks in a note.
    public static let maximumTitleLength = 200
    public static let maximumNameLength = 200
    public static let maximumNoteLength = 1000
    /// The most tasks one listing answers.
    public static let maximumListLimit = 1000

    /// A draft made fit to store: an over-long title or assignee (an outbox row written by an older
    /// version, edited by hand) is cut rather than refused, so that the staff still see the task.
    public static func bounded(_ draft: StaffTaskDraft) -> StaffTaskDraft {
        var draft = draft
        draft.title = String(clean(draft.title).prefix(maximumTitleLength))
        if draft.title.allSatisfy(\.isWhitespace) { draft.title = "–" }
        draft.assignee = draft.assignee.map { String(clean($0).prefix(maximumNameLength)) }.flatMap { $0.isEmpty ? nil : $0 }
        return draft
    }

    /// Checks a confirmation: done or dismissed, by someone named, with an optional bounded note.
    public static func checkConfirm(status: StaffTaskStatus, by: String, note: String?) throws {
        guard status != .open else { throw StoreError.invalid("a task is confirmed as done or dismissed") }
        guard !by.allSatisfy(\.isWhitespace), by.count <= maximumNameLength, clean(by) == by else {
            throw StoreError.invalid("who confirms a task is named in 1 to \(maximumNameLength) characters without control characters")
        }
        if let note {
            guard note.count <= maximumNoteLength,
                !note.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\n" && $0 != "\r" && $0 != "\t") || $0.value == 0x7f })
            else { throw StoreError.invalid("a task's note is at most \(maximumNoteLength) characters without control characters") }
        }
    }

    /// A listing's limit, 1 to ``maximumListLimit``.
    public static func checkLimit(_ limit: Int) throws {
        guard (1...maximumListLimit).contains(limit) else { throw StoreError.invalid("limit must be 1 to \(maximumListLimit)") }
    }

    /// `text` without control characters.
    static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }))
    }
}
