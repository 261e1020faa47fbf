import ArgumentParser
import CuecastCore
import Foundation

/// `cuecast play FILE`: prints a scenario's stream to stdout, with no server: the quickest way to see what a file
/// produces while writing it.
struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Print a scenario's stream to stdout, with no server.",
        discussion: """
            Plays in real time (scaled by --speed), or with --instant prints every event at once. A scenario that \
            never ends stops after --limit events with --instant. The bytes are exactly what /streams/{name} sends.
            """
    )

    @Argument(help: "A scenario file.")
    var file: String

    @Option(help: "Play faster (2) or slower (0.5): 0.1 to 100.")
    var speed: Double = 1

    @Flag(help: "Print every event at once instead of in time.")
    var instant = false

    @Option(help: "With --instant, stop after this many events (endless scenarios).")
    var limit: Int = 100

    @Option(help: "Replace the scenario's seed.")
    var seed: UInt64?

    func validate() throws {
        guard (0.1...100).contains(speed) else { throw ValidationError("--speed must be from 0.1 to 100 (got \(speed))") }
        guard limit > 0 else { throw ValidationError("--limit must be positive (got \(limit))") }
    }

    func run() async throws {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load(contentsOf: file)
        } catch {
            for problem in error.problems { printError(problem.description) }
            throw ExitCode(1)
        }
        let output = FileHandle.standardOutput
        output.write(Data(Frame.preamble(welcome: scenario.welcome, retry: scenario.retry)))
        var timeline = Timeline(scenario: scenario, seed: seed, speed: speed)
        if instant {
            var events = 0
            while let entry = timeline.next() {
                if let frame = Frame(entry.item) { output.write(Data(frame.bytes)) }
                if case .event = entry.item {
                    events += 1
                    if events >= limit { break }
                }
            }
            return
        }
        var playback = Playback(timeline: timeline, clock: ContinuousClock(), speed: speed, heartbeat: scenario.heartbeat)
        try await playback.run { played in
            let frame: Frame? =
                switch played {
                case .heartbeat: .heartbeat
                case .entry(let entry): Frame(entry.item)
                }
            if let frame { output.write(Data(frame.bytes)) }
        }
    }
}
