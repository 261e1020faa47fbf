import ArgumentParser

/// `cuecast`: serve scenarios as Server-Sent Events; check, play and start scenario files; listen to any stream.
@main
struct Cuecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuecast",
        abstract: "Plays scripted scenarios as Server-Sent Events streams.",
        subcommands: [
            ServeCommand.self, ValidateCommand.self, PlayCommand.self, NewCommand.self, ListenCommand.self, RecordCommand.self, ImportCommand.self,
            ConformanceCommand.self, CertCommand.self, BenchCommand.self, BenchWorkerCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )
}
