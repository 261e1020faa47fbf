import CuecastTestSupport
import CuecastClient
import CuecastCore
import Foundation
import Testing

/// Against the real Cuecast server: a stream the server hangs up on is resumed with no gap and no duplicate, and
/// its sentinel's 204 stops the client.
@Suite(.timeLimit(.minutes(1)))
struct CuecastServerTests {
    /// reconnect-lab in miniature: 12 ticks 20 ms apart, the server hangs up after every 4th, retry 50 ms, then
    /// the classic sentinel (id -1) and the end of the stream.
    static let lab = """
        {
          "title": "Lab", "mode": "solo", "retry": 50, "heartbeat": false,
          "cues": [{ "at": 20, "repeat": { "every": 20, "count": 12 }, "disconnect": 4, "event": "tick", "data": "{{$index}}" }],
          "end": { "delay": 20 }
        }
        """

    static func scenarios() throws -> [Scenario] { [try scenario("lab", lab)] }

    @Test("server-side drops: reconnect with Last-Event-ID, no gap, no duplicate; the sentinel's 204 ends it for good")
    func resumeAfterDrops() async throws {
        try await withServer(Self.scenarios()) { port in
            // Real sleeps: the server's retry is 50 ms.
            let client = EventSourceClient(.init(url: "http://127.0.0.1:\(port)/streams/lab"))
            let outputs = try await collect(client, timeout: .seconds(20))
            let events = outputs.events
            let ids = events.map(\.lastEventId)
            let data = events.dropLast().map(\.data)
            let expectedIDs = (1...12).map { String($0) } + ["-1"]
            let expectedData = (0..<12).map { String($0) }
            #expect(ids == expectedIDs)
            #expect(data == expectedData)
            let reconnections = outputs.reconnections
            let reconnectionIDs = reconnections.map(\.lastEventID)
            let delays = reconnections.map(\.after)
            #expect(reconnectionIDs == ["4", "8", "12", "-1"])
            #expect(delays == [.milliseconds(50), .milliseconds(50), .milliseconds(50), .milliseconds(50)])
            let connectingIDs = outputs.compactMap { if case .connecting(_, let id) = $0 { id } else { nil } }
            #expect(connectingIDs == ["4", "8", "12", "-1"])
            #expect(outputs.closeReason == .noContent)
            #expect(outputs.opens.count == 4)
        }
    }

    @Test("starting from a given id resumes after it; the sentinel's id gets 204 at once")
    func startFromID() async throws {
        try await withServer(Self.scenarios()) { port in
            var configuration = EventSourceClient.Configuration(url: "http://127.0.0.1:\(port)/streams/lab")
            configuration.lastEventID = "9"
            let resumed = try await collect(EventSourceClient(configuration), timeout: .seconds(10)) { output in
                if case .event = output { return true }
                return false
            }
            #expect(resumed.events.first?.lastEventId == "10")

            configuration.lastEventID = "-1"
            let over = try await collect(EventSourceClient(configuration))
            #expect(over == [
                .connecting(url: "http://127.0.0.1:\(port)/streams/lab", lastEventID: "-1"), .closed(.noContent),
            ])
        }
    }

    @Test("an unknown stream (404) and a bad query (400) end it for good")
    func badStatuses() async throws {
        try await withServer(Self.scenarios()) { port in
            let missing = try await collect(EventSourceClient(.init(url: "http://127.0.0.1:\(port)/streams/nope")))
            guard case .badStatus(404, "Not Found", let missingMessage?)? = missing.closeReason else {
                Issue.record("\(String(describing: missing.closeReason))")
                return
            }
            #expect(missingMessage.contains("nope"), "the server's JSON message: \(missingMessage)")
            let bad = try await collect(EventSourceClient(.init(url: "http://127.0.0.1:\(port)/streams/lab?speed=fast")))
            guard case .badStatus(400, "Bad Request", let badMessage?)? = bad.closeReason else {
                Issue.record("\(String(describing: bad.closeReason))")
                return
            }
            #expect(badMessage.contains("speed"), "the server's JSON message: \(badMessage)")
        }
    }
}
