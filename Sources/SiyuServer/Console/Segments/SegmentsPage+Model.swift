/// What `segments.mustache` (the list), `segment.mustache` (one segment) and
/// `segment-builder.mustache` show, every value already formatted for the reader's language.
extension SegmentsPage {
    struct Model {
        var segments: [Row]
        var hasSegments: Bool
        /// Operators and up see the links that add and edit segments.
        var canEditSegments: Bool
    }

    /// A saved segment with its size over the last 30 days.
    struct Row {
        var id: Int64
        var name: String
        var description: String
        var kind: String
        var size: String
        var sparkline: String
        var refreshed: String
    }

    /// One segment's page.
    struct Segment {
        var segment: Facts
        var isDynamic: Bool
        var isStatic: Bool
        var ruleText: RuleText
        var chart: String
        var sizes: [Size]
        var members: [PeoplePage.Row]
        var hasMembers: Bool
        var membersPaged: Bool
        var canEditSegments: Bool
        /// The segment's path, for its forms and links.
        var base: String
        var nextHref: String?
        /// What the last refresh or upload did.
        var message: String?
    }

    struct Facts {
        var id: Int64
        var name: String
        var description: String
        var kind: String
        var size: String
        var refreshed: String
        var schedule: String
    }

    /// The rule in words, or as JSON when the builder cannot show it; `none` for a segment without one.
    struct RuleText {
        var words: Words?
        var json: String
        var none: Bool
    }

    /// One sentence per group of conditions, and how the groups combine.
    struct Words {
        var groups: [Sentence]
        var combine: String
    }

    struct Sentence {
        var text: String
    }

    struct Size {
        var at: String
        var size: String
    }

    /// The rule builder.
    struct Builder {
        var isNew: Bool
        /// Where the form posts.
        var action: String
        var cancelHref: String
        var name: String
        var description: String
        var isDynamic: Bool
        var isStatic: Bool
        var sourceRule: Bool
        var sourceCsv: Bool
        var csv: String
        var showRule: Bool
        var matchAll: Bool
        var matchAny: Bool
        var groups: [Group]
        var refreshOptions: [Option]
        var events: [Value]
        var traitKeys: [Value]
        var identityKinds: [Value]
        var channels: [Suggestion]
        var rfmClasses: [Suggestion]
        var churnBands: [Suggestion]
        var tierSchemes: [Suggestion]
        var attributes: [Suggestion]
        var labelValues: [Value]
        var canEditSegments: Bool
        /// What is wrong with the form; nothing was saved.
        var error: String?
        /// The live count after "preview".
        var previewText: String?
        /// A saved rule the builder cannot show, as JSON.
        var lockedRule: String?
    }

    /// A group of condition rows.
    struct Group {
        var number: Int
        var matchAll: Bool
        var matchAny: Bool
        var rows: [Condition]
    }

    /// A condition row; its fields are named `g{group}.c{row}.type` and so on.
    struct Condition {
        var prefix: String
        var number: Int
        var type: String
        var types: [Option]
        var key: String
        var value: String
        var days: String
        var ops: [Option]
    }

    /// An option of a select, `selected` for the current one.
    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    /// A value offered while typing, with its label.
    struct Suggestion {
        var value: String
        var label: String
    }

    struct Value {
        var value: String
    }
}

/// What the segment forms send.
extension SegmentsPage {
    /// `POST /console/segments` and `…/:id/edit`: the segment's own fields, the rule rows, and
    /// `intent=preview` to count without saving.
    struct BuilderForm: Decodable {
        var name: String?
        var description: String?
        var kind: String?
        var refresh: String?
        var source: String?
        var csv: String?
        var intent: String?
        var rule: SegmentRuleForm

        enum CodingKeys: String, CodingKey {
            case name, description, kind, refresh, source, csv, intent
        }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            name = try fields.decodeIfPresent(String.self, forKey: .name)
            description = try fields.decodeIfPresent(String.self, forKey: .description)
            kind = try fields.decodeIfPresent(String.self, forKey: .kind)
            refresh = try fields.decodeIfPresent(String.self, forKey: .refresh)
            source = try fields.decodeIfPresent(String.self, forKey: .source)
            csv = try fields.decodeIfPresent(String.self, forKey: .csv)
            intent = try fields.decodeIfPresent(String.self, forKey: .intent)
            rule = try SegmentRuleForm(from: decoder)
        }
    }

    /// `POST /console/segments/:id/members`: the members as CSV.
    struct MembersForm: Decodable {
        var csv: String?
    }
}
