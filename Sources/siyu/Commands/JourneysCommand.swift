import ArgumentParser
import Foundation
import SiyuCore
import SiyuServer
import SiyuStore
import SiyuTools

/// `siyu journeys …`: list a workspace's journeys, pause, resume or stop one.
struct JourneysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journeys",
        abstract: "List journeys; pause, resume or stop one.",
        subcommands: [List.self, Pause.self, Resume.self, Stop.self]
    )

    /// `siyu journeys list --workspace NAME`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workspace's journeys with their status and version.")

        @Option(help: "The workspace.") var workspace: String
        @Flag(help: "Print JSON instead of a table.") var json = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            let name = workspace
            let list = try await store.open().withRunning { store in
                let workspace = try await JourneysCommand.workspace(name, store)
                return try await store.journeys(workspaceId: workspace.id)
            }
            if json {
                let rows = list.map { journey -> JSONValue in
                    [
                        "id": .int(journey.id), "name": .string(journey.name), "status": .string(journey.status.rawValue),
                        "version": .int(Int64(journey.version)),
                    ]
                }
                print(JSONWriter.string(.array(rows)))
                return
            }
            if list.isEmpty {
                print("No journeys in \(name).")
                return
            }
            print("id\tstatus\tversion\tname")
            for journey in list { print("\(journey.id)\t\(journey.status.rawValue)\t\(journey.version)\t\(journey.name)") }
        }
    }

    /// The options of a status change: which journey of which workspace.
    struct Target: ParsableArguments {
        @Argument(help: "The journey's id (see `siyu journeys list`).") var id: Int64
        @Option(help: "The workspace.") var workspace: String
        @OptionGroup var store: StoreOptions

        func move(to status: JourneyStatus) async throws {
            let (name, id) = (workspace, id)
            let journey = try await store.open().withRunning { store in
                let workspace = try await JourneysCommand.workspace(name, store)
                do {
                    return try await store.setJourneyStatus(id: id, workspaceId: workspace.id, status: status)
                } catch let error as StoreError {
                    throw CommandFailure(error.description)
                }
            }
            print("Journey \(journey.id) (\(journey.name)) is \(journey.status.rawValue).")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a journey: nobody enters or moves until it is resumed.")
        @OptionGroup var target: Target
        func run() async throws { try await target.move(to: .paused) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused journey.")
        @OptionGroup var target: Target
        func run() async throws { try await target.move(to: .active) }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a journey for good: everyone inside leaves.")
        @OptionGroup var target: Target
        func run() async throws { try await target.move(to: .stopped) }
    }

    static func workspace(_ name: String, _ store: any SiyuStore) async throws -> Workspace {
        guard let workspace = try await store.workspace(named: name) else { throw CommandFailure("no workspace named `\(name)`") }
        return workspace
    }
}
