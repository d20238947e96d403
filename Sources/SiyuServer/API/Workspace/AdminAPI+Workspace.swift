import SiyuAPI
import SiyuCore
import SiyuStore

/// The workspace and its channels.
extension AdminAPI {
    /// `GET /api/v1/workspace`: name, time zone, currency and counts.
    func getWorkspace(_ input: Operations.GetWorkspace.Input) async throws -> Operations.GetWorkspace.Output {
        let workspace = try workspace
        let people = try await people.peopleCount(workspaceId: workspace.id)
        let events = try await events.eventCount(workspaceId: workspace.id)
        return .ok(
            .init(
                body: .json(
                    .init(
                        id: workspace.id,
                        name: workspace.name,
                        timeZone: workspace.timeZone,
                        currency: workspace.currency,
                        createdAt: Timestamp.iso8601(workspace.createdAt),
                        people: Int64(people),
                        events: Int64(events)
                    )
                )
            )
        )
    }

    func listChannels(_ input: Operations.ListChannels.Input) async throws -> Operations.ListChannels.Output {
        let workspace = try workspace
        let channels = try await workspaces.channels(workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(channels: channels.map(Components.Schemas.Channel.init)))))
    }

    /// `PUT /api/v1/channels/{key}`: registers or edits a channel; its tracking codes take effect at once.
    func putChannel(_ input: Operations.PutChannel.Input) async throws -> Operations.PutChannel.Output {
        let workspace = try workspace
        guard case .json(let body) = input.body else { throw APIError.badRequest("a channel is a JSON object") }
        var codes: [TrackingCode] = []
        for (index, item) in (body.trackingCodes ?? []).enumerated() {
            let code = TrackingCode(code: item.code, utmSource: item.utmSource, utmMedium: item.utmMedium, utmCampaign: item.utmCampaign)
            guard [item.code, item.utmSource, item.utmMedium, item.utmCampaign].contains(where: { $0 != nil }) else {
                throw APIError.badRequest("trackingCodes[\(index)] sets no field", field: "trackingCodes")
            }
            codes.append(code)
        }
        if let cost = body.monthlyCostMinor, cost < 0 || cost > Money.maximumEventMinorUnits {
            throw APIError.badRequest(
                "monthlyCostMinor must be a whole number of minor units from 0 to \(Money.maximumEventMinorUnits)",
                field: "monthlyCostMinor"
            )
        }
        let kind = body.kind.flatMap { ChannelKind(rawValue: $0.rawValue) } ?? .other
        let channel = Channel(key: input.path.key, name: body.name, kind: kind, trackingCodes: codes, monthlyCostMinor: body.monthlyCostMinor)
        try await workspaces.saveChannel(channel, workspaceId: workspace.id)
        directory.invalidate(workspaceId: workspace.id)
        return .ok(.init(body: .json(.init(channel: .init(channel)))))
    }
}

extension Components.Schemas.Channel {
    init(_ channel: Channel) {
        self.init(
            key: channel.key,
            name: channel.name,
            kind: Components.Schemas.ChannelKind(rawValue: channel.kind.rawValue) ?? .other,
            trackingCodes: channel.trackingCodes.map {
                .init(code: $0.code, utmSource: $0.utmSource, utmMedium: $0.utmMedium, utmCampaign: $0.utmCampaign)
            },
            monthlyCostMinor: channel.monthlyCostMinor
        )
    }
}
