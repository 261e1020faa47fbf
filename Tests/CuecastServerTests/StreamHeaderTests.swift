import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// What a stream sends before its first event: the headers, then the welcome comment and `retry`, at once.
@Suite(.timeLimit(.minutes(1)))
struct StreamHeaderTests {
    /// The first event is five seconds away, so anything that arrives early is the preamble.
    static func slowStart(mode: String) throws -> Scenario {
        try scenario(
            "slow-start",
            """
            {
              "title": "Slow start", "mode": "\(mode)", "retry": 1500, "welcome": "hello there",
              "heartbeat": false,
              "cues": [{ "at": 5000, "data": "late" }]
            }
            """
        )
    }

    @Test("SSE headers, no length, no encoding", arguments: ["solo", "live"])
    func headers(mode: String) async throws {
        try await withServer([Self.slowStart(mode: mode)]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/slow-start", headers: [("Accept-Encoding", "gzip, deflate")])
            #expect(client.status == 200)
            #expect(client.header("Content-Type") == "text/event-stream")
            #expect(client.header("Cache-Control") == "no-cache, no-transform")
            #expect(client.header("X-Accel-Buffering") == "no")
            #expect(client.header("Content-Length") == nil)
            #expect(client.header("Content-Encoding") == nil)
            await client.close()
        }
    }

    @Test("welcome comment and retry arrive at once, long before the first event", arguments: ["solo", "live"])
    func preambleFirst(mode: String) async throws {
        try await withServer([Self.slowStart(mode: mode)]) { port in
            let started = ContinuousClock.now
            let client = try await SSEClient.connect(port: port, path: "/streams/slow-start")
            let first = try await client.next(timeout: .seconds(2))
            let second = try await client.next(timeout: .seconds(2))
            let elapsed = ContinuousClock.now - started
            #expect(first == .comment("hello there"))
            #expect(second == .retry(1500))
            // The first event is due 5 s after the start: the preamble did not wait for it.
            #expect(elapsed < .seconds(2), "preamble took \(elapsed)")
            #expect(client.rawText == ": hello there\n\nretry: 1500\n\n")
            await client.close()
        }
    }
}
