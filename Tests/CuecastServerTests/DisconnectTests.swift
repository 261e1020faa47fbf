import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// A client that goes away is noticed at once, busy stream or idle, and its subscription is released.
@Suite(.timeLimit(.minutes(1)))
struct DisconnectTests {
    static func scenarios() throws -> [Scenario] {
        [
            // An event every 30 ms, looping.
            try scenario(
                "busy",
                """
                { "title": "Busy", "mode": "live", "heartbeat": false, "loop": true,
                  "cues": [{ "at": 0, "repeat": { "every": 30, "count": 10 }, "data": "{{$index}}" }] }
                """
            ),
            // One event, then a minute of silence with no heartbeat: nothing is written that could fail.
            try scenario(
                "idle",
                """
                { "title": "Idle", "mode": "live", "heartbeat": false,
                  "cues": [{ "at": 0, "data": "hello" }, { "after": 60000, "data": "much later" }] }
                """
            ),
        ]
    }

    @Test("subscribers are counted while connected and released promptly when they leave", arguments: ["busy", "idle"])
    func cleanup(name: String) async throws {
        try await withServer(Self.scenarios()) { port in
            #expect(try await subscriberCount(port: port, name) == 0)
            var clients: [SSEClient] = []
            for _ in 0..<4 {
                let client = try await SSEClient.connect(port: port, path: "/streams/\(name)")
                _ = try await client.events(1)
                clients.append(client)
            }
            let allCounted = try await eventually { try await subscriberCount(port: port, name) == 4 }
            #expect(allCounted)

            await clients[0].close()
            let oneReleased = try await eventually(timeout: .seconds(2)) { try await subscriberCount(port: port, name) == 3 }
            #expect(oneReleased)
            for client in clients.dropFirst() { await client.close() }
            let released = ContinuousClock.now
            let allReleased = try await eventually(timeout: .seconds(2)) { try await subscriberCount(port: port, name) == 0 }
            #expect(allReleased)
            #expect(ContinuousClock.now - released < .seconds(2))
        }
    }
}
