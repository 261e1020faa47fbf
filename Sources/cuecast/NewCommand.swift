import ArgumentParser
import CuecastCore
import Foundation

/// `cuecast new NAME`: starts a scenario from a template whose `$comment` fields explain each part (JSON has no
/// comments; `$comment` is the JSON Schema convention, and the loader ignores it wherever it appears).
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Start a new scenario file from a commented template.",
        discussion: "Writes DIR/NAME.json (never over an existing file), then: cuecast validate it, cuecast play it --instant."
    )

    @Argument(help: "The scenario's name: lowercase letters, digits, '-', '_' or '.'.")
    var name: String

    @Option(help: "live (one shared playback, looping) or solo (each connection from the start).")
    var mode: String = "solo"

    @Option(name: .customLong("dir"), help: "The folder to write into.")
    var directory: String = "scenarios"

    func validate() throws {
        guard ScenarioName.isValid(name) else {
            throw ValidationError("'\(name)' is not a scenario name: use 1-64 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
        guard PlaybackMode(rawValue: mode) != nil else { throw ValidationError("--mode must be live or solo (got '\(mode)')") }
    }

    func run() throws {
        let path = (directory as NSString).appendingPathComponent("\(name).json")
        guard !FileManager.default.fileExists(atPath: path) else {
            printError("cuecast: \(path) already exists; pick another name or edit it")
            throw ExitCode(1)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(Self.template(name: name, live: mode == "live").utf8).write(to: URL(fileURLWithPath: path))
        print("created \(path)")
        print("next: cuecast validate \(path)   then: cuecast play \(path) --instant")
    }

    /// A small scenario that already plays, with a `$comment` on each part saying what it is for.
    static func template(name: String, live: Bool) -> String {
        let modeLines =
            live
            ? """
              "mode": "live",
              "loop": { "$comment": "live: one shared playback, like a radio, replayed after a pause.", "delay": 2000 },
            """
            : """
              "mode": "solo",
            """
        let end =
            live
            ? ""
            : """
            ,
              "end": {
                "$comment": "After the last cue: the classic sentinel (id -1, empty data), then the server closes the stream.",
                "delay": 1000
              }
            """
        return """
            {
              "$schema": "./scenario.schema.json",
              "$comment": "A Cuecast scenario. Guide: docs/scenario-format.md. Times are milliseconds. mode 'solo': each connection plays from the start; 'live': one shared playback. Check: cuecast validate FILE. See: cuecast play FILE --instant.",
              "title": "\(name)",
              "description": "What this stream shows, in one sentence a newcomer understands.",
              "tags": [],
            \(modeLines)
              "retry": 3000,
              "welcome": "\(name): listen for 'hello' and 'coinToss' events.",
              "values": {
                "$comment": "Named generators for {{placeholders}}: a list to pick from, {\\"int\\": [1, 6]}, {\\"walk\\": {\\"start\\": 100, \\"step\\": 1}}, {\\"counter\\": 1}, {\\"sequence\\": [...]}.",
                "side": ["heads", "tails"]
              },
              "cues": [
                {
                  "$comment": "'at' is a time from the start of the pass; 'after' a delay after the previous cue.",
                  "at": 0,
                  "event": "hello",
                  "data": "Hello from \(name)"
                },
                {
                  "$comment": "Repeats every second, five times; data can also be any JSON, sent on one line.",
                  "after": 1000,
                  "repeat": { "every": 1000, "count": 5 },
                  "event": "coinToss",
                  "data": { "side": "{{side}}", "toss": "{{$index}}" }
                }
              ]\(end)
            }

            """
    }
}
