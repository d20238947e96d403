/// What `team.mustache` shows, and what its form sends.
extension TeamPage {
    struct Model {
        var users: [User]
        /// Admins see the actions and the form that adds a user.
        var canManageUsers: Bool
        /// The roles the reader may hand out, highest first; viewer is chosen.
        var roles: [ConsoleChoice]
        /// What the last change did (a new password is shown once here).
        var message: String?
    }

    struct User {
        var id: Int64
        var displayName: String
        var email: String
        var role: String
        var disabled: Bool
        var isMe: Bool
        /// Admins change others of a role up to their own; never themselves.
        var canChange: Bool
    }

    /// `POST /console/team`: the new user's address, name (empty: none) and role.
    struct AddForm: Decodable {
        var email: String?
        var name: String?
        var role: String?
    }
}
