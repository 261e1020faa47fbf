import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// `cuecast import` never writes what `cuecast validate` rejects, keeps or refuses every event, and says so when a
/// file has no events; through the real executable.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct ImportLimitsCLITests {
    @Test("a retry larger than a scenario takes is kept as the largest it takes, and validate accepts the result")
    func hugeRetry() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("saved.txt", "retry: 99999999999999\n\ndata: one\n\n")
        let file = folder.path("out.json")
        let imported = try await CLIProcess.run(["import", folder.path("saved.txt"), "-o", file])
        #expect(imported.status == 0, "\(imported.stderr)")
        let validated = try await CLIProcess.run(["validate", file])
        #expect(validated.status == 0, "\(validated.stdout)\(validated.stderr)")
        let scenario = try ScenarioLoader.load(contentsOf: file)
        #expect(scenario.retry == Int(Int32.max))
    }

    @Test("an event larger than a client keeps is refused with a message, and nothing is written")
    func hugeEvent() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let big = String(repeating: "x", count: 17 * 1024 * 1024)
        try folder.write("saved.txt", "data: small\n\ndata: \(big)\n\ndata: after\n\n")
        let file = folder.path("out.json")
        let imported = try await CLIProcess.run(["import", folder.path("saved.txt"), "-o", file])
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("1 event(s) larger than 16 MiB"), "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("a file with no events exits 1 and says so", arguments: ["", ": just a comment\n\n", "hello, not a stream\n"])
    func noEvents(content: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write("saved.txt", content)
        let file = folder.path("out.json")
        let imported = try await CLIProcess.run(["import", folder.path("saved.txt"), "-o", file])
        #expect(imported.status == 1)
        #expect(imported.stderr.contains("no events found"), "\(imported.stderr)")
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test("cuecast listen warns when the server answers a Last-Event-ID with cuecast-reset")
    func listenShowsTheReset() async throws {
        let endless = try scenario("endless", """
            { "title": "Endless", "heartbeat": false, "cues": [{ "at": 10, "repeat": { "every": 10 }, "data": "tick" }] }
            """)
        let result = try await withServer([endless]) { port in
            try await CLIProcess.run(["listen", "http://127.0.0.1:\(port)/streams/endless", "--last-event-id", "9999999", "--count", "2", "--json"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("the server says Last-Event-ID 9999999 is unknown to this stream; the stream starts again from the beginning"), "\(result.stderr)")
        #expect(result.stdout.contains(#""type":"cuecast-reset""#), "\(result.stdout)")
    }
}
