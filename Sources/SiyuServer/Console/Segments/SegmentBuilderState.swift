import SiyuCore
import SiyuStore

/// What the builder page holds: the segment's own fields and the rule form.
struct SegmentBuilderState: Sendable {
    var existing: SegmentRecord?
    var name = ""
    var description = ""
    var kind = SegmentKind.dynamic
    var refreshMinutes: Int? = 60
    /// For a new static segment: `rule` (a snapshot of the rule now) or `csv` (a list of people).
    var source = "rule"
    var csv = ""
    var form = SegmentRuleForm()
    /// A saved rule the builder cannot show (written through the API), as JSON.
    var lockedRule: String?
    var error: String?
    var previewCount: Int?

    /// Refresh schedules offered, in minutes (nil: only on demand).
    static let refreshChoices: [Int?] = [nil, 15, 60, 360, 1440]

    init() {}

    init(segment: SegmentRecord) {
        existing = segment
        name = segment.name
        description = segment.description
        kind = segment.kind
        refreshMinutes = segment.refreshMinutes
        if let text = segment.rule {
            if let json = try? JSONParser.parse(text), let form = SegmentRuleForm(rule: json) {
                self.form = form
            } else {
                lockedRule = text
            }
        }
    }

    init(form fields: SegmentsPage.BuilderForm, existing: SegmentRecord?) {
        self.existing = existing
        name = fields.name ?? ""
        description = fields.description ?? ""
        kind = existing?.kind ?? (fields.kind == "static" ? .static : .dynamic)
        refreshMinutes = fields.refresh.flatMap { Int($0) }
        source = fields.source == "csv" ? "csv" : "rule"
        csv = fields.csv ?? ""
        form = fields.rule
    }

    /// Whether saving reads the rule rows (dynamic segments, and new static ones frozen from a rule).
    var usesRule: Bool {
        if let existing { return existing.kind == .dynamic }
        return kind == .dynamic || source == "rule"
    }
}
