/// What `journeys.mustache` (the list), `journey.mustache` (one journey's flow and result) and
/// `journey-stop.mustache` (the confirmation before stopping) show, every value already formatted
/// for the reader's language.
extension JourneysPage {
    struct Model {
        var journeys: [Row]
        var hasJourneys: Bool
        /// Operators and up see the pause, resume and stop buttons.
        var canRun: Bool
    }

    /// A journey in the list.
    struct Row {
        var id: Int64
        var name: String
        var status: String
        /// `draft`, `active`, `paused` or `stopped`, for the badge's class.
        var statusKey: String
        var version: String
        var entered: String
        /// Whether anybody entered (the browser test follows such a row to a flow with counts).
        var hasEntrants: Bool
        var waiting: String
        var sentToday: String
        var goal: Goal
        var canPause: Bool
        var canResume: Bool
        var canStop: Bool
    }

    /// The goal against the holdout: the two conversion rates and their difference with its 95 % interval.
    struct Goal {
        var treated: String
        var heldOut: String
        var difference: String
        var interval: String
        /// Whether the interval lies wholly above (`up`) or below (`down`) zero.
        var direction: String
    }

    /// One journey's page.
    struct Journey {
        var id: Int64
        var name: String
        var status: String
        var statusKey: String
        /// What is drawn: `v3`, or the draft.
        var drawn: String
        var versions: [VersionLink]
        var hasVersions: Bool
        var flow: String?
        var problems: [Problem]
        var hasProblems: Bool
        var nodes: [NodeRow]
        var goal: GoalTable
        var canRun: Bool
        var canPause: Bool
        var canResume: Bool
        var canStop: Bool
    }

    struct VersionLink {
        var label: String
        var href: String
        var current: Bool
    }

    struct Problem {
        var field: String
        var message: String
    }

    /// A node in the table under the chart (what the chart shows, for screen readers and copying).
    struct NodeRow {
        var id: String
        var kind: String
        var text: String
        var counts: String
    }

    /// The goal, treated and held out.
    struct GoalTable {
        var hasGoal: Bool
        var goalText: String
        var rows: [GoalRow]
        var difference: String
        var interval: String
        var direction: String
        var hasHoldout: Bool
    }

    struct GoalRow {
        var group: String
        var entrants: String
        var converted: String
        var rate: String
    }

    /// The question before stopping.
    struct Stop {
        var id: Int64
        var name: String
        var inside: String
    }

    /// The fields of the pause, resume and stop forms.
    struct ActionForm: Decodable {
        var confirm: String?
        /// Where to come back to: `list` (default) or `journey`.
        var back: String?
    }
}

/// What `journey-editor.mustache` shows: the journey's fields and one fieldset per node, each with
/// the fields of its kind.
extension JourneysPage {
    struct Editor {
        var isNew: Bool
        var action: String
        var cancelHref: String
        var name: String
        var entryEvent: String
        var entryKey: String
        var entrySegment: String
        var entryScheme: String
        var entryValues: String
        var entryIsEvent: Bool
        var entryIsSegment: Bool
        var entryIsLabel: Bool
        var reEntry: Bool
        var holdout: String
        var goalEvent: String
        var goalDays: String
        var rows: [EditorRow]
        var hasRows: Bool
        var addKinds: [Option]
        var nodeIds: [Option]
        var problems: [Problem]
        var hasProblems: Bool
        var error: String?
        var canAdd: Bool
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct EditorRow {
        var number: Int
        var prefix: String
        var id: String
        var kinds: [Option]
        var isStart: Bool
        var isDelay: Bool
        var isWaitFor: Bool
        var isCondition: Bool
        var isSplit: Bool
        var isRateLimit: Bool
        var isText: Bool
        var isTask: Bool
        var isLocked: Bool
        var hasNext: Bool
        var next: String
        var amount: String
        var units: [Option]
        var event: String
        var timeoutNext: String
        var types: [Option]
        var ops: [Option]
        var key: String
        var value: String
        var days: String
        var yes: String
        var no: String
        var lockedRule: String?
        var branches: [Branch]
        var count: String
        var perMinute: Bool
        var textLabel: String
        var text: String
        var assignee: String
        var dueMinutes: String
        var locked: String?
        var lockedText: String?
        var canMoveUp: Bool
        var canMoveDown: Bool
    }

    struct Branch {
        var slot: Int
        var weight: String
        var next: String
    }
}
