import SiyuCore
import SiyuStore

/// Turns the workspace, its saved settings and channels into `SettingsPage.Model` for the reader's role.
struct SettingsPresenter {
    let fmt: PeopleFormat
    let role: ConsoleRole
    let workspace: Workspace

    /// The page without the keys and tokens (``SettingsPage/addKeys(to:workspace:format:)`` adds them for admins).
    func model(saved: JSONObject, channels: [Channel], draft: SettingsPage.ChannelDraft) -> SettingsPage.Model {
        let strings = fmt.strings
        let mapping = SettingsPage.mapping(saved["kpiMapping"])
        let kind = draft.kind ?? ChannelKind.privateDomain.rawValue
        return SettingsPage.Model(
            workspace: SettingsPage.WorkspaceFacts(
                name: workspace.name,
                timeZone: workspace.timeZone,
                currency: workspace.currency,
                createdAt: fmt.time(workspace.createdAt)
            ),
            kpi: SettingsPage.kpiLists.map { list in
                let names = SettingsPage.names(mapping, list)
                return SettingsPage.KPIList(
                    list: list,
                    label: strings.text("settings.kpi.lists." + list),
                    text: names.joined(separator: "\n"),
                    names: names.map { SettingsPage.EventName(name: $0) }
                )
            },
            pageAndScreen: mapping.pageAndScreenAreExposures,
            kpiIsDefault: saved["kpiMapping"] == nil || saved["kpiMapping"]?.isNull == true,
            canEditTimeZone: role.can(.changeTimeZone),
            timeZones: SettingsPage.timeZoneChoices(current: workspace.timeZone).map {
                SettingsPage.TimeZoneOption(value: $0, selected: $0 == workspace.timeZone)
            },
            canEditKPI: role.can(.editAnalyticsSettings),
            channels: channels.map { channel in
                SettingsPage.ChannelRow(
                    key: channel.key,
                    name: channel.name,
                    kind: strings.text("settings.channels.kinds." + channel.kind.rawValue),
                    cost: channel.monthlyCostMinor.map { fmt.money($0) } ?? "–",
                    editHref: "/console/settings?channel=" + PeoplePage.encode(channel.key) + "#channel-form"
                )
            },
            canEditChannels: role.can(.manageChannels),
            canManageKeys: role.can(.manageKeys),
            canManageUsers: role.can(.manageUsers),
            channelDraft: draft,
            channelKinds: ChannelKind.allCases.map { item in
                SettingsPage.Option(
                    value: item.rawValue,
                    label: strings.text("settings.channels.kinds." + item.rawValue),
                    selected: item.rawValue == kind
                )
            },
            writeKeys: [],
            hasWriteKeys: false,
            adminTokens: [],
            hasAdminTokens: false
        )
    }

    /// The channel form filled with a saved channel, to edit it.
    func draft(_ channel: Channel) -> SettingsPage.ChannelDraft {
        SettingsPage.ChannelDraft(
            key: channel.key,
            name: channel.name,
            kind: channel.kind.rawValue,
            cost: channel.monthlyCostMinor.map { SettingsPage.amountText($0, currency: workspace.currency) } ?? "",
            isEdit: true
        )
    }
}
