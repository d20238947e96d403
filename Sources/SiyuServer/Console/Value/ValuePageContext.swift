import Foundation
import HTTPTypes
import Hummingbird
import SiyuCore
import SiyuStore

/// What the value pages (RFM, tiers, concentration, customer value) need on every request: who
/// asks, the workspace's calendar, the words of the request's language and its number formats.
struct ValuePageContext {
    let identity: ConsoleIdentity
    let calendar: LocalCalendar
    let strings: StringTable
    let format: LocaleFormat
    let now: Int64

    init(_ context: AppRequestContext, views: ConsoleViews, now: Int64) throws {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        self.identity = identity
        self.calendar = calendar
        self.strings = views.strings(context)
        self.format = LocaleFormat(context.locale)
        self.now = now
    }

    var workspace: Workspace { identity.workspace }
    /// What reading a query of the admin API needs: the pages ask their questions in the API's request types.
    var context: QueryContext { QueryContext(workspace: workspace, calendar: calendar, now: now) }
    var currency: String { identity.workspace.currency }
    /// Whether the user may store evaluations (labels, tiers, model fits): analysts and above.
    var canSave: Bool { identity.role.can(.saveAnalyses) }

    func money(_ minorUnits: Int64) -> String { format.money(minorUnits: minorUnits, currency: currency) }

    /// Money given in major units (model values such as CLV), rounded to the currency's minor unit.
    func money(major value: Double) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return money(Int64((value * scale).rounded()))
    }

    /// Money for a tile: whole units from 10,000 up (`¥1,271,531`), where the minor unit would
    /// only make the number too wide to read at a glance.
    func tileMoney(major value: Double) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return format.money(minorUnits: Int64((value * scale).rounded()), currency: currency, wholeFrom: 10_000)
    }

    func percent(_ fraction: Double) -> String { format.percent(fraction) }
    func integer(_ value: Int) -> String { format.integer(value) }

    /// Chart formatters built on ``LocaleFormat``.
    var moneyFormatter: ChartValueFormatter {
        let format = format
        let currency = currency
        return { format.money(minorUnits: Int64($0.rounded()), currency: currency) }
    }

    var majorMoneyFormatter: ChartValueFormatter {
        let format = format
        let currency = currency
        var scale = 1.0
        for _ in 0..<Money.exponent(of: currency) { scale *= 10 }
        return { [scale] in format.money(minorUnits: Int64(($0 * scale).rounded()), currency: currency) }
    }

    var percentFormatter: ChartValueFormatter {
        let format = format
        return { format.percent($0) }
    }

    var countFormatter: ChartValueFormatter {
        let format = format
        return { format.compact(Int64($0.rounded())) }
    }

    /// The string under `key`, or `fallback` when the table has none (codes an operator chose).
    func word(_ key: String, or fallback: String) -> String { strings.flat[key] ?? fallback }

    /// Channel key → the name operators gave it.
    func channelNames(_ store: any WorkspaceRepository) async throws -> [String: String] {
        let channels = try await store.channels(workspaceId: workspace.id)
        return Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    /// The local day of an instant, `2024-05-01`.
    func dayLabel(_ instant: Int64) -> String { calendar.label(ofBucket: calendar.day(instant), .day) }
}

/// The date range of a page's GET form (`from`, `to`: local dates, both included), checked with
/// the console's words, as the admin API's queries take it.
struct DateWindow {
    /// `from`/`to` as the form gave them (absent: the queries' default window).
    var from: String?
    var to: String?
    /// The range the queries settle on.
    var range: TimeRange
    /// First and last local day of the range, for the form's fields.
    var fromText: String
    var toText: String

    /// Reads `from` and `to`; a malformed date or an empty or too long range is a 400 page saying which.
    static func read(_ request: Request, _ page: ValuePageContext, defaultDays: Int, fields: (String, String) = ("from", "to")) throws -> DateWindow {
        let parameters = request.uri.queryParameters
        let given = try [fields.0, fields.1].map { field -> String? in
            guard let text = parameters.get(field)?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard text.count == 10, Timestamp.parseISO8601(text) != nil else {
                throw ConsolePageError.badRequest(page.strings.text("valueFilters.badDate", ["value": String(text.prefix(40))]))
            }
            return text
        }
        let range: TimeRange
        do {
            range = try page.context.range(from: given[0], to: given[1], defaultDays: defaultDays)
        } catch is APIError {
            throw ConsolePageError.badRequest(page.strings.text("valueFilters.badRange"))
        }
        return DateWindow(from: given[0], to: given[1], range: range, fromText: page.dayLabel(range.from), toText: page.dayLabel(range.to - 1))
    }

    /// The query string that repeats this window (`from=…&to=…`).
    var query: String { "from=\(fromText)&to=\(toText)" }

    /// The window as a page's form and links show it (`{{window.from}}`, `{{window.query}}`).
    struct Fields {
        var from: String
        var to: String
        var query: String
    }

    var fields: Fields { Fields(from: fromText, to: toText, query: query) }
}
