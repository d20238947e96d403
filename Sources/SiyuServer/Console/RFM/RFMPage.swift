import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// `/console/rfm`: the 11 RFM segments and the 8-class model over a window, the R/F/M quintile
/// bands, each class's people (`/console/rfm/people`, paged or CSV) and, for analysts, saving the
/// classes as the labels `rfm11` and `rfm8` (what the API's `"save": true` does).
struct RFMPage: ConsolePage {
    let store: any WorkspaceRepository & LabelRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "rfm", path: "/console/rfm", labelKey: "rfm.nav", order: 40)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("rfm") { request, context in try await self.show(request, context, views) }
        group.post("rfm/save") { request, context in try await self.save(request, context, views) }
        group.get("rfm/people") { request, context in try await self.people(request, context, views) }
    }

    /// The breakdowns RFM accepts (person-level ones).
    static let breakdowns = ["firstTouchChannel", "lastTouchChannel"]

    /// The window and breakdown of the form, as the API's query.
    func query(_ request: Request, _ page: ValuePageContext, breakdown allowed: Bool = true) throws -> (DateWindow, RFMQuery, String?) {
        let window = try DateWindow.read(request, page, defaultDays: 365)
        var breakdown: String?
        if allowed, let text = request.uri.queryParameters.get("breakdown"), !text.isEmpty {
            guard Self.breakdowns.contains(text) else {
                throw ConsolePageError.badRequest(page.strings.text("valueFilters.badBreakdown", ["value": String(text.prefix(40))]))
            }
            breakdown = text
        }
        do {
            let body = Components.Schemas.RFMRequest(
                from: window.from,
                to: window.to,
                breakdown: breakdown.flatMap(Components.Schemas.AnalyticsBreakdownTouch.init).map { .AnalyticsBreakdownTouch($0) }
            )
            return (window, try body.query(page.context), breakdown)
        } catch let error as APIError {
            throw ConsolePageError.badRequest(error.message)
        }
    }

    func show(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews, message: String? = nil) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        let (window, query, breakdown) = try self.query(request, page)
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: query.propertyKeys)
        let result = RFMEngine(dataset: dataset, query: query).run()
        let channels = try await page.channelNames(store)
        let none = Option(value: "", label: page.strings.text("valueFilters.noBreakdown"), selected: breakdown == nil)
        let model = Model(
            window: window.fields,
            breakdowns: [none]
                + Self.breakdowns.map { code in
                    Option(value: code, label: page.strings.text("valueFilters.breakdowns." + code), selected: breakdown == code)
                },
            canSave: page.canSave,
            message: message,
            result: RFMPresenter(page: page, window: window, channelNames: channels).resultModel(result, breakdown: breakdown)
        )
        return try views.page(ConsoleView(template: "rfm", titleKey: "rfm.title", navId: "rfm", model: model), request: request, context: context)
    }

    /// Stores every buyer's segment and class as the labels `rfm11` and `rfm8`, as the API's `"save": true` does.
    func save(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        try page.identity.require(.saveAnalyses)
        let (_, query, _) = try self.query(request, page, breakdown: false)
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: query.propertyKeys)
        let result = RFMEngine(dataset: dataset, query: query).run()
        let eleven = try await store.saveLabels(workspaceId: page.workspace.id, scheme: "rfm11", assignments: result.segmentLabels)
        let eight = try await store.saveLabels(workspaceId: page.workspace.id, scheme: "rfm8", assignments: result.classLabels)
        let message = page.strings.text(
            "rfm.saved",
            ["buyers": page.integer(result.rows.count), "eight": page.integer(eight.changed), "eleven": page.integer(eleven.changed)]
        )
        return try await show(request, context, views, message: message)
    }

    /// The buyers of one class (`class=importantValue`) or segment (`segment=atRisk`): 50 a page, or all as CSV (`format=csv`).
    func people(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        let (window, query, _) = try self.query(request, page, breakdown: false)
        let parameters = request.uri.queryParameters
        let rfmClass = try parameters.get("class").flatMap { $0.isEmpty ? nil : $0 }.map { code -> RFMClass in
            guard let value = RFMClass(rawValue: code) else {
                throw ConsolePageError.badRequest(page.strings.text("rfm.people.unknown", ["value": String(code.prefix(40))]))
            }
            return value
        }
        let segment = try parameters.get("segment").flatMap { $0.isEmpty ? nil : $0 }.map { code -> RFMSegment in
            guard let value = RFMSegment(rawValue: code) else {
                throw ConsolePageError.badRequest(page.strings.text("rfm.people.unknown", ["value": String(code.prefix(40))]))
            }
            return value
        }
        guard (rfmClass == nil) != (segment == nil) else { throw ConsolePageError.badRequest(page.strings.text("rfm.people.chooseOne")) }
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: query.propertyKeys)
        // The same selection as the admin API's `rfm/people`.
        let rows = RFMEngine(dataset: dataset, query: query).run().rows.filter { row in
            rfmClass.map { row.rfmClass == $0 } ?? (row.segment == segment)
        }
        let code = rfmClass?.rawValue ?? segment?.rawValue ?? ""
        if parameters.get("format") == "csv" {
            let people = rows.compactMap { dataset.personIndex(of: $0.personId) }
            return PeopleList.csv(people, dataset: dataset, filename: "rfm-\(code).csv")
        }
        let after = try parameters.get("cursor").flatMap { $0.isEmpty ? nil : $0 }.map { text -> Int64 in
            guard let id = Int64(text) else { throw ConsolePageError.badRequest(page.strings.text("rfm.people.badCursor")) }
            return id
        }
        let pageSize = 50
        let remaining = rows.filter { row in after.map { row.personId > $0 } ?? true }
        let shown = Array(remaining.prefix(pageSize))
        let channels = try await page.channelNames(store)
        let kind = rfmClass != nil ? "class" : "segment"
        let base = "/console/rfm/people?\(kind)=\(code)&\(window.query)"
        let model = People(
            name: page.strings.text(rfmClass != nil ? "rfm.classes.\(code)" : "rfm.segments.\(code)"),
            total: page.integer(rows.count),
            window: window.fields,
            csvHref: base + "&format=csv",
            backHref: "/console/rfm?\(window.query)",
            isEmpty: rows.isEmpty,
            people: shown.map { row in
                let index = dataset.personIndex(of: row.personId)
                let userId = index.flatMap { dataset.userIds[$0] } ?? ""
                return Buyer(
                    label: userId.isEmpty ? "#\(row.personId)" : userId,
                    id: String(row.personId),
                    name: index.flatMap { dataset.traits[$0]["name"]?.scalarText } ?? "",
                    channel: index.map { key in
                        let channel = dataset.channelName(dataset.firstChannel[key])
                        return channels[channel] ?? channel
                    } ?? "",
                    recency: page.integer(row.recencyDays),
                    frequency: page.integer(row.frequency),
                    monetary: page.money(row.monetary),
                    lastOrder: page.dayLabel(row.lastOrder),
                    scores: "\(row.r)-\(row.f)-\(row.m)"
                )
            },
            range: page.strings.text(
                "rfm.people.range",
                [
                    "first": page.integer(rows.count - remaining.count + (shown.isEmpty ? 0 : 1)),
                    "last": page.integer(rows.count - remaining.count + shown.count),
                ]
            ),
            nextHref: remaining.count > shown.count ? shown.last.map { base + "&cursor=\($0.personId)" } : nil
        )
        return try views.page(
            ConsoleView(template: "rfm-people", titleKey: "rfm.people.title", navId: "rfm", model: model),
            request: request,
            context: context
        )
    }
}
