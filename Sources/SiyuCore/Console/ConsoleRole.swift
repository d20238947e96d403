/// What a person may do in the web console, from reading to owning the workspace.
///
/// Each role can do everything the one before it can: viewers read; operators also edit segments and
/// tags, run journeys and confirm staff tasks; analysts also save funnels and change analytical settings
/// (the KPI mapping); admins also manage keys, channels, users and the workspace's time zone; the owner
/// can do everything, including handing the workspace over.
public enum ConsoleRole: String, Sendable, Codable, CaseIterable, Comparable {
    case viewer, `operator`, analyst, admin, owner

    /// The rank of the role: a higher rank may do everything a lower one may.
    public var rank: Int {
        switch self {
        case .viewer: return 0
        case .operator: return 1
        case .analyst: return 2
        case .admin: return 3
        case .owner: return 4
        }
    }

    public static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may perform `action`.
    public func can(_ action: ConsoleAction) -> Bool { self >= action.minimumRole }
}

/// Something a console user does; each action names the least role allowed to do it.
public enum ConsoleAction: String, Sendable, CaseIterable {
    /// Open dashboards, reports, people and segments.
    case read
    /// Create, change and delete segments.
    case editSegments
    /// Add and remove tags on people.
    case editTags
    /// Create, edit, publish, pause, resume and stop journeys; retry failed outbox rows; confirm staff tasks.
    case runJourneys
    /// Save funnels and other analyses for the team.
    case saveAnalyses
    /// Change analytical settings: the KPI event mapping, tier schemes, journey stages.
    case editAnalyticsSettings
    /// Issue and revoke write keys and admin tokens.
    case manageKeys
    /// Add and change channels.
    case manageChannels
    /// Invite users and change their roles.
    case manageUsers
    /// Change the workspace's time zone (days are cut there from then on).
    case changeTimeZone
    /// Change the workspace itself (its currency) or hand it to another owner.
    case manageWorkspace

    /// The least role allowed to perform the action.
    public var minimumRole: ConsoleRole {
        switch self {
        case .read: return .viewer
        case .editSegments, .editTags, .runJourneys: return .operator
        case .saveAnalyses, .editAnalyticsSettings: return .analyst
        case .manageKeys, .manageChannels, .manageUsers, .changeTimeZone: return .admin
        case .manageWorkspace: return .owner
        }
    }
}
