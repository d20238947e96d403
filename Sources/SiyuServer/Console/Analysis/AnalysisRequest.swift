import Hummingbird
import SiyuCore
import SiyuStore

/// What every analysis page (funnel, retention, lifecycle) needs for one request: who asks, the
/// workspace's calendar and the instant now, the reader's strings and number formats, the GET
/// form's values, and the channel names to show.
struct AnalysisRequest {
    let identity: ConsoleIdentity
    let calendar: LocalCalendar
    let now: Int64
    let strings: StringTable
    let format: LocaleFormat
    /// The query string's values (the first one of a repeated name).
    let query: [String: String]
    /// Display names of the workspace's channels by key.
    let channelNames: [String: String]

    /// Reads the request; a role without `.read` gets the 403 page.
    init(_ request: Request, _ context: AppRequestContext, views: ConsoleViews, store: any WorkspaceRepository, now: Int64) async throws {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        self.identity = identity
        self.calendar = calendar
        self.now = now
        self.strings = views.strings(context)
        self.format = LocaleFormat(context.locale)
        // The console's form reader, since browsers send spaces in GET forms as `+`.
        self.query = ConsoleForm(urlEncoded: request.uri.query ?? "").fields
        let channels = try await store.channels(workspaceId: identity.workspace.id)
        self.channelNames = Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    var workspace: Workspace { identity.workspace }

    /// A form value with surrounding spaces trimmed; `nil` when absent or blank.
    func value(_ name: String) -> String? { Self.clean(query[name]) }

    /// A field's text with surrounding spaces trimmed; `nil` when absent or blank.
    static func clean(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        return text
    }

    /// The GET form as a struct: each field trimmed, blank ones absent (as ``value(_:)`` reads them).
    func form<Input: Decodable>(_ type: Input.Type) throws -> Input {
        var fields: [String: String] = [:]
        for name in query.keys { fields[name] = value(name) }
        return try ConsoleForm(fields: fields).decodeFields(type)
    }

    /// The GET form as a struct with every field as sent (the struct cleans what it needs to).
    func rawForm<Input: Decodable>(_ type: Input.Type) throws -> Input {
        try ConsoleForm(fields: query).decodeFields(type)
    }

    /// `text` when it is one of `allowed` (the first when absent); an unknown value is a mistake
    /// worth saying, naming its `field`.
    func choice(_ text: String?, field name: String, _ allowed: [String]) throws -> String {
        guard let text else { return allowed[0] }
        guard allowed.contains(text) else { throw AnalysisInputError(strings.text("analysis.errors.badChoice", ["field": name, "value": text])) }
        return text
    }

    /// Today's local day number.
    var today: Int { calendar.day(now) }

    /// `2024-05-01` for a local day.
    func dayText(_ day: Int) -> String { calendar.label(ofBucket: day, .day) }

    /// The `from`/`to` dates of the form (local dates, both included), checked, with the last
    /// `defaultDays` days up to today when absent. Returns the texts to put in the query and the form.
    func dateRange(from: String?, to: String?, defaultDays: Int) throws -> (from: String, to: String) {
        let from = from ?? dayText(today - defaultDays + 1)
        let to = to ?? dayText(today)
        for (field, text) in [("from", from), ("to", to)] where !Self.isDate(text) {
            throw AnalysisInputError(strings.text("analysis.errors.badDate", ["field": strings.text("analysis." + field), "value": text]))
        }
        guard to >= from else { throw AnalysisInputError(strings.text("analysis.errors.reversedDates")) }
        return (from, to)
    }

    /// Whether `text` is a real calendar date written `YYYY-MM-DD`.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1970...2100).contains(year),
            (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// A breakdown value as the reader should see it: the channel's name, or "no channel".
    func groupName(_ value: String, breakdown: String) -> String {
        if value == Breakdown.noValue || value.isEmpty { return strings.text("analysis.noValue") }
        if breakdown.lowercased().contains("channel") { return channelNames[value] ?? value }
        return value
    }

    /// The breakdown options of the forms, with the current one selected.
    func breakdownOptions(_ current: String, _ codes: [String]) -> [ConsoleChoice] {
        options(current, codes, prefix: "analysis.breakdowns.")
    }

    /// Options of a `<select>` labelled from `prefix.code`.
    func options(_ current: String, _ codes: [String], prefix: String) -> [ConsoleChoice] {
        codes.map { ConsoleChoice(code: $0, label: strings.text(prefix + $0), selected: $0 == current) }
    }

    /// Counts on chart axes and bars: compact (1.2万 / 12.3k).
    var countFormatter: ChartValueFormatter {
        let format = self.format
        return { value in value.isFinite ? format.compact(Int64(value.rounded())) : "–" }
    }

    /// Fractions as percentages (0.123 → 12.3%).
    var percentFormatter: ChartValueFormatter {
        let format = self.format
        return { value in format.percent(value) }
    }

    /// A duration in milliseconds in the largest unit that keeps it above one: `45 min`, `3.5 h`, `2.1 d`.
    func duration(_ millis: Double?) -> String {
        guard let millis, millis.isFinite else { return "–" }
        let minutes = millis / 60_000
        if minutes < 1 { return strings.text("analysis.units.seconds", ["n": format.decimal(millis / 1000, digits: 0)]) }
        if minutes < 60 { return strings.text("analysis.units.minutes", ["n": format.decimal(minutes, digits: minutes < 10 ? 1 : 0)]) }
        let hours = minutes / 60
        if hours < 48 { return strings.text("analysis.units.hours", ["n": format.decimal(hours, digits: 1)]) }
        return strings.text("analysis.units.days", ["n": format.decimal(hours / 24, digits: 1)])
    }

    /// What reading a query of the admin API needs: the pages ask their questions in the API's request types.
    var context: QueryContext { QueryContext(workspace: workspace, calendar: calendar, now: now) }
}

/// A mistake in an analysis form, already in the reader's language; the page shows it above the form.
struct AnalysisInputError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

extension AnalysisRequest {
    /// The message of a mistake in the form: ours in the reader's language, or the admin API query's
    /// (the admin API's words) after a localised lead; `nil` for errors that are not the reader's.
    func inputMessage(_ error: any Error) -> String? {
        switch error {
        case let error as AnalysisInputError: return error.message
        case let error as APIError where error.status.code < 500:
            return strings.text("analysis.errors.query", ["message": error.message])
        case let error as AnswerSize.TooLarge:
            return strings.text("analysis.errors.query", ["message": error.description])
        default: return nil
        }
    }
}
