import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// Faulty streams still let the server stop: on SIGTERM a dripping stream stops dripping and says goodbye at once,
/// a stalled one ends silent, and the process exits 0 as quickly as without faults.
@Suite(
    .timeLimit(.minutes(1)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct FaultShutdownTests {
    @Test("SIGTERM with a stream dripping one byte a second and a stalled one: both end, exit 0 as quickly as without faults")
    func shutdown() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(
            "scenarios/ticks.json",
            """
            { "title": "Ticks", "mode": "solo", "heartbeat": false, "welcome": false,
              "cues": [{ "at": 0, "repeat": { "every": 20, "count": 500 }, "data": "tick {{$index}}" }] }
            """
        )
        let server = try CLIProcess(["serve", "--port", "0", "--scenarios", folder.path("scenarios"), "--public", folder.path("no-public")], in: folder.url)
        let port = try await server.waitForOutput(matching: #"cuecast is serving \d+ scenario\(s\) at http://127\.0\.0\.1:(\d+)/"#, timeout: .seconds(10))
        let portNumber = try #require(port.flatMap { Int($0) }, "no serving line; stderr:\n\(server.stderr)")

        let dripping = try await SSEClient.connect(port: portNumber, path: "/streams/ticks?drip=1000")
        let stalled = try await SSEClient.connect(port: portNumber, path: "/streams/ticks?stallAfter=2")
        let before = try await stalled.events(2)
        let started = await dripping.waitForRaw { !$0.isEmpty }

        let signalled = ContinuousClock.now
        server.terminate()
        let dripped = try await dripping.readToEnd(timeout: .seconds(3))
        let silent = try await stalled.readToEnd(timeout: .seconds(3))
        let exit = await server.waitForExit(timeout: .seconds(3))
        let exited = ContinuousClock.now - signalled

        #expect(before.map(\.data) == ["tick 0", "tick 1"])
        #expect(started)
        // What was still queued went out at once, then the goodbye.
        #expect(dripped.comments.contains("the server is shutting down; reconnect in a moment"), "\(dripped)")
        #expect(dripping.end == .closed)
        #expect(silent.isEmpty, "\(silent)")
        #expect(stalled.end == .closed)
        let (status, _) = try #require(exit, "still running 3 s after SIGTERM; stderr:\n\(server.stderr)")
        #expect(status == 0)
        // The same bound as without faults (CLITests), with a second's slack for a shared machine.
        #expect(exited < .seconds(3), "took \(exited) to exit")
    }
}
