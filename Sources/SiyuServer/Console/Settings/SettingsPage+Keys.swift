import Hummingbird
import SiyuCore
import SiyuStore

/// The settings page's credentials (admins and owners): write keys and admin tokens are issued
/// (each shown once) and revoked here; a revocation takes effect at once.
extension SettingsPage {
    func addKeyRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.post("settings/keys") { request, context in try await self.createKey(request, context, views) }
        group.post("settings/keys/revoke") { request, context in try await self.revokeKey(request, context, views) }
        group.post("settings/tokens") { request, context in try await self.createToken(request, context, views) }
        group.post("settings/tokens/revoke") { request, context in try await self.revokeToken(request, context, views) }
    }

    /// The live write keys (masked, each with the id its revoke form sends) and admin tokens.
    func addKeys(to model: inout Model, workspace: Workspace, format: PeopleFormat) async throws {
        let keys = try await store.writeKeys(workspaceId: workspace.id)
        let tokens = try await store.adminTokens(workspaceId: workspace.id)
        model.writeKeys = keys.map { WriteKey(masked: Secrets.maskedKey($0), id: Secrets.writeKeyId($0)) }
        model.hasWriteKeys = !keys.isEmpty
        model.adminTokens = tokens.map { AdminToken(id: $0.id, name: $0.name, createdAt: format.time($0.createdAt)) }
        model.hasAdminTokens = !tokens.isEmpty
    }

    /// `POST /console/settings/keys`: a new write key, shown once.
    func createKey(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.manageKeys)
        let key = try await store.createWriteKey(workspaceId: identity.workspace.id)
        return try secret(request, context, views, kind: "writeKey", secret: key, name: nil)
    }

    /// `POST /console/settings/tokens` with `name`: a new admin token, shown once (stored hashed).
    func createToken(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.manageKeys)
        let strings = views.strings(context)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(TokenForm.self)
        let name = (form.name ?? "").trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 64 else {
            return try await show(
                request,
                context,
                views,
                notice: ConsoleNotice(text: strings.text("settings.tokens.badName"), isError: true),
                status: .badRequest
            )
        }
        let token = try await store.createAdminToken(workspaceId: identity.workspace.id, name: name, replacing: false)
        return try secret(request, context, views, kind: "adminToken", secret: token, name: name)
    }

    func secret(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        kind: String,
        secret: String,
        name: String?
    ) throws
        -> Response
    {
        let model = Secret(secret: secret, kindLabel: views.strings(context).text("settings.secret." + kind), name: name)
        return try views.page(
            ConsoleView(template: "settings-secret", titleKey: "settings.secret.title", navId: "settings", model: model),
            request: request,
            context: context,
            status: .created
        )
    }

    /// `POST /console/settings/keys/revoke` with the key's `id`: events sent with it are refused from now on.
    func revokeKey(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.manageKeys)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(RevokeForm.self)
        let workspace = identity.workspace
        guard let key = try await store.writeKeys(workspaceId: workspace.id).first(where: { Secrets.writeKeyId($0) == form.id }) else {
            throw ConsolePageError.notFound
        }
        _ = try await store.revokeWriteKey(key, workspaceId: workspace.id)
        directory.invalidate(workspaceId: workspace.id)
        let text = views.strings(context).text("settings.keys.revoked", ["key": Secrets.maskedKey(key)])
        return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false), status: .ok)
    }

    /// `POST /console/settings/tokens/revoke` with the token's `id`.
    func revokeToken(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.manageKeys)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(RevokeForm.self)
        let workspace = identity.workspace
        guard let id = form.id.flatMap({ Int64($0) }),
            let token = try await store.adminTokens(workspaceId: workspace.id).first(where: { $0.id == id }),
            try await store.revokeAdminToken(id: id, workspaceId: workspace.id)
        else { throw ConsolePageError.notFound }
        directory.invalidate(workspaceId: workspace.id)
        let text = views.strings(context).text("settings.tokens.revoked", ["name": token.name])
        return try await show(request, context, views, notice: ConsoleNotice(text: text, isError: false), status: .ok)
    }
}
