import Hummingbird
import SiyuCore
import SiyuStore

/// `/console/team`: the workspace's console users for everyone to read; admins add users here
/// (the form is shown only to roles that may use it, and the post is refused for the others).
struct TeamPage: ConsolePage {
    let store: any UserRepository
    let admin: ConsoleUserAdmin

    var navigation: [ConsoleNavItem] { [ConsoleNavItem(id: "team", path: "/console/team", labelKey: "nav.team", order: 900)] }

    func addRoutes(to group: RouterGroup<AppRequestContext>, views: ConsoleViews) {
        group.get("team") { request, context in try await self.list(request, context, views, message: nil, status: .ok) }
        group.post("team") { request, context in try await self.add(request, context, views) }
        group.post("team/:id/{change}") { request, context in try await self.change(request, context, views) }
    }

    func list(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        message: String?,
        status: HTTPResponse.Status
    ) async throws
        -> Response
    {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.read) }
        let strings = views.strings(context)
        let users = try await store.users(workspaceId: identity.workspace.id)
        let model = TeamPresenter(strings: strings, identity: identity).model(users: users, message: message)
        return try views.page(
            ConsoleView(template: "team", titleKey: "team.title", navId: "team", model: model),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/team/:id/{disable|enable|remove|resetPassword}`: the change, with the new password shown once.
    func change(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.manageUsers) }
        try identity.require(.manageUsers)
        let strings = views.strings(context)
        guard let id = context.parameters.get("id", as: Int64.self),
            let change = context.parameters.get("change").flatMap(ConsoleUserAdmin.Change.init)
        else { throw ConsolePageError.notFound }
        do {
            let (user, password) = try await admin.apply(change, to: id, workspaceId: identity.workspace.id, by: identity.user)
            var arguments = ["email": user.email]
            if let password { arguments["password"] = password }
            return try await list(request, context, views, message: strings.text("team.changed." + change.rawValue, arguments), status: .ok)
        } catch let error as StoreError {
            if case .notFound = error { throw ConsolePageError.notFound }
            return try await list(request, context, views, message: error.description, status: .badRequest)
        }
    }

    /// Adds a user with a generated password, shown once on the page that follows.
    func add(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        guard let identity = context.console else { throw ConsolePageError.forbidden(.manageUsers) }
        try identity.require(.manageUsers)
        var request = request
        let form = try await ConsoleForm.read(&request).decode(AddForm.self)
        let strings = views.strings(context)
        // Nobody hands out a role above their own.
        guard let role = form.role.flatMap(ConsoleRole.init(rawValue:)), role <= identity.role else {
            throw ConsolePageError.badRequest(strings.text("team.badRole"))
        }
        let password = ConsoleUserAdmin.generatedPassword()
        do {
            let user = try await admin.add(
                workspaceName: identity.workspace.name,
                email: form.email ?? "",
                role: role,
                displayName: form.name.flatMap { $0.isEmpty ? nil : $0 },
                password: password
            )
            let message = strings.text("team.added", ["email": user.email, "password": password])
            return try await list(request, context, views, message: message, status: .created)
        } catch let error as StoreError {
            return try await list(request, context, views, message: error.description, status: .badRequest)
        }
    }
}
