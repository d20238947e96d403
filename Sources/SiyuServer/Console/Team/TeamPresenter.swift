import SiyuCore
import SiyuStore

/// Turns the workspace's console users into `TeamPage.Model` for the reader's role.
struct TeamPresenter {
    let strings: StringTable
    let identity: ConsoleIdentity

    func model(users: [ConsoleUser], message: String?) -> TeamPage.Model {
        let canManage = identity.role.can(.manageUsers)
        return TeamPage.Model(
            users: users.map { user in
                TeamPage.User(
                    id: user.id,
                    displayName: user.displayName,
                    email: user.email,
                    role: strings.text("roles." + user.role.rawValue),
                    disabled: user.disabled,
                    isMe: user.id == identity.user.id,
                    // Admins change others of a role up to their own; never themselves.
                    canChange: canManage && user.id != identity.user.id && user.role <= identity.role
                )
            },
            canManageUsers: canManage,
            roles: ConsoleRole.allCases.reversed().filter { $0 <= identity.role }.map { role in
                ConsoleChoice(code: role.rawValue, label: strings.text("roles." + role.rawValue), selected: role == .viewer)
            },
            message: message
        )
    }
}
