import ArgumentParser
import CuecastServer
import Foundation

/// `cuecast`: serve scenarios as Server-Sent Events; check, play and start scenario files; listen to any stream.
@main
struct Cuecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuecast",
        abstract: "Plays scripted scenarios as Server-Sent Events streams.",
        version: CuecastVersion.current,
        subcommands: [
            ServeCommand.self, ValidateCommand.self, PlayCommand.self, NewCommand.self, ListenCommand.self, RecordCommand.self, ImportCommand.self,
            ConformanceCommand.self, CertCommand.self, BenchCommand.self, BenchWorkerCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    /// Before ArgumentParser: `serve` is the default command, so a misspelt command (`cuecast srve`) would reach it
    /// as a stray argument and be reported as "Unexpected argument 'srve'". A first word that is no command and no
    /// option gets the command it is closest to instead.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let word = arguments.first, let message = CommandSuggestion.unknownCommand(word, commands: commandNames) {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        await main(nil)
    }

    /// Every command's name, and `help`, which ArgumentParser adds.
    private static var commandNames: [String] {
        configuration.subcommands.map { $0._commandName } + ["help"]
    }
}
