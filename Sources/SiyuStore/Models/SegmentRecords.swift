import SiyuCore

/// How a segment gets its members.
public enum SegmentKind: String, Sendable, Codable, CaseIterable {
    /// Members are the people matching a rule, recomputed on a schedule and on demand.
    case dynamic
    /// A frozen list of people (picked by hand, from a CSV, or a snapshot of a rule).
    case `static`
}

/// A saved segment.
public struct SegmentRecord: Sendable, Equatable {
    public var id: Int64
    public var workspaceId: Int64
    public var name: String
    public var description: String
    public var kind: SegmentKind
    /// The rule as the API received it (JSON text); nil for static segments built from a list.
    public var rule: String?
    /// Minutes between scheduled refreshes of a dynamic segment; nil: only on demand.
    public var refreshMinutes: Int?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// When the members were last computed (nil: never).
    public var refreshedAt: Int64?
    public var size: Int

    public init(
        id: Int64,
        workspaceId: Int64,
        name: String,
        description: String,
        kind: SegmentKind,
        rule: String?,
        refreshMinutes: Int?,
        createdAt: Int64,
        updatedAt: Int64,
        refreshedAt: Int64?,
        size: Int
    ) {
        self.id = id
        self.workspaceId = workspaceId
        self.name = name
        self.description = description
        self.kind = kind
        self.rule = rule
        self.refreshMinutes = refreshMinutes
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.refreshedAt = refreshedAt
        self.size = size
    }

    /// Whether a scheduled refresh is due at `now`.
    public func isDue(at now: Int64) -> Bool {
        guard kind == .dynamic, let minutes = refreshMinutes else { return false }
        guard let refreshedAt else { return true }
        return now - refreshedAt >= Int64(minutes) * 60_000
    }
}

/// What a new segment or an edit carries; nil fields of an edit stay as they are.
public struct SegmentDraft: Sendable, Equatable {
    public var name: String?
    public var description: String?
    public var kind: SegmentKind?
    public var rule: String?
    /// `.some(nil)` clears the schedule.
    public var refreshMinutes: Int??

    public init(name: String? = nil, description: String? = nil, kind: SegmentKind? = nil, rule: String? = nil, refreshMinutes: Int?? = nil) {
        self.name = name
        self.description = description
        self.kind = kind
        self.rule = rule
        self.refreshMinutes = refreshMinutes
    }
}

/// A segment's size at one refresh.
public struct SegmentSize: Sendable, Equatable {
    public var at: Int64
    public var size: Int

    public init(at: Int64, size: Int) {
        self.at = at
        self.size = size
    }
}

/// How many people moved from one label to another of a scheme (nil: had none / lost it).
public struct LabelMovement: Sendable, Equatable {
    public var from: String?
    public var to: String?
    public var people: Int

    public init(from: String?, to: String?, people: Int) {
        self.from = from
        self.to = to
        self.people = people
    }
}

/// One person's current label in a scheme, and since when they have it.
public struct PersonLabel: Sendable, Equatable {
    public var scheme: String
    public var value: String
    public var since: Int64

    public init(scheme: String, value: String, since: Int64) {
        self.scheme = scheme
        self.value = value
        self.since = since
    }
}

/// What saving a scheme's assignments changed.
public struct LabelSaveSummary: Sendable, Equatable {
    /// People whose label is new or different (including people who lost theirs).
    public var changed: Int
    public var unchanged: Int

    public init(changed: Int, unchanged: Int) {
        self.changed = changed
        self.unchanged = unchanged
    }
}

/// Checks shared by both stores.
enum SegmentValidation {
    static func check(_ draft: SegmentDraft, creating: Bool) throws {
        if creating || draft.name != nil {
            let name = draft.name ?? ""
            guard !name.trimmingWhitespace().isEmpty, name.count <= 120 else {
                throw StoreError.invalid("a segment needs a name of 1 to 120 characters")
            }
        }
        if let description = draft.description, description.count > 2000 {
            throw StoreError.invalid("a segment description is at most 2,000 characters")
        }
        if case .some(.some(let minutes)) = draft.refreshMinutes, !(5...(60 * 24 * 31)).contains(minutes) {
            throw StoreError.invalid("refreshMinutes is between 5 and 44,640 (31 days)")
        }
    }

    static func checkScheme(_ scheme: String, assignments: [Int64: String]) throws {
        guard !scheme.isEmpty, scheme.count <= 64 else { throw StoreError.invalid("a label scheme name is 1 to 64 characters") }
        if assignments.values.contains(where: { $0.isEmpty || $0.count > 64 }) {
            throw StoreError.invalid("a label is 1 to 64 characters")
        }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}

/// A stored fit of the customer-value models.
public struct ValueFitRecord: Sendable, Equatable {
    public var id: Int64
    public var model: String
    public var fittedAt: Int64
    /// Orders up to this instant were used.
    public var cutoff: Int64
    public var customers: Int
    /// The fit's report (JSON text: parameters, log-likelihood, spend model, simple formula, warnings).
    public var report: String

    public init(id: Int64, model: String, fittedAt: Int64, cutoff: Int64, customers: Int, report: String) {
        self.id = id
        self.model = model
        self.fittedAt = fittedAt
        self.cutoff = cutoff
        self.customers = customers
        self.report = report
    }
}
