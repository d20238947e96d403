import Hummingbird
import OrderedCollections
import SiyuCore
import SiyuStore

/// Admin API for the workspace itself and its channels.
struct WorkspaceController: Sendable {
    let store: any SiyuStore
    let directory: WorkspaceDirectory

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("workspace", use: show)
        group.get("channels", use: channels)
        group.put("channels/:key", use: saveChannel)
    }

    /// `GET /api/v1/workspace`: name, time zone, currency and counts.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let people = try await store.peopleCount(workspaceId: workspace.id)
        let events = try await store.eventCount(workspaceId: workspace.id)
        return JSONResponse.make([
            "id": .int(workspace.id), "name": .string(workspace.name), "timeZone": .string(workspace.timeZone),
            "currency": .string(workspace.currency), "createdAt": .string(Timestamp.iso8601(workspace.createdAt)),
            "people": .int(Int64(people)), "events": .int(Int64(events)),
        ])
    }

    @Sendable func channels(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let channels = try await store.channels(workspaceId: workspace.id)
        return JSONResponse.make(["channels": .array(channels.map(\.json))])
    }

    /// `PUT /api/v1/channels/:key` with `{"name", "kind", "trackingCodes": [{code, utmSource, utmMedium, utmCampaign}], "monthlyCostMinor"}`.
    @Sendable func saveChannel(_ request: Request, context: AppRequestContext) async throws -> Response {
        let workspace = try context.requireWorkspace()
        let key = try context.parameters.require("key")
        let body = try await JSONBody.read(request)
        guard let name = body["name"]?.stringValue else { throw APIError.badRequest("name is required", field: "name") }
        let kindText = body["kind"]?.stringValue ?? ChannelKind.other.rawValue
        guard let kind = ChannelKind(rawValue: kindText) else {
            throw APIError.badRequest("kind must be one of \(ChannelKind.allCases.map(\.rawValue).joined(separator: ", "))", field: "kind")
        }
        var codes: [TrackingCode] = []
        if let value = body["trackingCodes"], !value.isNull {
            guard case .array(let items) = value else { throw APIError.badRequest("trackingCodes must be an array", field: "trackingCodes") }
            for (index, item) in items.enumerated() {
                guard case .object(let object) = item else {
                    throw APIError.badRequest("trackingCodes[\(index)] must be an object", field: "trackingCodes")
                }
                let code = TrackingCode(
                    code: object["code"]?.scalarText,
                    utmSource: object["utmSource"]?.scalarText,
                    utmMedium: object["utmMedium"]?.scalarText,
                    utmCampaign: object["utmCampaign"]?.scalarText
                )
                guard code.code != nil || code.utmSource != nil || code.utmMedium != nil || code.utmCampaign != nil else {
                    throw APIError.badRequest("trackingCodes[\(index)] sets no field", field: "trackingCodes")
                }
                codes.append(code)
            }
        }
        var cost: Int64?
        if let value = body["monthlyCostMinor"], !value.isNull {
            guard let amount = value.int64Value, amount >= 0, amount <= Money.maximumEventMinorUnits else {
                throw APIError.badRequest(
                    "monthlyCostMinor must be a whole number of minor units from 0 to \(Money.maximumEventMinorUnits)",
                    field: "monthlyCostMinor"
                )
            }
            cost = amount
        }
        let channel = Channel(key: key, name: name, kind: kind, trackingCodes: codes, monthlyCostMinor: cost)
        try await store.saveChannel(channel, workspaceId: workspace.id)
        directory.invalidate(workspaceId: workspace.id)
        return JSONResponse.make(["channel": channel.json])
    }
}

/// `GET /healthz` and `GET /metrics`.
struct OperationsController: Sendable {
    let store: any SiyuStore
    let metrics: SiyuMetrics

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in
            do {
                try await store.ping()
                return JSONResponse.make(["status": "ok"])
            } catch {
                return JSONResponse.make(["status": "unavailable", "error": .string("\(error)")], status: .serviceUnavailable)
            }
        }
        router.get("openapi.json") { _, _ in JSONResponse.make(OpenAPIDocument.json) }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer()))
            )
        }
    }
}
