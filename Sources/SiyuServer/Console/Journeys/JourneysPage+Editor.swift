import Foundation
import Hummingbird
import SiyuAPI
import SiyuCore
import SiyuStore

/// The journey editor (`/console/journeys/new`, `/console/journeys/:id/edit`): a journey without
/// JSON. Rows are added, removed and moved by the form's own buttons (no script needed); saving reads
/// the definition with the same ``JourneyReader`` as the admin API, refuses what the API refuses and
/// lists what is unfinished; publishing saves, then publishes only a draft without problems.
extension JourneysPage {
    func editor(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        let strings = views.strings(context)
        var form = JourneyEditorForm()
        var existing: JourneyRecord?
        var problems: [Problem] = []
        var notice: ConsoleNotice?
        if context.parameters.get("id") != nil {
            let record = try await journey(context, identity)
            existing = record
            form = JourneyEditorForm(name: record.name, definition: record.draft)
            if let definition = try? AdminAPI.definition(record.draft) {
                let reader = JourneyReader(context: try QueryContext(workspace: identity.workspace, now: clock()))
                problems = reader.read(definition, id: record.id, version: record.version + 1).problems.map {
                    Problem(field: $0.field, message: $0.message)
                }
            }
            if request.uri.queryParameters.get("saved") != nil {
                notice = ConsoleNotice(text: strings.text("journeys.editor.saved", ["name": record.name]), isError: false)
            }
        } else {
            form.nodes = [
                JourneyEditorForm.Node(id: "start", kind: "delay", next: "done", amount: "1", unit: "day"),
                JourneyEditorForm.Node(id: "done", kind: "exit"),
            ]
        }
        return try renderEditor(request, context, views, form: form, existing: existing?.id, problems: problems, error: nil, notice: notice)
    }

    func renderEditor(
        _ request: Request,
        _ context: AppRequestContext,
        _ views: ConsoleViews,
        form: JourneyEditorForm,
        existing: Int64?,
        problems: [Problem],
        error: String?,
        notice: ConsoleNotice? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let model = JourneyEditorPresenter(strings: views.strings(context)).editor(form, existing: existing, problems: problems, error: error)
        return try views.page(
            ConsoleView(
                template: "journey-editor",
                titleKey: existing == nil ? "journeys.editor.newTitle" : "journeys.editor.editTitle",
                navId: "journeys",
                model: model,
                notice: notice
            ),
            request: request,
            context: context,
            status: status
        )
    }

    /// `POST /console/journeys/new` and `POST /console/journeys/:id/edit`: a row change, a save or a publish.
    func submitEditor(_ request: Request, _ context: AppRequestContext, _ views: ConsoleViews) async throws -> Response {
        let identity = try PeoplePage.identity(context)
        try identity.require(.runJourneys)
        let strings = views.strings(context)
        let existing: JourneyRecord? = context.parameters.get("id") != nil ? try await journey(context, identity) : nil
        var request = request
        let posted = try await ConsoleForm.read(&request)
        var form = try posted.decode(JourneyEditorForm.self)
        guard let intent = JourneyEditorForm.Intent(posted["intent"], addKind: posted["addKind"]) else {
            throw ConsolePageError.badRequest(strings.text("journeys.editor.errors.intent"))
        }
        func again(_ error: String?, problems: [Problem] = [], status: HTTPResponse.Status = .badRequest) throws -> Response {
            try renderEditor(request, context, views, form: form, existing: existing?.id, problems: problems, error: error, status: status)
        }
        switch intent {
        case .save, .publish: break
        default:
            form.apply(intent)
            return try again(nil, status: .ok)
        }
        // The definition as the admin API would receive it, read by the same reader.
        let json: JSONValue
        do {
            json = try form.definition()
        } catch {
            return try again(strings.text(error.key, error.arguments))
        }
        let definition: Components.Schemas.JourneyDefinition
        do {
            definition = try JSONDecoder().decode(Components.Schemas.JourneyDefinition.self, from: Data(JSONWriter.string(json).utf8))
        } catch {
            return try again(strings.text("journeys.editor.errors.shape"))
        }
        let reader = JourneyReader(context: try QueryContext(workspace: identity.workspace, now: clock()))
        let read = reader.read(definition, id: existing?.id ?? 0, version: (existing?.version ?? 0) + 1)
        let problems = read.problems.map { Problem(field: Self.place($0.field, form), message: $0.message) }
        if read.problems.contains(where: \.refusesSave) {
            return try again(strings.text("journeys.editor.errors.refused"), problems: problems)
        }
        let text = try AdminAPI.text(definition)
        let saved: JourneyRecord
        do {
            if let existing {
                saved = try await store.updateJourney(id: existing.id, workspaceId: identity.workspace.id, name: form.name, definition: text)
            } else {
                saved = try await store.createJourney(workspaceId: identity.workspace.id, name: form.name, definition: text)
            }
        } catch let error as StoreError {
            return try again(error.description, problems: problems)
        }
        guard intent == .publish else {
            return Response(status: .seeOther, headers: [.location: "/console/journeys/\(saved.id)/edit?saved=1"])
        }
        guard problems.isEmpty else {
            return try renderEditor(
                request,
                context,
                views,
                form: form,
                existing: saved.id,
                problems: problems,
                error: strings.text("journeys.editor.errors.unfinished"),
                status: .badRequest
            )
        }
        do {
            try await JourneyPublishing.startEventCursor(journeys: store, events: store, workspaceId: identity.workspace.id)
            _ = try await store.publishJourney(id: saved.id, workspaceId: identity.workspace.id)
        } catch let error as StoreError {
            return try renderEditor(
                request,
                context,
                views,
                form: form,
                existing: saved.id,
                problems: [],
                error: error.description,
                status: .conflict
            )
        }
        return Response(status: .seeOther, headers: [.location: "/console/journeys/\(saved.id)"])
    }

    /// A reader's field (`definition.nodes[2].next`) in the editor's words: the row and its node.
    static func place(_ field: String, _ form: JourneyEditorForm) -> String {
        guard let open = field.range(of: "nodes["), let close = field[open.upperBound...].firstIndex(of: "]"),
            let index = Int(field[open.upperBound..<close]), form.nodes.indices.contains(index)
        else { return field.replacingOccurrences(of: "definition.", with: "") }
        let rest = field[field.index(after: close)...].drop { $0 == "." }
        return "#\(index + 1) \(form.nodes[index].id)" + (rest.isEmpty ? "" : " · " + rest)
    }
}

/// What publishing needs beyond the store's publish, for the admin API's `publishJourney` and the editor alike.
enum JourneyPublishing {
    /// Event journeys run on the events stored from now on: the workspace's event cursor starts at its
    /// newest event if no journey has set it yet (the journey job then reads every event after it).
    static func startEventCursor(journeys: any JourneyRunRepository, events: any EventRepository, workspaceId: Int64) async throws {
        if try await journeys.journeyEventCursor(workspaceId: workspaceId) == nil {
            let newest = try await events.recentEvents(workspaceId: workspaceId, until: .max, limit: 1).first?.seq ?? 0
            try await journeys.saveJourneyEventCursor(workspaceId: workspaceId, seq: newest)
        }
    }
}
