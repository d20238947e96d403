import Hummingbird
import SiyuCore
import SiyuStore

/// The campaign / channel screen for the wall (`/console/campaign`): dark, large type, a tile per
/// channel and per KOL (``ChannelBoard``) with 14-day sparklines, totals across the top.
///
/// `?range=today|7d|30d` (default 7 days, today included), `?view=channels|kols`, `?rotate=1`
/// switches between the two views. The page re-reads its body from `/console/campaign/live` every
/// 60 s with a small script; without the script a meta refresh reloads it (and rotates the view).
struct CampaignPage: ConsolePage {
    let kernels: ReportKernels
    let clock: @Sendable () -> Int64

    /// Days the sparklines cover.
    static let trendDays = 14
    /// Seconds between refreshes (and view switches when rotating).
    static let refreshSeconds = 60

    enum Range: String, CaseIterable {
        case today
        case week = "7d"
        case month = "30d"

        var days: Int {
            switch self {
            case .today: return 1
            case .week: return 7
            case .month: return 30
            }
        }
    }

    enum View: String, CaseIterable {
        case channels, kols
    }

    init(store: any WorkspaceRepository & SettingsRepository, cache: AnalyticsCache, clock: @escaping @Sendable () -> Int64) {
        kernels = ReportKernels(store: store, cache: cache)
        self.clock = clock
    }

    var navigation: [ConsoleNavItem] {
        [ConsoleNavItem(id: "campaign", path: "/console/campaign", labelKey: "campaign.nav", order: 35)]
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("campaign") { request, context in try await self.page(request, context, views) }
        group.get("campaign/live") { request, context in try await self.live(request, context, views) }
    }

    /// What a request asks for.
    struct Options {
        var range: Range
        var view: View
        var rotate: Bool

        func href(view: View? = nil, range: Range? = nil) -> String {
            "/console/campaign?range=\((range ?? self.range).rawValue)&view=\((view ?? self.view).rawValue)" + (rotate ? "&rotate=1" : "")
        }
    }

    func page(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let strings = views.strings(context)
        let options = try options(request, strings)
        let nextView: View = options.rotate ? (options.view == .channels ? .kols : .channels) : options.view
        let model = Model(
            body: try await body(identity, context, views, calendar, now, options),
            refreshSeconds: String(Self.refreshSeconds),
            refreshURL: options.href(view: nextView),
            liveURL: "/console/campaign/live?range=\(options.range.rawValue)",
            rotate: options.rotate,
            rotateHref: options.rotate ? options.href().replacingOccurrences(of: "&rotate=1", with: "") : options.href() + "&rotate=1",
            view: options.view.rawValue,
            views: View.allCases.map { view in
                Link(
                    id: view.rawValue,
                    label: strings.text("campaign.views." + view.rawValue),
                    href: options.href(view: view),
                    current: view == options.view
                )
            },
            ranges: Range.allCases.map { range in
                Link(
                    id: range.rawValue,
                    label: strings.text("campaign.ranges." + range.rawValue),
                    href: options.href(range: range),
                    current: range == options.range
                )
            }
        )
        return try views.page(
            ConsoleView(template: "campaign", titleKey: "campaign.title", navId: "campaign", model: model),
            request: request,
            context: context
        )
    }

    /// `{"html": "…", "updated": "14:05"}`: the page's body, rendered by the same partial.
    func live(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let (identity, calendar, now) = try prepare(context)
        let options = try options(request, views.strings(context))
        let body = try await body(identity, context, views, calendar, now, options)
        let html = try views.fragment("campaign-body", model: body, locale: context.locale)
        var response = JSONResponse.make(["html": .string(html), "updated": .string(body.updated)])
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The page's body: the period, totals and both views' tiles.
    private func body(
        _ identity: ConsoleIdentity,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        _ calendar: LocalCalendar,
        _ now: Int64,
        _ options: Options
    ) async throws -> Body {
        let workspace = identity.workspace
        let today = calendar.day(now)
        let firstDay = today - options.range.days + 1
        let board = try await kernels.channelBoard(workspace, firstDay: firstDay, lastDay: today, calendar: calendar, now: now)
        // The sparklines always show 14 days; a 30-day board holds them already.
        let trendBoard =
            options.range.days >= Self.trendDays
            ? board : try await kernels.channelBoard(workspace, firstDay: today - Self.trendDays + 1, lastDay: today, calendar: calendar, now: now)
        let channels = try await kernels.store.channels(workspaceId: workspace.id)
        let presenter = CampaignPresenter(
            strings: views.strings(context),
            format: LocaleFormat(context.locale),
            currency: workspace.currency,
            channelNames: Dictionary(channels.map { ($0.key, $0.name) }, uniquingKeysWith: { first, _ in first }),
            trends: CampaignPresenter.trends(trendBoard, days: Self.trendDays)
        )
        let strings = views.strings(context)
        let first = calendar.label(ofBucket: firstDay, .day)
        let last = calendar.label(ofBucket: today, .day)
        return Body(
            period: first == last ? first : strings.text("campaign.period", ["first": first, "last": last]),
            updated: BoardPresenter(
                strings: strings,
                format: LocaleFormat(context.locale),
                currency: workspace.currency,
                calendar: calendar,
                channelNames: [:]
            )
            .clock(now),
            totals: presenter.totals(board.total),
            channelTiles: board.channels.map { presenter.tile($0) },
            kolTiles: board.kols.map { presenter.tile($0) },
            hasChannels: !board.channels.isEmpty,
            hasKOLs: !board.kols.isEmpty,
            showChannels: options.view == .channels,
            showKOLs: options.view == .kols,
            canManageChannels: identity.role.can(.manageKeys)
        )
    }

    private func options(_ request: Request, _ strings: StringTable) throws -> Options {
        let parameters = request.uri.queryParameters
        var options = Options(range: .week, view: .channels, rotate: false)
        if let text = parameters.get("range"), !text.isEmpty {
            guard let range = Range(rawValue: text) else {
                throw ConsolePageError.badRequest(strings.text("campaign.errors.badRange", ["value": String(text.prefix(40))]))
            }
            options.range = range
        }
        if let text = parameters.get("view"), !text.isEmpty {
            guard let view = View(rawValue: text) else {
                throw ConsolePageError.badRequest(strings.text("campaign.errors.badView", ["value": String(text.prefix(40))]))
            }
            options.view = view
        }
        options.rotate = ["1", "true", "yes"].contains(parameters.get("rotate") ?? "")
        return options
    }

    private func prepare(_ context: AppRequestContext) throws -> (ConsoleIdentity, LocalCalendar, Int64) {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        try identity.require(.read)
        guard let calendar = LocalCalendar.zone(identity.workspace.timeZone) else { throw ConsolePageError.internalError }
        return (identity, calendar, clock())
    }
}
