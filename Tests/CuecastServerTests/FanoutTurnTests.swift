import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// A direct stream's fan-out writes each batch of events to its loop's members in turns of
/// `fanoutTurnSize`, serving other connections between turns, and merges what was published meanwhile into the
/// next batch. With a turn size of 2, every pass here takes several turns, publishes land while passes are under
/// way, and subscribers come and go in the middle of them: none of that may lose, repeat or reorder an event.
@Suite("Fan-out in turns", .timeLimit(.minutes(1)))
struct FanoutTurnTests {
    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.fanoutTurnSize = 2
        configuration.publishRate = 1_000_000
        configuration.publishBurst = 1_000_000
    }

    static func request(_ path: String, lastEventID: Int? = nil) -> String {
        let resume = lastEventID.map { "Last-Event-ID: \($0)\r\n" } ?? ""
        return "GET \(path) HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\(resume)\r\n"
    }

    /// Opens `count` direct subscribers on `path`.
    static func subscribe(_ count: Int, port: Int, path: String, lastEventID: Int? = nil) throws -> [RawSocket] {
        try (0..<count).map { _ in
            let socket = try RawSocket(port: port, receiveBuffer: 256 * 1024)
            try socket.send(request(path, lastEventID: lastEventID))
            return socket
        }
    }

    /// The events in a direct stream's bytes (head and preamble skipped).
    static func events(in text: String) -> [ParsedEvent] {
        guard let response = RawHTTPResponse(Array(text.utf8)) else { return [] }
        var parser = EventStreamParser()
        return parser.feed(response.body).events
    }

    @Test("publishes during many-turn passes, joins and leaves mid-burst: every subscriber gets its events once, in order")
    func joinsAndLeavesDuringPasses() async throws {
        try await withServer([], configure: Self.configure) { port in
            let path = "/subscribeToEvents?history=none"
            var stayers = try Self.subscribe(24, port: port, path: path)
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 24 }
            try #require(joined)
            let leavers = Array(stayers.suffix(6))
            stayers.removeLast(6)

            var resumers: [RawSocket] = []
            for number in 1...60 {
                let receipt = try await publishText(port: port, "event \(number)")
                #expect(receipt.status == 202, "publish \(number): \(receipt.status) \(receipt.body)")
                if number == 20 {
                    // Resuming mid-burst from id 20 must give exactly 21...60; leaving must disturb no one else.
                    resumers = try Self.subscribe(6, port: port, path: "/subscribeToEvents", lastEventID: 20)
                    for socket in leavers { socket.close() }
                }
            }

            for (index, socket) in stayers.enumerated() {
                let (text, ended) = await socket.read(timeout: .seconds(10)) { $0.contains("data: event 60\n\n") }
                #expect(!ended, "subscriber \(index) was closed")
                let events = Self.events(in: text)
                #expect(events.map(\.lastEventId) == (1...60).map(String.init), "subscriber \(index)")
                #expect(events.map(\.data) == (1...60).map { "event \($0)" }, "subscriber \(index)")
            }
            for (index, socket) in resumers.enumerated() {
                let (text, _) = await socket.read(timeout: .seconds(10)) { $0.contains("data: event 60\n\n") }
                let ids = Self.events(in: text).map(\.lastEventId)
                #expect(ids == (21...60).map(String.init), "resumer \(index)")
            }
            let remaining = try await eventually { try await subscriberCount(channel: "default", port: port) == 24 }
            #expect(remaining, "18 stayers and 6 resumers should be left")
        }
    }

    /// Forty events 1 ms apart, two seconds after the server starts (time for the subscribers to connect), then
    /// the end of the stream.
    static let finite = """
        {
          "title": "Finite", "mode": "live", "heartbeat": false, "welcome": false,
          "cues": [{ "at": 2000, "repeat": { "every": 1, "count": 40 }, "data": "e{{$index}}" }]
        }
        """

    @Test("a stream that ends during many-turn passes: every subscriber gets every event, then the sentinel, then the close")
    func endAfterPasses() async throws {
        try await withServer([try scenario("finite", Self.finite)], configure: Self.configure) { port in
            let sockets = try Self.subscribe(20, port: port, path: "/streams/finite?history=none")
            let joined = try await eventually { try await subscriberCount(port: port, "finite") == 20 }
            try #require(joined, "the subscribers must join before the events start")
            for (index, socket) in sockets.enumerated() {
                let (text, ended) = await socket.read(timeout: .seconds(10)) { _ in false }
                #expect(ended, "subscriber \(index) should be closed after the sentinel")
                let events = Self.events(in: text)
                #expect(events.map(\.data) == (0..<40).map { "e\($0)" } + [""], "subscriber \(index)")
                #expect(events.last?.lastEventId == "-1", "subscriber \(index)")
            }
        }
    }
}
