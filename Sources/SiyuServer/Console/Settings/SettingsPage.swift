import Foundation
import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/settings`: the workspace (its time zone editable by admins; the currency fixed), the
/// KPI event mapping (analysts and up), channels (admins), write keys and admin tokens (admins; a
/// new secret is shown once) and a link to the team page.
struct SettingsPage: ConsolePage {
    let store: any WorkspaceRepository & SettingsRepository
    let directory: WorkspaceDirectory
    let clock: @Sendable () -> Int64

    /// The zones offered first in the time-zone list; the current zone is always offered too.
    static let commonTimeZones = [
        "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul", "Asia/Kolkata", "Asia/Dubai",
        "Europe/London", "Europe/Paris", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo",
        "Australia/Sydney", "Pacific/Auckland", "UTC",
    ]

    static let kpiLists = ["exposures", "clicks", "interactions", "conversions", "keyActions"]

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "settings", path: "/console/settings", labelKey: "settings.nav", order: 800)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("settings") { request, context in try await self.show(request, context, views, notice: nil, status: .ok) }
        group.post("settings/workspace") { request, context in try await self.saveTimeZone(request, context, views) }
        group.post("settings/kpi") { request, context in try await self.saveKPI(request, context, views) }
        group.post("settings/channels") { request, context in try await self.saveChannel(request, context, views) }
        addKeyRoutes(to: group, views: views)
    }

    func show(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        notice: ConsoleNotice?,
        status: HTTPResponse.Status,
        channelDraft: ChannelDraft? = nil,
        changed: Workspace? = nil
    ) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        let fmt = try PeoplePage.format(views, context, identity)
        // After a change in this request the identity still holds the workspace as it was.
        let workspace = changed ?? identity.workspace
        let role = identity.role
        let saved = try await store.settings(workspaceId: workspace.id)
        let channels = try await store.channels(workspaceId: workspace.id)
        let editKey = request.uri.queryParameters.get("channel")
        let editing = editKey.flatMap { key in channels.first { $0.key == key } }
        let presenter = SettingsPresenter(fmt: fmt, role: role, workspace: workspace)
        var model = presenter.model(saved: saved, channels: channels, draft: channelDraft ?? editing.map(presenter.draft) ?? ChannelDraft())
        if role.can(.manageKeys) { try await addKeys(to: &model, workspace: workspace, format: fmt) }
        return try views.page(
            ConsoleView(template: "settings", titleKey: "settings.title", navId: "settings", model: model, notice: notice),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/settings/workspace` with `timeZone`: moves the workspace to another IANA zone.
    /// Queries build their calendar from the workspace on every request, so the next page is cut there.
    func saveTimeZone(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.changeTimeZone)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(TimeZoneForm.self)
        let zone = (form.timeZone ?? "").trimmingCharacters(in: .whitespaces)
        // The check every analytics query makes before it builds the workspace's calendar.
        guard !zone.isEmpty, zone.count <= 64, LocalCalendar.zone(zone) != nil else {
            let text = strings.text("settings.workspace.badTimeZone", ["zone": String(zone.prefix(64))])
            return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: true), status: .badRequest)
        }
        var workspace = identity.workspace
        if zone != workspace.timeZone {
            do {
                try await store.updateWorkspaceTimeZone(id: workspace.id, timeZone: zone)
            } catch let error as StoreError {
                return try await show(request, context, views, notice: ConsoleNotice(text: error.description, isError: true), status: .badRequest)
            }
            directory.invalidate(workspaceId: workspace.id)
            workspace.timeZone = zone
        }
        let text = strings.text("settings.workspace.saved", ["zone": zone])
        return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false), status: .ok, changed: workspace)
    }

    /// `POST /console/settings/kpi`: the five lists (one event name per line or comma-separated),
    /// checked as the admin API checks them; `action=reset` goes back to the defaults.
    func saveKPI(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.editAnalyticsSettings)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(KPIForm.self)
        let workspace = identity.workspace
        if form.intent == "reset" {
            _ = try await store.saveSetting(workspaceId: workspace.id, key: "kpiMapping", value: nil)
            return try await show(
                request,
                context,
                views,
                notice: ConsoleNotice(text: strings.text("settings.kpi.reset"), isError: false),
                status: .ok
            )
        }
        var object = JSONObject()
        for list in Self.kpiLists {
            let names = (form.text(list) ?? "").split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == "\r" })
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var unique: [String] = []
            for name in names where !unique.contains(name) { unique.append(name) }
            object[list] = .array(unique.map(JSONValue.string))
        }
        object["pageAndScreenAreExposures"] = .bool(form.pageAndScreen == "on")
        if (object["conversions"]?.arrayValue ?? []).isEmpty {
            return try await show(
                request,
                context,
                views,
                notice: ConsoleNotice(text: strings.text("settings.kpi.needConversion"), isError: true),
                status: .badRequest
            )
        }
        do {
            try AnalyticsSettings.check(key: "kpiMapping", value: .object(object), workspace: workspace, now: clock())
        } catch let error as APIError {
            return try await show(request, context, views, notice: ConsoleNotice(text: error.message, isError: true), status: .badRequest)
        }
        _ = try await store.saveSetting(workspaceId: workspace.id, key: "kpiMapping", value: .object(object))
        return try await show(request, context, views, notice: ConsoleNotice(text: strings.text("settings.kpi.saved"), isError: false), status: .ok)
    }

    /// `POST /console/settings/channels`: adds a channel or changes one (its tracking codes are kept).
    func saveChannel(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.manageChannels)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(ChannelForm.self)
        let workspace = identity.workspace
        let key = (form.key ?? "").trimmingCharacters(in: .whitespaces)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespaces)
        let costText = (form.cost ?? "").trimmingCharacters(in: .whitespaces)
        let draft = ChannelDraft(key: key, name: name, kind: form.kind ?? "", cost: costText, isEdit: form.isEdit == "1")
        func fail(_ text: String) async throws -> Response {
            try await show(request, context, views, notice: ConsoleNotice(text: text, isError: true), status: .badRequest, channelDraft: draft)
        }
        guard Channel.isValidKey(key) else { return try await fail(strings.text("settings.channels.badKey")) }
        guard !name.isEmpty, name.count <= 100 else { return try await fail(strings.text("settings.channels.badName")) }
        guard let kind = ChannelKind(rawValue: form.kind ?? "") else { return try await fail(strings.text("settings.channels.badKind")) }
        var cost: Int64?
        if !costText.isEmpty {
            guard let minor = Money.minorUnits(.string(costText), currency: workspace.currency), minor >= 0 else {
                return try await fail(strings.text("settings.channels.badCost", ["currency": workspace.currency]))
            }
            cost = minor
        }
        let existing = try await store.channels(workspaceId: workspace.id).first { $0.key == key }
        let channel = Channel(key: key, name: name, kind: kind, trackingCodes: existing?.trackingCodes ?? [], monthlyCostMinor: cost)
        do {
            try await store.saveChannel(channel, workspaceId: workspace.id)
        } catch let error as StoreError {
            return try await fail(error.description)
        }
        directory.invalidate(workspaceId: workspace.id)
        let text = strings.text(existing == nil ? "settings.channels.added" : "settings.channels.saved", ["name": name])
        return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false), status: .ok)
    }

    // MARK: - Helpers

    /// The saved mapping, or the defaults (the same decoding the KPI queries use).
    static func mapping(_ value: JSONValue?) -> KPIEventMapping {
        guard let value, !value.isNull, let data = JSONWriter.string(value).data(using: .utf8),
            let mapping = try? JSONDecoder().decode(KPIEventMapping.self, from: data)
        else { return .segmentEcommerce }
        return mapping
    }

    /// The common zones, with `current` first when it is not one of them.
    static func timeZoneChoices(current: String) -> [String] {
        commonTimeZones.contains(current) ? commonTimeZones : [current] + commonTimeZones
    }

    static func names(_ mapping: KPIEventMapping, _ list: String) -> [String] {
        switch list {
        case "exposures": return mapping.exposures
        case "clicks": return mapping.clicks
        case "interactions": return mapping.interactions
        case "conversions": return mapping.conversions
        default: return mapping.keyActions
        }
    }

    static func amountText(_ minor: Int64, currency: String) -> String {
        let exponent = Money.exponent(of: currency)
        guard exponent > 0 else { return String(minor) }
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let fraction = String(minor % scale)
        return "\(minor / scale)." + String(repeating: "0", count: exponent - fraction.count) + fraction
    }
}
