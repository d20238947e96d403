import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// `/console/value`: the customer-value model's summary (CLV deciles, P(alive) churn bands, value
/// by first-touch channel, from the admin API's `value/summary`), the latest fit and its quality,
/// and for analysts a "refit now" form (`POST /console/value/refit`).
struct CustomerValuePage: ConsolePage {
    let store: any AttributeRepository & LabelRepository & SettingsRepository & WorkspaceRepository
    let cache: AnalyticsCache
    let clock: @Sendable () -> Int64

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "value", path: "/console/value", labelKey: "value.nav", order: 46)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("value") { request, context in try await self.show(request, context, views) }
        group.post("value/refit") { request, context in try await self.refit(request, context, views) }
        group.post("value/simple") { request, context in try await self.saveSimple(request, context, views) }
    }

    func show(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        notice: ConsoleNotice? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        let fit = try await store.valueFits(workspaceId: page.workspace.id, limit: 1).first
        // The admin API's own summary, so the page shows exactly its numbers.
        var summary: Components.Schemas.ValueSummary?
        do {
            let dataset = try await cache.dataset(workspaceId: page.workspace.id)
            summary = try .init(dataset: dataset, workspace: page.workspace, latestFit: fit, now: page.now)
        } catch let error as APIError where error.code == "not_fitted" {
            summary = nil
        }
        let presenter = CustomerValuePresenter(page: page, channelNames: try await page.channelNames(store))
        var model = Model(
            canSave: page.canSave,
            models: PurchaseModelKind.allCases.map { kind in
                Choice(
                    code: kind.rawValue,
                    label: page.strings.text("value.models." + kind.rawValue),
                    selected: kind.rawValue == (fit?.model ?? "bgnbd")
                )
            },
            hasModel: false
        )
        if let summary, let fit, summary.customers > 0 {
            model.hasModel = true
            model.summary = presenter.summary(summary)
            model.fit = presenter.fit(fit)
            let saved = ValueFitting.savedSimpleInputs(try await store.settings(workspaceId: page.workspace.id))
            model.simpleForm = presenter.simpleForm(fit, saved: saved)
        } else {
            model.emptyHint = page.strings.text(fit == nil ? "value.empty.never" : "value.empty.noValues")
        }
        let view = ConsoleView(template: "value", titleKey: "value.title", navId: "value", model: model, notice: notice)
        return try views.page(view, request: request, context: context, status: status)
    }

    /// Saves the simple formula's inputs (the `valueSimple` setting; empty fields are estimated) and
    /// refits with them, or (`reset`) clears them.
    func saveSimple(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        try page.identity.require(.saveAnalyses)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(SimpleInputForm.self)
        let strings = page.strings
        if form.reset != nil {
            _ = try await store.saveSetting(workspaceId: page.workspace.id, key: AnalyticsSettings.valueSimpleKey, value: nil)
            _ = try? await ValueFitting(store: store, cache: cache).run(workspace: page.workspace, now: page.now)
            return try await show(request, context, views, notice: ConsoleNotice(text: strings.text("value.simple.cleared"), isError: false))
        }
        // Each field: empty (estimated) or a number in its range, refused with the field's own name.
        var setting = JSONObject()
        for field in form.inputs {
            let text = (field.text ?? "").trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            let label = strings.text("value.simple.\(field.name)", ["currency": page.currency])
            guard let number = Double(text), number.isFinite else {
                throw ConsolePageError.badRequest(strings.text("value.simple.badNumber", ["value": String(text.prefix(40))]))
            }
            guard field.range.contains(number) else {
                let bounds = [
                    "field": label, "min": CustomerValuePresenter.plain(field.range.lowerBound),
                    "max": page.format.decimal(field.range.upperBound, digits: 0),
                ]
                throw ConsolePageError.badRequest(strings.text("value.simple.outOfRange", bounds))
            }
            setting[field.key] = .double(number)
        }
        let inputs = try ValueFitting.simpleInputs(.object(setting))
        _ = try await store.saveSetting(
            workspaceId: page.workspace.id,
            key: AnalyticsSettings.valueSimpleKey,
            value: setting.isEmpty ? nil : .object(setting)
        )
        do {
            let record = try await ValueFitting(store: store, cache: cache).run(workspace: page.workspace, now: page.now, simpleInputs: inputs)
            let text = strings.text("value.simple.saved", ["customers": page.integer(record.customers)])
            return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false))
        } catch let error as APIError where error.code == "cannot_fit" {
            let text = strings.text("value.refit.failed", ["reason": CustomerValuePresenter.reason(error.message, strings)])
            return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: true), status: .unprocessableContent)
        }
    }

    /// Fits the chosen model now, as `POST /api/v1/value/fit` does, and shows the page with the result.
    func refit(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let page = try ValuePageContext(context, views: views, now: clock())
        try page.identity.require(.saveAnalyses)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(RefitForm.self)
        var model = PurchaseModelKind.bgnbd
        if let text = form.model, !text.isEmpty {
            guard let kind = PurchaseModelKind(rawValue: text) else {
                throw ConsolePageError.badRequest(page.strings.text("value.refit.badModel", ["value": String(text.prefix(40))]))
            }
            model = kind
        }
        do {
            let record = try await ValueFitting(store: store, cache: cache).run(workspace: page.workspace, now: page.now, model: model)
            let text = page.strings.text(
                "value.refit.done",
                ["model": page.strings.text("value.models." + record.model), "customers": page.integer(record.customers)]
            )
            return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false))
        } catch let error as APIError where error.code == "cannot_fit" {
            let text = page.strings.text("value.refit.failed", ["reason": CustomerValuePresenter.reason(error.message, page.strings)])
            return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: true), status: .unprocessableContent)
        }
    }
}
