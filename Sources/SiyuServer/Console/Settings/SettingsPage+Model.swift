/// What `settings.mustache` and `settings-secret.mustache` show, every value already formatted
/// for the reader's language.
extension SettingsPage {
    struct Model {
        var workspace: WorkspaceFacts
        /// The five KPI lists.
        var kpi: [KPIList]
        var pageAndScreen: Bool
        var kpiIsDefault: Bool
        var canEditTimeZone: Bool
        var timeZones: [TimeZoneOption]
        var canEditKPI: Bool
        var channels: [ChannelRow]
        var canEditChannels: Bool
        var canManageKeys: Bool
        var canManageUsers: Bool
        /// The channel form's fields: as sent after a mistake, the channel being edited, or empty.
        var channelDraft: ChannelDraft
        var channelKinds: [Option]
        /// Admins see the keys and tokens.
        var writeKeys: [WriteKey]
        var hasWriteKeys: Bool
        var adminTokens: [AdminToken]
        var hasAdminTokens: Bool
    }

    struct WorkspaceFacts {
        var name: String
        var timeZone: String
        var currency: String
        var createdAt: String
    }

    struct KPIList {
        var list: String
        var label: String
        /// One event name per line, for the textarea.
        var text: String
        var names: [EventName]
    }

    struct EventName {
        var name: String
    }

    struct TimeZoneOption {
        var value: String
        var selected: Bool
    }

    struct Option {
        var value: String
        var label: String
        var selected: Bool
    }

    struct ChannelRow {
        var key: String
        var name: String
        var kind: String
        var cost: String
        var editHref: String
    }

    struct ChannelDraft {
        var key = ""
        var name = ""
        /// The kind as sent (`nil`: none yet, the form offers private domain).
        var kind: String?
        var cost = ""
        var isEdit = false
    }

    /// A live write key, masked, with the id its revoke form sends.
    struct WriteKey {
        var masked: String
        var id: String
    }

    struct AdminToken {
        var id: Int64
        var name: String
        var createdAt: String
    }

    /// A new write key or admin token, shown once.
    struct Secret {
        var secret: String
        var kindLabel: String
        var name: String?
    }
}

/// What the settings page's forms send.
extension SettingsPage {
    /// `POST /console/settings/workspace`.
    struct TimeZoneForm: Decodable {
        var timeZone: String?
    }

    /// `POST /console/settings/kpi`: the five lists as typed, the page-and-screen box, or `intent=reset`.
    struct KPIForm: Decodable {
        var intent: String?
        var exposures: String?
        var clicks: String?
        var interactions: String?
        var conversions: String?
        var keyActions: String?
        var pageAndScreen: String?

        /// The text of a list of ``SettingsPage/kpiLists``.
        func text(_ list: String) -> String? {
            switch list {
            case "exposures": return exposures
            case "clicks": return clicks
            case "interactions": return interactions
            case "conversions": return conversions
            default: return keyActions
            }
        }
    }

    /// `POST /console/settings/channels`.
    struct ChannelForm: Decodable {
        var key: String?
        var name: String?
        var kind: String?
        var cost: String?
        var isEdit: String?
    }

    /// `POST /console/settings/tokens`.
    struct TokenForm: Decodable {
        var name: String?
    }

    /// `POST /console/settings/keys/revoke` and `…/tokens/revoke`.
    struct RevokeForm: Decodable {
        var id: String?
    }
}
