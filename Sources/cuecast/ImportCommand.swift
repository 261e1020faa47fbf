import ArgumentParser
import CuecastCore
import Foundation

/// `cuecast import FILE -o SCENARIO`: a saved event stream (`curl -N URL > FILE`) as a scenario, timed by a rate.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn a saved event stream (curl -N URL > FILE) into a scenario.",
        discussion: """
            The file is parsed as a client would (a response head from curl -i is skipped, an unterminated final \
            event is dropped). Events are --rate per second apart, the first at once; comments and retry keep their \
            place. The welcome comment and retry at the start become the scenario's.
            """
    )

    @Argument(help: "The saved stream.")
    var file: String

    @Option(help: ArgumentHelp("Events per second in the scenario, e.g. 2 or 2/s.", valueName: "n"))
    var rate: String = "1"

    @Option(name: .shortAndLong, help: ArgumentHelp("The scenario file to write (default: stdout).", valueName: "file"))
    var output: String?

    @Option(help: "The scenario's title (default: 'Imported from FILE').")
    var title: String?

    /// `2`, `2/s` or `0.5/s`.
    var eventsPerSecond: Double? {
        var text = Substring(rate)
        if text.hasSuffix("/s") { text = text.dropLast(2) }
        guard let value = Double(text), value >= 0.01, value <= 1000 else { return nil }
        return value
    }

    func validate() throws {
        guard eventsPerSecond != nil else {
            throw ValidationError("--rate must be a number of events per second from 0.01 to 1000, e.g. 2/s (got '\(rate)')")
        }
        if let output { guard output.hasSuffix(".json") else { throw ValidationError("-o must name a .json file (got '\(output)')") } }
    }

    func run() throws {
        guard let bytes = FileManager.default.contents(atPath: file) else {
            printError("cannot read '\(file)'")
            throw ExitCode(1)
        }
        let recording: StreamRecording
        do {
            recording = try StreamRecording(importing: Array(bytes), eventsPerSecond: eventsPerSecond ?? 1)
        } catch {
            printError("cuecast import: \(file): \(error)")
            throw ExitCode(1)
        }
        let text = recording.scenarioText(
            title: title ?? "Imported from \((file as NSString).lastPathComponent)",
            description: "Imported by cuecast import from \(file) at \(rate) events per second."
        )
        // What is written must be what `cuecast validate` accepts: checked here by the same loader, so a case the
        // import did not foresee is refused with the loader's words instead of written.
        do {
            _ = try ScenarioLoader.load(text: text, file: output ?? "(stdout)", defaultName: "imported")
        } catch {
            for problem in error.problems { printError(problem.description) }
            printError("cuecast import: \(file): the scenario made from it would not load; nothing was written")
            throw ExitCode(1)
        }
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            printError("cannot write '\(output)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
        printError("wrote \(output): \(recording.events.count) event(s), \(recording.entries.count) cue(s)")
    }
}
