import CuecastCore
import CuecastTestSupport
import Foundation
import HTTPTypes
import Testing

/// `cuecast record` and `cuecast import` through the real executable: what they write loads, and serving it sends
/// what was recorded.
@Suite(
    .timeLimit(.minutes(3)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct RecordCLITests {
    static let bundled: [Scenario] = ScenarioDirectory.load(CuecastExecutable.packageRoot.appendingPathComponent("scenarios").path).scenarios

    /// Every bundled scenario, served so that no test waits for the wall clock. A live station plays in real time
    /// (daisy-bell's third lyric is 6 s in, notifications' 8 s), so each live scenario but `clock` is served as a solo copy, which
    /// `?speed=100` plays a hundred times faster: the same cues, seeds and wire format, which is what a recording
    /// keeps. `clock` stays live (three ticks, two seconds), so recording a live station is still tested. The
    /// reconnection time is cut to 100 ms: `record` waits it out at every hang-up of `reconnect-lab`.
    static let served: [Scenario] = bundled.map { original in
        var scenario = original
        if scenario.mode == .live && scenario.name != "clock" { scenario.mode = .solo }
        if let retry = scenario.retry { scenario.retry = min(retry, 100) }
        return scenario
    }

    /// The names of every bundled scenario.
    static let cases: [String] = bundled.map(\.name).sorted()

    /// `listen --json` objects without their receive times.
    static func events(_ stdout: String) throws -> [[String: String]] {
        try stdout.split(separator: "\n").map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], "not JSON: \(line)")
            object["time"] = nil
            return object
        }
    }

    static func load(_ path: String) throws -> Scenario {
        do {
            return try ScenarioLoader.load(contentsOf: path)
        } catch {
            Issue.record("the recording does not load:\n\(error)\n\((try? String(contentsOfFile: path, encoding: .utf8)) ?? "")")
            throw error
        }
    }

    @Test("record a bundled scenario, serve the recording: the same events", arguments: cases)
    func roundTrip(name: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let original = try #require(Self.served.first { $0.name == name })
        let solo = original.mode == .solo
        let count = solo ? 10 : 3
        let file = folder.path("\(name)-rec.json")
        // A solo stream (the original, and every replay) plays on the manual clock, moved from cue to cue.
        let recorded = try await withServer(Self.served) { port in
            try await stepping(port: port, label: "record") {
                try await CLIProcess.run(
                    ["record", "http://127.0.0.1:\(port)/streams/\(name)" + (solo ? "?speed=100&clock=manual&client=record" : ""), "--count", "\(count)",
                     "-o", file],
                    timeout: .seconds(60)
                )
            }
        }
        #expect(recorded.status == 0, "stderr:\n\(recorded.stderr)")
        let replayScenario = try Self.load(file)
        #expect(replayScenario.mode == .solo)
        let replayed = try await withServer([replayScenario]) { port in
            try await stepping(port: port, label: "replay") {
                try await CLIProcess.run(
                    ["listen", "http://127.0.0.1:\(port)/streams/\(name)-rec?clock=manual&client=replay", "--json", "--count", "\(count)"],
                    timeout: .seconds(60)
                )
            }
        }
        #expect(replayed.status == 0, "stderr:\n\(replayed.stderr)")
        // What record received (it prints what it records) is what a client of the replay receives.
        let expected = try Self.events(recorded.stdout)
        let received = try Self.events(replayed.stdout)
        #expect(expected.count == count)
        #expect(received == expected)
        if name == "reconnect-lab" {
            // The server's hang-ups are in the recording, so the replay hangs up too and the client resumes.
            #expect(replayed.stderr.contains("with Last-Event-ID: 5"), "stderr:\n\(replayed.stderr)")
        }
    }

    @Test("a whole solo stream to its end: the replay's bytes are the original's, and the sentinel still earns 204", arguments: [
        "random-named-events", "coin-toss", "ai-tokens", "job-progress", "sports-scores", "reconnect-lab",
    ])
    func bytes(name: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path("\(name)-rec.json")
        // Each stream is played on the manual clock, moved from cue to cue (sports-scores lasts 153 s).
        let (original, recorded) = try await withServer(Self.served) { port in
            let original = try await stepping(port: port, label: "original") {
                try await fetch(port: port, "/streams/\(name)?speed=100&clock=manual&client=original").body
            }
            let recorded = try await stepping(port: port, label: "record") {
                try await CLIProcess.run(
                    ["record", "http://127.0.0.1:\(port)/streams/\(name)?speed=100&clock=manual&client=record", "--until-id", "-1", "-o", file, "-q"],
                    timeout: .seconds(60)
                )
            }
            return (original, recorded)
        }
        #expect(recorded.status == 0, "stderr:\n\(recorded.stderr)")
        let replayScenario = try Self.load(file)
        let (replay, over) = try await withServer([replayScenario]) { port in
            let replay = try await stepping(port: port, label: "replay") {
                try await fetch(port: port, "/streams/\(name)-rec?speed=100&clock=manual&client=replay").body
            }
            let over = try await fetch(port: port, "/streams/\(name)-rec", headers: [("Last-Event-ID", "-1")]).status
            return (replay, over)
        }
        #expect(replay == original)
        #expect(over == 204)
    }

    /// Every field and a few shapes a canonical server never sends: CRLF, a BOM, an id that resets, an id-only
    /// block, a retry of its own, `{{` in the text, a heartbeat, a second connection that repeats the preamble.
    static let stubFirst =
        "\u{FEFF}: welcome line 1\r\n: welcome line 2\r\n\r\nretry: 2000\r\n\r\n"
        + "data: plain\r\n\r\n"
        + "id: a1\r\nevent: named\r\ndata: two\r\ndata: lines\r\n\r\n"
        + ": heartbeat\n\n"
        + "data: same id, none written\n\n"
        + "id: a2\n\n"
        + "data: {{not a placeholder}} {{{\n\n"
        + "retry: 700\n\n"
        + "id:\nevent: reset\ndata:\n\n"
        + "id: b1\ndata: before the drop\n\n"
    static let stubSecond =
        ": welcome line 1\n: welcome line 2\n\nretry: 2000\n\n"
        + "id: b2\nretry: 50\ndata: after the drop\n\n"
        + "id: -1\ndata:\n\n"

    @Test("recording a stub that uses every field: the replay dispatches the same events, retries and comments")
    func stub() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path("stub-rec.json")
        let routes: [String: StubRoute] = [
            "/stream": { _, index in
                switch index {
                case 0: .stream(Self.stubFirst, chunkSize: 5)
                case 1: .stream(Self.stubSecond)
                default: .status(.noContent)
                }
            }
        ]
        let recorded = try await withStubServer(routes) { port, _ in
            try await CLIProcess.run(["record", "http://127.0.0.1:\(port)/stream", "-o", file], timeout: .seconds(30))
        }
        #expect(recorded.status == 0, "stderr:\n\(recorded.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let replayScenario = try Self.load(file)
        #expect(replayScenario.welcome == "welcome line 1\nwelcome line 2")
        #expect(replayScenario.retry == 2000)
        #expect(text.contains("\"comment\":\"heartbeat\""))
        #expect(text.contains("{{lbraces}}not a placeholder}} {{lbraces}}{"))
        #expect(text.contains("\"retry\":700"))
        #expect(text.contains("\"disconnect\":true"))
        let replayed = try await withServer([replayScenario]) { port in
            try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/stub-rec", "--json", "--until-id", "-1"], timeout: .seconds(30))
        }
        #expect(replayed.status == 0, "stderr:\n\(replayed.stderr)")
        let expected: [[String: String]] = [
            ["type": "message", "id": "", "data": "plain"],
            ["type": "named", "id": "a1", "data": "two\nlines"],
            ["type": "message", "id": "a1", "data": "same id, none written"],
            ["type": "message", "id": "a2", "data": "{{not a placeholder}} {{{"],
            ["type": "reset", "id": "", "data": ""],
            ["type": "message", "id": "b1", "data": "before the drop"],
            ["type": "message", "id": "b2", "data": "after the drop"],
            ["type": "message", "id": "-1", "data": ""],
        ]
        #expect(try Self.events(recorded.stdout) == expected)
        #expect(try Self.events(replayed.stdout) == expected)
        // The retry of its own (700) reached the client, and the one riding on b2 (50) too.
        #expect(replayed.stderr.contains("reconnection time is now 700 ms"), "stderr:\n\(replayed.stderr)")
        #expect(replayed.stderr.contains("reconnection time is now 50 ms"), "stderr:\n\(replayed.stderr)")
        // The hang-up after b1 is replayed: the client resumes with Last-Event-ID b1.
        #expect(replayed.stderr.contains("with Last-Event-ID: b1"), "stderr:\n\(replayed.stderr)")
    }

    @Test("record keeps the timing: cue offsets follow the gaps between events")
    func timing() async throws {
        let gaps = """
            {"title": "Gaps", "mode": "solo", "heartbeat": false, "cues": [
              {"at": 0, "data": "a"}, {"at": 300, "data": "b"}, {"at": 900, "data": "c"}]}
            """
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path("gaps-rec.json")
        let recorded = try await withServer([try scenario("gaps", gaps)]) { port in
            try await CLIProcess.run(["record", "http://127.0.0.1:\(port)/streams/gaps", "--until-id", "-1", "-o", file], timeout: .seconds(30))
        }
        #expect(recorded.status == 0, "stderr:\n\(recorded.stderr)")
        // The welcome comment (no retry follows it) is a cue of its own; the events are the cues with data.
        let offsets = try Self.load(file).cues.compactMap { cue -> Int? in
            guard case .at(let offset) = cue.start, cue.alternatives.first?.data != nil else { return nil }
            return Int(offset.seconds * 1000)
        }
        #expect(offsets.count == 4)
        // Loose bounds (the machine is shared, and the first event may be read late): the gaps keep their order and
        // their size roughly.
        if offsets.count == 4 {
            let (first, second) = (offsets[1] - offsets[0], offsets[2] - offsets[1])
            #expect((150..<1000).contains(first), "offsets: \(offsets)")
            #expect((450..<1500).contains(second), "offsets: \(offsets)")
            #expect(first < second, "offsets: \(offsets)")
        }
    }

    @Test("import a saved curl -i stream at 50 events per second")
    func importSaved() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let saved = folder.path("saved.txt")
        let file = folder.path("imported.json")
        let (clean, head) = try await withServer(Self.bundled) { port in
            let response = try await fetch(port: port, "/streams/wire-format-tour?speed=100")
            return (response.body, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n")
        }
        try (head + clean + "id: 99\ndata: unterminated").write(toFile: saved, atomically: true, encoding: .utf8)
        let result = try await CLIProcess.run(["import", saved, "--rate", "50/s", "-o", file])
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
        let imported = try Self.load(file)
        let offsets = imported.cues.compactMap { cue -> Int? in
            guard case .at(let offset) = cue.start, cue.alternatives.first?.data != nil else { return nil }
            return Int(offset.seconds * 1000)
        }
        #expect(offsets == Array(stride(from: 0, to: offsets.count * 20, by: 20)))
        let (original, replayed) = try await withServer(Self.bundled + [imported]) { port in
            let original = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/wire-format-tour?speed=100", "--json", "--until-id", "-1"])
            let replayed = try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/imported", "--json", "--until-id", "-1"])
            return (original, replayed)
        }
        #expect(try Self.events(replayed.stdout) == Self.events(original.stdout))
        #expect(replayed.stderr.contains("reconnection time is now 10000 ms"))
        let bad = try await CLIProcess.run(["import", saved, "--rate", "fast"])
        #expect(bad.status == 64)
    }
}
