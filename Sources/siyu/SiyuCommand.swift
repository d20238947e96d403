import ArgumentParser
import SiyuBench

/// `siyu`: the growth engine's command line.
@main
struct SiyuCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "siyu",
        abstract: "Siyu (私域): a self-hosted growth engine for brands that run their own customer base.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, WorkspaceCommand.self, ImportCommand.self, ExportCommand.self, MigrateCommand.self,
            BenchCommand.self, ValueCommand.self, UserCommand.self, JourneysCommand.self,
        ]
    )
}
