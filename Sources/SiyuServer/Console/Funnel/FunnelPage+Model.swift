/// What `funnel.mustache` and `funnel-dropped.mustache` show, every value already formatted for the
/// reader's language.
extension FunnelPage {
    struct Model {
        /// The workspace's event names, offered while typing a step.
        var eventNames: [String]
        /// What is wrong with the form, shown above it.
        var error: String?
        var stepRows: [StepRow]
        var window: Int
        var units: [ConsoleChoice]
        var orders: [ConsoleChoice]
        var breakdowns: [ConsoleChoice]
        var trends: [ConsoleChoice]
        var from: String
        var to: String
        /// No step was given: the standard steps found in the data were filled in.
        var usesDefaultSteps: Bool
        /// Fewer than two steps: the page asks for them instead of showing a result.
        var noSteps: Bool
        var result: Result?
    }

    /// A step of the builder (the last one empty, to add a step).
    struct StepRow {
        var index: Int
        var number: Int
        var event: String
        var key: String
        var value: String
        var label: String
        var ops: [ConsoleChoice]
        var isNew: Bool
        var hasFilter: Bool
    }

    /// Everything below the form once the funnel has run.
    struct Result {
        var isEmpty: Bool
        var funnelChart: String
        /// The same chart drawn for phones (CSS shows one of the two).
        var funnelChartNarrow: String
        var resultRows: [StepResult]
        var timeCharts: [TimeChart]
        var summary: [SummaryTile]
        var previousNote: String
        var hasBreakdown: Bool
        var breakdownLabel: String?
        var breakdownSteps: [Label]
        var breakdownRows: [BreakdownRow]
        var trendChart: String
        var trendRows: [TrendRow]
        var trendPeriod: String
    }

    struct StepResult {
        var label: String
        var count: String
        var fromStart: String
        var fromPrevious: String
        var median: String
        var mean: String
        /// The people who dropped before this step (none for the first step).
        var dropped: String?
        var droppedHref: String?
        var csvHref: String?
    }

    struct TimeChart {
        var label: String
        var median: String
        var mean: String
        var chart: String
    }

    /// Entered, converted or conversion now, in the previous period and the change.
    struct SummaryTile {
        var label: String
        var value: String
        var previous: String
        var change: ConsoleDelta
    }

    struct Label {
        var label: String
    }

    struct BreakdownRow {
        var name: String
        var cells: [Cell]
        var entered: String
        var rate: String
    }

    struct Cell {
        var count: String
        var rate: String
    }

    struct TrendRow {
        var label: String
        var entered: String
        var converted: String
        var rate: String
        var previousLabel: String
        var previousRate: String
    }

    /// The people who dropped at a step, a page of them.
    struct Dropped {
        var heading: String
        var explain: String
        var range: String
        var people: [DroppedPerson]
        var isEmpty: Bool
        var csvHref: String
        var backHref: String
        var pageText: String
        var previousHref: String?
        var nextHref: String?
    }

    struct DroppedPerson {
        var href: String
        var name: String
        var userId: String
        var channel: String
        var lastSeen: String
    }
}

/// What the funnel's GET forms send.
extension FunnelPage {
    /// The builder (`step0…step19` with their filters `key<i>`, `op<i>`, `val<i>`, then the
    /// window, order, breakdown, dates and trend) and, for who dropped, `step`, `format` and `page`.
    /// Each field is trimmed and blank ones are absent, except a filter's value, kept as typed.
    struct Query: Decodable {
        struct Step {
            var event: String?
            var key: String?
            var op: String?
            var value: String?
        }

        var steps: [Step]
        var window: String?
        var unit: String?
        var order: String?
        var breakdown: String?
        var from: String?
        var to: String?
        var trend: String?
        var step: String?
        var format: String?
        var page: String?

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: ConsoleForm.FieldName.self)
            func raw(_ name: String) throws -> String? { try fields.decodeIfPresent(String.self, forKey: ConsoleForm.FieldName(name)) }
            func field(_ name: String) throws -> String? { AnalysisRequest.clean(try raw(name)) }
            steps = try (0..<FunnelForm.maximumSteps).map { index in
                Step(event: try field("step\(index)"), key: try field("key\(index)"), op: try field("op\(index)"), value: try raw("val\(index)"))
            }
            window = try field("window")
            unit = try field("unit")
            order = try field("order")
            breakdown = try field("breakdown")
            from = try field("from")
            to = try field("to")
            trend = try field("trend")
            step = try field("step")
            format = try field("format")
            page = try field("page")
        }
    }
}
