import ArgumentParser
import Foundation
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTools

#if canImport(Glibc)
import Glibc
#endif

/// `siyu user …`: console logins.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage web console users: add, disable, enable, remove, reset a password.",
        subcommands: [Add.self, Disable.self, Enable.self, Remove.self, ResetPassword.self]
    )

    /// `siyu user add --workspace NAME --email E --role R`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user.",
            discussion: """
                The password comes from SIYU_PASSWORD, else it is asked for (when run in a terminal), else one is \
                generated and printed once. Roles: owner, admin, analyst, operator, viewer.
                """
        )

        @Option(help: "Workspace the user belongs to.") var workspace: String
        @Option(help: "E-mail address the user logs in with.") var email: String
        @Option(help: "owner, admin, analyst, operator or viewer.") var role: String
        @Option(help: "Name shown in the console (default: the address before @).") var name: String?
        @Option(name: .customLong("password-cost"), help: "bcrypt cost, 4–31 (default 12).") var passwordCost = 12
        @OptionGroup var store: StoreOptions

        func run() async throws {
            guard let role = ConsoleRole(rawValue: role.lowercased()) else {
                throw CommandFailure("unknown role `\(role)`: use owner, admin, analyst, operator or viewer")
            }
            guard (4...31).contains(passwordCost) else { throw CommandFailure("the password cost must be 4 to 31") }
            var generated = false
            let password: String
            if let given = ProcessInfo.processInfo.environment["SIYU_PASSWORD"], !given.isEmpty {
                password = given
            } else if let typed = Self.prompt() {
                password = typed
            } else {
                password = ConsoleUserAdmin.generatedPassword()
                generated = true
            }
            let (workspace, email, name, cost) = (self.workspace, self.email, self.name, UInt8(passwordCost))
            let user = try await store.open().withRunning { store in
                try await ConsoleUserAdmin(store: store, passwordCost: cost).add(
                    workspaceName: workspace,
                    email: email,
                    role: role,
                    displayName: name,
                    password: password
                )
            }
            print("Added \(user.email) (\(user.role.rawValue)) to workspace \(workspace).")
            if generated { print("Password: \(password)   (shown once; the user logs in at /console/login)") }
        }

        /// Asks for the password without echo when standard input is a terminal; nil otherwise or when left empty.
        static func prompt() -> String? {
            #if canImport(Glibc)
            guard isatty(STDIN_FILENO) == 1, let entered = getpass("Password (at least 10 characters, empty to generate one): ") else { return nil }
            let text = String(cString: entered)
            return text.isEmpty ? nil : text
            #else
            return nil
            #endif
        }
    }
}

/// The options every change of one user takes.
struct UserTarget: ParsableArguments {
    @Option(help: "Workspace the user belongs to.") var workspace: String
    @Option(help: "The user's e-mail address.") var email: String
    @OptionGroup var store: StoreOptions

    /// Applies a change from the command line (no console user is acting: any role may be changed,
    /// but the last enabled owner stays).
    func apply(_ change: ConsoleUserAdmin.Change, password: String? = nil) async throws -> (user: ConsoleUser, password: String?) {
        let (name, email) = (workspace, email)
        return try await store.open().withRunning { store in
            guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
            guard let user = try await store.user(workspaceId: workspace.id, email: email) else {
                throw CommandFailure("no user \(email) in \(name)")
            }
            return try await ConsoleUserAdmin(store: store).apply(change, to: user.id, workspaceId: workspace.id, by: nil, password: password)
        }
    }
}

extension UserCommand {
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a console user; their sessions end at once.")
        @OptionGroup var target: UserTarget

        func run() async throws {
            let (user, _) = try await target.apply(.disable)
            print("Disabled \(user.email).")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a disabled console user log in again.")
        @OptionGroup var target: UserTarget

        func run() async throws {
            let (user, _) = try await target.apply(.enable)
            print("Enabled \(user.email).")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a console user and their sessions.")
        @OptionGroup var target: UserTarget

        func run() async throws {
            let (user, _) = try await target.apply(.remove)
            print("Removed \(user.email).")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Give a console user a new password (from SIYU_PASSWORD, else generated and printed once); their sessions end."
        )
        @OptionGroup var target: UserTarget

        func run() async throws {
            let given = ProcessInfo.processInfo.environment["SIYU_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
            let (user, password) = try await target.apply(.resetPassword, password: given)
            print("New password set for \(user.email).")
            if given == nil, let password { print("Password: \(password)   (shown once)") }
        }
    }
}
