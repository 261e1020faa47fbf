import CuecastTestSupport
import CuecastCore
import Foundation
import Testing

/// The authoring loop through the real executable: `cuecast new` writes a scenario that loads and plays, and
/// `cuecast play` prints exactly the bytes a stream would send.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct AuthoringCLITests {
    @Test("new writes a commented template that validates, for solo and live, and never overwrites")
    func newTemplate() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let solo = try await CLIProcess.run(["new", "demo", "--dir", folder.url.path], in: folder.url)
        let live = try await CLIProcess.run(["new", "radio", "--mode", "live", "--dir", folder.url.path], in: folder.url)
        let again = try await CLIProcess.run(["new", "demo", "--dir", folder.url.path], in: folder.url)
        let badName = try await CLIProcess.run(["new", "Bad Name", "--dir", folder.url.path], in: folder.url)

        let demo = try ScenarioLoader.load(contentsOf: folder.path("demo.json"))
        let radio = try ScenarioLoader.load(contentsOf: folder.path("radio.json"))
        let text = try String(contentsOfFile: folder.path("demo.json"), encoding: .utf8)

        #expect(solo.status == 0)
        #expect(live.status == 0)
        #expect(demo.mode == .solo && demo.end != nil)
        #expect(radio.mode == .live && radio.loop != nil)
        #expect(text.contains("\"$comment\""), "the template explains itself")
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(badName.status != 0)
    }

    @Test("play --instant prints the preamble and every event, byte for byte what the timeline gives")
    func playInstant() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let json = """
            {"title": "Play", "welcome": "hi", "retry": 1000, "seed": 7, "values": {"face": {"int": [1, 6]}},
             "cues": [{"at": 0, "repeat": {"every": 5000, "count": 3}, "event": "roll", "data": "{{face}}"}]}
            """
        let path = try folder.write("play.json", json)
        let result = try await CLIProcess.run(["play", path, "--instant"], in: folder.url)

        let scenario = try ScenarioLoader.load(contentsOf: path)
        var expected = Frame.preamble(welcome: scenario.welcome, retry: scenario.retry)
        var timeline = Timeline(scenario: scenario)
        while let entry = timeline.next() { if let frame = Frame(entry.item) { expected += frame.bytes } }

        #expect(result.status == 0)
        #expect(result.stdout == String(decoding: expected, as: UTF8.self))
        #expect(result.stdout.hasSuffix("id: -1\ndata:\n\n"))
    }

    @Test("play --instant stops an endless scenario at --limit; play in time honours --speed; a broken file exits 1")
    func playLimitsSpeedAndErrors() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let endless = try folder.write("endless.json", #"{"title": "E", "heartbeat": false, "cues": [{"at": 0, "repeat": {"every": 1000}, "data": "x"}]}"#)
        let timed = try folder.write("timed.json", #"{"title": "T", "heartbeat": false, "cues": [{"at": 4000, "data": "late"}]}"#)
        let broken = try folder.write("broken.json", #"{"title": "B", "cues": [{"data": "x", "volume": 11}]}"#)

        let limited = try await CLIProcess.run(["play", endless, "--instant", "--limit", "4"], in: folder.url)
        let start = ContinuousClock.now
        let fast = try await CLIProcess.run(["play", timed, "--speed", "100"], in: folder.url)
        let elapsed = ContinuousClock.now - start
        let bad = try await CLIProcess.run(["play", broken], in: folder.url)

        let dataLines = limited.stdout.split(separator: "\n").filter { $0 == "data: x" }.count
        #expect(limited.status == 0)
        #expect(dataLines == 4)
        #expect(fast.status == 0)
        #expect(fast.stdout.contains("data: late"))
        #expect(elapsed < .seconds(3.5), "4 s of scenario time at speed 100 took \(elapsed)")
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("broken.json:1:39: unknown field 'volume' in cue 1"))
    }
}
