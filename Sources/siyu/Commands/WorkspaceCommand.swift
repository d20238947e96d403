import ArgumentParser
import Foundation
import SiyuCore
import SiyuStore
import SiyuTools

/// `siyu workspace …`: create workspaces and issue keys.
struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Create and list workspaces, issue and revoke write keys and admin tokens.",
        subcommands: [Create.self, List.self, Token.self, Key.self, Keys.self, RevokeKey.self, RevokeToken.self]
    )

    /// `siyu workspace create NAME`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace and print its write key and an admin token.")

        @Argument(help: "Workspace name: letters, digits, -, _ or .")
        var name: String
        @Option(name: .customLong("time-zone"), help: "IANA time zone in which days are cut.")
        var timeZone = "Asia/Shanghai"
        @Option(help: "ISO 4217 currency of revenue.")
        var currency = "CNY"
        @Flag(help: "Print {\"workspace\", \"writeKey\", \"adminToken\"} as JSON.")
        var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (name, timeZone, currency, json) = (self.name, self.timeZone, self.currency, self.json)
            let credentials = try await store.open().withRunning { store in
                try await store.createWorkspace(name: name, timeZone: timeZone, currency: currency)
            }
            if json {
                print(
                    JSONWriter.string(
                        JSONValue.object([
                            "workspace": .string(credentials.workspace), "writeKey": .string(credentials.writeKey),
                            "adminToken": .string(credentials.adminToken),
                        ])
                    )
                )
            } else {
                print("Workspace   \(credentials.workspace)")
                print("Write key   \(credentials.writeKey)")
                print("Admin token \(credentials.adminToken)   (shown once; keep it safe)")
            }
        }
    }

    /// `siyu workspace list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List workspaces with their people and event counts.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let lines = try await store.open().withRunning { store in
                var lines: [String] = []
                for workspace in try await store.workspaces() {
                    let people = try await store.peopleCount(workspaceId: workspace.id)
                    let events = try await store.eventCount(workspaceId: workspace.id)
                    lines.append("\(workspace.name)\t\(workspace.timeZone)\t\(workspace.currency)\t\(people) people\t\(events) events")
                }
                return lines
            }
            print(lines.isEmpty ? "No workspaces yet: run `siyu workspace create NAME`." : lines.joined(separator: "\n"))
        }
    }

    /// `siyu workspace token NAME`.
    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new admin token for a workspace.")
        @Argument var workspace: String
        @Option(name: .customLong("token-name"), help: "A label for the token; issuing again under the same label revokes the earlier one.")
        var tokenName = "cli"
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (name, label) = (workspace, tokenName)
            let token = try await store.open().withRunning { store in
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
                return try await store.createAdminToken(workspaceId: workspace.id, name: label, replacing: true)
            }
            print(token)
        }
    }

    /// `siyu workspace key NAME`.
    struct Key: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an additional write key for a workspace.")
        @Argument var workspace: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let name = workspace
            let key = try await store.open().withRunning { store in
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
                return try await store.createWriteKey(workspaceId: workspace.id)
            }
            print(key)
        }
    }
}

extension WorkspaceCommand {
    /// `siyu workspace keys NAME`.
    struct Keys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's live write keys and admin tokens (tokens by id and name).")
        @Argument var workspace: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let name = workspace
            let lines = try await store.open().withRunning { store in
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
                var lines = try await store.writeKeys(workspaceId: workspace.id).map { "write key   \($0)" }
                lines += try await store.adminTokens(workspaceId: workspace.id).map {
                    "admin token #\($0.id)  \($0.name)  created \(Timestamp.iso8601($0.createdAt))"
                }
                return lines
            }
            print(lines.isEmpty ? "No live keys or tokens." : lines.joined(separator: "\n"))
        }
    }

    /// `siyu workspace revoke-key NAME KEY`.
    struct RevokeKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-key",
            abstract: "Revoke a write key: events sent with it are refused (a running server notices within 10 seconds)."
        )
        @Argument var workspace: String
        @Argument(help: "The write key, or its id from the admin API's key list.") var key: String
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (name, given) = (workspace, key)
            try await store.open().withRunning { store in
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
                let keys = try await store.writeKeys(workspaceId: workspace.id)
                guard let key = keys.first(where: { $0 == given || Secrets.writeKeyId($0) == given }),
                    try await store.revokeWriteKey(key, workspaceId: workspace.id)
                else { throw CommandFailure("`\(given)` is not a live write key of \(name)") }
            }
            print("Revoked.")
        }
    }

    /// `siyu workspace revoke-token NAME ID`.
    struct RevokeToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-token",
            abstract: "Revoke an admin token by its id (see `siyu workspace keys`); a running server notices within 10 seconds."
        )
        @Argument var workspace: String
        @Argument(help: "The token's id.") var id: Int64
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let (name, id) = (workspace, id)
            try await store.open().withRunning { store in
                guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
                guard try await store.revokeAdminToken(id: id, workspaceId: workspace.id) else {
                    throw CommandFailure("no live admin token #\(id) in \(name)")
                }
            }
            print("Revoked.")
        }
    }
}

/// `siyu migrate`: brings the store's schema up to date (the server also does this on start).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the store's schema.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let opened = try await store.open()
        try await opened.withRunning { _ in }
        print("Schema is up to date: \(opened.description)")
    }
}
