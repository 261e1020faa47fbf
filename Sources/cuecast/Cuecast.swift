import ArgumentParser

/// `cuecast`: serve scenarios as Server-Sent Events, and check them.
@main
struct Cuecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuecast",
        abstract: "Plays scripted scenarios as Server-Sent Events streams.",
        subcommands: [ServeCommand.self, ValidateCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
