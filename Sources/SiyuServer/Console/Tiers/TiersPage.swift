import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// `/console/tiers`: the four tier schemes evaluated now (value pyramid 10/60/30, 5-3-2, intent
/// colours, value ladder), the stored movements between tiers, and for analysts "re-evaluate and
/// save" (`POST /console/tiers/save`, what the API's `"save": true` does, for every scheme).
struct TiersPage: ConsolePage {
    let store: any LabelRepository & SettingsRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "tiers", path: "/console/tiers", labelKey: "tiers.nav", order: 42)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("tiers") { request, context in try await self.show(request, context, views) }
        group.post("tiers/save") { request, context in try await self.save(request, context, views) }
    }

    /// Periods the movements table offers, in days.
    static let periods = [7, 30, 90, 365]

    /// Every scheme, configured as the API configures it: the form's window, filled with the saved settings.
    func evaluate(_ page: ValuePageContext, _ window: DateWindow) async throws -> [(TierScheme, TierAssignment)] {
        let settings = try await store.settings(workspaceId: page.workspace.id)
        let schemes = try TierScheme.Kind.allCases.map { kind -> TierScheme in
            do {
                let body = Components.Schemas.TiersRequest(scheme: .init(rawValue: kind.rawValue), from: window.from, to: window.to)
                return try body.filling(try AnalyticsSettings.tiers(settings["tiers." + kind.rawValue], kind)).scheme(page.context)
            } catch let error as APIError {
                throw ConsolePageError.badRequest(error.message)
            }
        }
        let dataset = try await cache.dataset(workspaceId: page.workspace.id, propertyKeys: schemes.flatMap(\.propertyKeys))
        return schemes.map { ($0, $0.assign(dataset, now: page.now)) }
    }

    func show(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews, message: String? = nil) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        let window = try DateWindow.read(request, page, defaultDays: 365)
        let parameters = request.uri.queryParameters
        let movementScheme = try Self.choice(parameters.get("scheme"), TierScheme.Kind.allCases.map(\.rawValue), default: "pyramid", page)
        let days = Int(try Self.choice(parameters.get("days"), Self.periods.map(String.init), default: "30", page)) ?? 30
        let evaluated = try await evaluate(page, window)
        let presenter = TiersPresenter(page: page)
        var model = Model(
            window: window.fields,
            canSave: page.canSave,
            schemeOptions: TierScheme.Kind.allCases.map { kind in
                Option(value: kind.rawValue, label: page.strings.text("tiers.schemes." + kind.rawValue), selected: kind.rawValue == movementScheme)
            },
            periodOptions: Self.periods.map { period in
                Option(value: String(period), label: page.strings.text("tiers.lastDays", ["days": String(period)]), selected: period == days)
            },
            movements: TiersPage.Movements(isEmpty: true, moved: "", columns: [], rows: []),
            message: message
        )
        for (scheme, assignment) in evaluated {
            let shown = presenter.scheme(scheme, assignment)
            switch scheme.kind {
            case .pyramid: model.pyramid = shown
            case .fiveThreeTwo: model.fiveThreeTwo = shown
            case .colours: model.colours = shown
            case .ladder: model.ladder = shown
            }
        }
        let labelScheme = "tier." + movementScheme
        let movements = try await store.labelMovements(
            workspaceId: page.workspace.id,
            scheme: labelScheme,
            from: page.now - Int64(days) * 86_400_000,
            to: page.now + 1
        )
        let codes = evaluated.first { $0.0.kind.rawValue == movementScheme }?.1.tiers.map(\.code) ?? []
        model.movements = presenter.movements(movements, codes: codes)
        return try views.page(
            ConsoleView(template: "tiers", titleKey: "tiers.title", navId: "tiers", model: model),
            request: request,
            context: context
        )
    }

    /// Evaluates every scheme now and stores the assignments (labels `tier.<scheme>`; the store records who moved).
    func save(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        try page.identity.require(.saveAnalyses)
        let window = try DateWindow.read(request, page, defaultDays: 365)
        var parts: [String] = []
        for (scheme, assignment) in try await evaluate(page, window) {
            let summary = try await store.saveLabels(
                workspaceId: page.workspace.id,
                scheme: scheme.kind.labelScheme,
                assignments: assignment.assignments
            )
            parts.append(
                page.strings.text(
                    "tiers.savedScheme",
                    ["scheme": page.strings.text("tiers.schemes." + scheme.kind.rawValue), "changed": page.integer(summary.changed)]
                )
            )
        }
        let message = page.strings.text("tiers.saved", ["schemes": parts.joined(separator: page.strings.text("tiers.listSeparator"))])
        return try await show(request, context, views, message: message)
    }

    /// A select's value: one of `allowed`, or `fallback` when absent; anything else is a 400 page.
    static func choice(_ text: String?, _ allowed: [String], default fallback: String, _ page: ValuePageContext) throws -> String {
        guard let text, !text.isEmpty else { return fallback }
        guard allowed.contains(text) else {
            throw ConsolePageError.badRequest(page.strings.text("valueFilters.badChoice", ["value": String(text.prefix(40))]))
        }
        return text
    }
}
