import Foundation
import OpenAPIRuntime
import SiyuAPI
import SiyuCore

/// The funnel builder's GET form: `step0…step19` (event names) with optional filters `key<i>`,
/// `op<i>`, `val<i>`; `window` + `unit`; `order`; `breakdown`; `from`/`to`; `trend`. It is decoded
/// (`FunnelPage.Query`), checked against the workspace's event names, and turned into the admin
/// API's funnel request.
struct FunnelForm {
    /// One step as typed in the form.
    struct StepInput: Equatable {
        var event: String
        var key: String = ""
        var op: String = "eq"
        var value: String = ""
    }

    static let maximumSteps = 20
    /// The standard e-commerce path (Segment's spec names), used when no step is given.
    static let standardSteps = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
    static let units = ["day", "hour", "minute"]
    static let orders = ["ordered", "strict", "unordered"]
    static let breakdowns = ["none", "channel", "firstTouchChannel"]
    static let trends = ["day", "week"]
    static let operators = ["eq", "neq", "contains", "notContains", "gt", "gte", "lt", "lte", "isSet", "isNotSet"]

    var steps: [StepInput]
    var window: Int
    var unit: String
    var order: String
    var breakdown: String
    var from: String
    var to: String
    var trend: String
    /// No step was given: the standard steps found in the workspace's data were filled in.
    var usesDefaultSteps: Bool

    /// Checks the form as sent. `eventNames` are the names the workspace's events carry.
    init(_ query: FunnelPage.Query, _ request: AnalysisRequest, eventNames: Set<String>) throws {
        let strings = request.strings
        var steps: [StepInput] = []
        var sawStep = false
        for (index, step) in query.steps.enumerated() {
            let key = step.key ?? ""
            guard let event = step.event else {
                if !key.isEmpty { sawStep = true }
                continue
            }
            sawStep = true
            guard eventNames.contains(event) else {
                throw AnalysisInputError(strings.text("funnel.errors.unknownEvent", ["step": String(steps.count + 1), "name": event]))
            }
            let op = try request.choice(step.op, field: "op\(index)", Self.operators)
            let value = step.value ?? ""
            if !key.isEmpty && value.isEmpty && op != "isSet" && op != "isNotSet" {
                throw AnalysisInputError(strings.text("funnel.errors.filterValue", ["step": String(steps.count + 1), "key": key]))
            }
            steps.append(StepInput(event: event, key: key, op: op, value: key.isEmpty ? "" : value))
        }
        usesDefaultSteps = !sawStep
        if usesDefaultSteps { steps = Self.standardSteps.filter(eventNames.contains).map { StepInput(event: $0) } }
        if sawStep && steps.count < 2 { throw AnalysisInputError(strings.text("funnel.errors.twoSteps")) }
        self.steps = steps

        let windowText = query.window ?? "7"
        guard let window = Int(windowText), window > 0 else {
            throw AnalysisInputError(strings.text("funnel.errors.window", ["value": windowText]))
        }
        self.window = window
        unit = try request.choice(query.unit, field: "unit", Self.units)
        let unitMinutes = unit == "day" ? 1440 : unit == "hour" ? 60 : 1
        guard window <= 90 * 1440 / unitMinutes else { throw AnalysisInputError(strings.text("funnel.errors.window", ["value": windowText])) }
        order = try request.choice(query.order, field: "order", Self.orders)
        breakdown = try request.choice(query.breakdown, field: "breakdown", Self.breakdowns)
        let range = try request.dateRange(from: query.from, to: query.to, defaultDays: 30)
        from = range.from
        to = range.to
        // Daily points up to two months, weekly beyond, unless the form says.
        if query.trend == nil {
            trend = Self.days(from: range.from, to: range.to) > 62 ? "week" : "day"
        } else {
            trend = try request.choice(query.trend, field: "trend", Self.trends)
        }
    }

    /// The form as typed, unchecked, to show it again above a message saying what is wrong.
    init(unchecked query: FunnelPage.Query, _ request: AnalysisRequest) {
        steps = query.steps.compactMap { step in
            step.event.map { StepInput(event: $0, key: step.key ?? "", op: step.op ?? "eq", value: step.value ?? "") }
        }
        window = query.window.flatMap(Int.init) ?? 7
        unit = query.unit ?? "day"
        order = query.order ?? "ordered"
        breakdown = query.breakdown ?? "none"
        from = query.from ?? request.dayText(request.today - 29)
        to = query.to ?? request.dayText(request.today)
        trend = query.trend ?? "day"
        usesDefaultSteps = false
    }

    /// Number of days from `from` to `to`, both included.
    static func days(from: String, to: String) -> Int {
        guard let start = Timestamp.parseISO8601(from), let end = Timestamp.parseISO8601(to) else { return 0 }
        return Int((end - start) / 86_400_000) + 1
    }

    /// The admin API's funnel query for this form (`POST /api/v1/analytics/funnel`).
    var request: Components.Schemas.FunnelRequest {
        .init(
            steps: steps.map { step in
                let filter = Components.Schemas.AnalyticsCondition(
                    key: step.key,
                    op: Components.Schemas.AnalyticsComparison(rawValue: step.op),
                    value: OpenAPIValueContainer(.string(step.value))
                )
                return .FunnelStepDetail(.init(event: step.event, _where: step.key.isEmpty ? nil : [filter]))
            },
            from: from,
            to: to,
            window: .AnalyticsDurationValue(.init(value: Int64(window), unit: .init(rawValue: unit))),
            order: .init(rawValue: order),
            breakdown: breakdown == "none" ? nil : .AnalyticsBreakdownChannel(.init(rawValue: breakdown) ?? .channel),
            trend: .init(rawValue: trend)
        )
    }

    /// The form as a query string (for links to the people who dropped, and back).
    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        for (index, step) in steps.enumerated() {
            items.append(("step\(index)", step.event))
            if !step.key.isEmpty { items += [("key\(index)", step.key), ("op\(index)", step.op), ("val\(index)", step.value)] }
        }
        items += [("window", String(window)), ("unit", unit), ("order", order), ("breakdown", breakdown), ("from", from), ("to", to)]
        items.append(("trend", trend))
        return items
    }
}
