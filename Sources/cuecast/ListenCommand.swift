import ArgumentParser

/// `cuecast listen URL`: placeholder while the client is written.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "listen", abstract: "Listen to an SSE stream like a browser's EventSource.")
    @Argument var url: String
    func run() async throws { throw ExitCode(2) }
}
