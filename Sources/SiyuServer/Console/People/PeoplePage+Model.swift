/// What `people.mustache` (the search) and `person.mustache` (one person) show, every value
/// already formatted for the reader's language, and what the tag form sends.
extension PeoplePage {
    struct Model {
        /// The search form's fields as typed.
        var q: String
        var identityText: String
        var traitText: String
        var tag: String
        var channels: [ChannelOption]
        var people: [Row]
        var hasPeople: Bool
        var filtered: Bool
        var problems: [String]
        var hasProblems: Bool
        var totalText: String
        /// This is not the first page.
        var paged: Bool
        var nextHref: String?
    }

    struct ChannelOption {
        var key: String
        var name: String
        var selected: Bool
    }

    /// A row of the people table.
    struct Row {
        var id: Int64
        var href: String
        var display: String
        var userId: String
        var hasName: Bool
        var firstChannel: String
        var lastSeen: String
        var orders: String
        var revenue: String
        var tags: [Tag]
    }

    struct Tag {
        var tag: String
    }

    /// One person's page.
    struct Person {
        var person: Summary
        var identities: [Identity]
        var traits: [Trait]
        var tags: [Tag]
        var hasTags: Bool
        /// Operators and up see the tag forms.
        var canEditTags: Bool
        var labels: [Label]
        var hasLabels: Bool
        var values: [Value]
        var hasValues: Bool
        var segments: [Segment]
        var hasSegments: Bool
        var merges: [Merge]
        var hasMerges: Bool
        var events: [Event]
        var hasEvents: Bool
        var timelinePaged: Bool
        var timelineFirstHref: String
        var timelineNextHref: String?
        var actionPath: String
        /// Said when the id asked for was merged into another person.
        var mergedNote: String?
        /// What the last tag change did.
        var message: String?
    }

    /// The person's row of the table, with when they were first and last seen and how often.
    struct Summary {
        var id: Int64
        var href: String
        var display: String
        var userId: String
        var hasName: Bool
        var firstChannel: String
        var lastSeen: String
        var orders: String
        var revenue: String
        var tags: [Tag]
        var firstSeen: String
        var lastChannel: String
        var events: String
    }

    struct Identity {
        var kind: String
        var value: String
        var since: String
    }

    struct Trait {
        var key: String
        var value: String
    }

    struct Label {
        var scheme: String
        var value: String
        var since: String
    }

    /// A predicted value, in its unit.
    struct Value {
        var name: String
        var value: String
    }

    struct Segment {
        var id: Int64
        var name: String
        var kind: String
    }

    struct Merge {
        var loser: Int64
        var survivor: Int64
        var at: String
        var identity: String
        var reason: String
        /// When it was undone, or empty.
        var undone: String
    }

    /// A row of the timeline.
    struct Event {
        var name: String
        var channel: String
        var time: String
        var details: String
        var isOrder: Bool
    }

    /// `POST /console/people/:id/tags`: a tag to add or one to remove.
    struct TagForm: Decodable {
        var add: String?
        var remove: String?
    }
}
