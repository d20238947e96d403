import Foundation
import SiyuCore

/// The checks both stores make before writing a console user.
enum UserValidation {
    /// The user to insert (id 0), normalised, or a ``StoreError/invalid(_:)`` naming what is wrong.
    static func newUser(
        workspaceId: Int64,
        email: String,
        displayName: String,
        passwordHash: String,
        role: ConsoleRole,
        locale: String?,
        now: Int64
    ) throws -> ConsoleUser {
        let email = ConsoleUser.normalizedEmail(email)
        guard ConsoleUser.isPlausibleEmail(email) else { throw StoreError.invalid("`\(email)` is not an e-mail address") }
        let name = displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        try check(displayName: name, locale: locale)
        guard passwordHash.hasPrefix("$2") else { throw StoreError.invalid("the password hash must be a bcrypt hash") }
        return ConsoleUser(
            id: 0,
            workspaceId: workspaceId,
            email: email,
            displayName: name,
            passwordHash: passwordHash,
            role: role,
            locale: locale,
            createdAt: now
        )
    }

    static func check(displayName: String, locale: String?) throws {
        guard !displayName.isEmpty, displayName.count <= 100 else { throw StoreError.invalid("a display name is 1 to 100 characters") }
        if let locale, locale.isEmpty || locale.count > 16 { throw StoreError.invalid("a locale is 1 to 16 characters, e.g. zh-CN") }
    }
}
