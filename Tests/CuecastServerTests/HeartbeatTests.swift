import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// Heartbeats keep an idle stream alive through proxies: `: heartbeat` comments while nothing else is sent.
@Suite(.timeLimit(.minutes(1)))
struct HeartbeatTests {
    /// One event, a second of silence, another event: a 200 ms heartbeat fills the silence with about four beats.
    static func quiet(mode: String) throws -> Scenario {
        try scenario(
            "quiet",
            """
            {
              "title": "Quiet", "mode": "\(mode)", "heartbeat": 200, "welcome": false,
              "cues": [{ "at": 0, "data": "first" }, { "after": 1000, "data": "second" }]
            }
            """
        )
    }

    @Test("heartbeat comments arrive while the stream is idle", arguments: ["solo", "live"])
    func heartbeats(mode: String) async throws {
        try await withServer([Self.quiet(mode: mode)]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/quiet")
            let outputs = try await client.read(until: { output in
                if case .event(let event) = output { return event.data == "second" }
                return false
            })
            await client.close()
            let firstIndex = outputs.firstIndex { if case .event(let event) = $0 { event.data == "first" } else { false } }
            let between = outputs[((firstIndex ?? outputs.count) + 1)..<(outputs.count - 1)]
            #expect(firstIndex != nil, "\(outputs)")
            // Solo: the playback starts at connect, so beats come at 200, 400, 600 and 800 ms (one either side
            // for timer slack). Live: the station started with the server and heartbeats are not replayed, so a
            // subscriber that joins late on a loaded machine hears only the beats after it joined: at least one.
            let expected = mode == "solo" ? 3...5 : 1...5
            #expect(expected.contains(between.count), "between the events: \(Array(between))")
            let onlyHeartbeats = between.allSatisfy { $0 == .comment("heartbeat") }
            #expect(onlyHeartbeats, "\(Array(between))")
            #expect(client.rawText.contains("\n: heartbeat\n\n"))
        }
    }

    @Test("no heartbeats when the scenario turns them off")
    func noHeartbeats() async throws {
        let silent = try scenario(
            "silent",
            """
            { "title": "Silent", "heartbeat": false, "welcome": false,
              "cues": [{ "at": 0, "data": "first" }, { "after": 700, "data": "second" }] }
            """
        )
        try await withServer([silent]) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/silent")
            let outputs = try await client.readToEnd()
            #expect(outputs.comments.isEmpty, "\(outputs)")
            let data = outputs.events.map(\.data)
            #expect(data == ["first", "second", ""])
        }
    }
}
