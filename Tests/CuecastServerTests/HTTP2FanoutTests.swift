import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// The HTTP/2 side of the fan-out: while a turn writes, each stream's live event goes into NIOHTTP2 as a frame of
/// its connection (`HTTP2EventStream`, one shared DATA payload), with no stream channel, the connection's flushes
/// are held until the turn ends, and its small writes are gathered into one buffer (`HTTP2ConnectionHandler`), while
/// a large payload passes on as it is. With a turn size of 3, every pass
/// over these streams takes several turns, a turn ends in the middle of a connection's streams, and passes carry
/// one event or a batch of many: none of that may lose, repeat, reorder or interleave anything on any stream.
@Suite("HTTP/2 fan-out in turns", .timeLimit(.minutes(1)))
struct HTTP2FanoutTests {
    /// `FanoutTurnTests.configure` (publishing unthrottled), with turns of 3.
    static func configure(_ configuration: inout ServerConfiguration) {
        FanoutTurnTests.configure(&configuration)
        configuration.fanoutTurnSize = 3
    }

    /// The events a stream has received, parsed.
    static func events(_ stream: HTTP2TestClient.Stream) -> [ParsedEvent] {
        var parser = EventStreamParser()
        return parser.feed(Array(stream.text.utf8)).events
    }

    @Test("events of 1.5 and 6 KiB to 16 streams on 2 connections: each stream gets every event once, in order, whole")
    func everyStreamGetsEveryEvent() async throws {
        try await withServer([], configure: Self.configure) { port in
            let clients = [try await HTTP2TestClient(port: port), try await HTTP2TestClient(port: port)]
            var streams: [HTTP2TestClient.Stream] = []
            for client in clients {
                for _ in 0..<8 { streams.append(try await client.get("/channels/wide?history=none")) }
            }
            let joined = try await eventually { try await subscriberCount(channel: "wide", port: port) == 16 }
            try #require(joined)

            // A 1.5 KiB event is gathered with the frame headers around it; a 6 KiB one (every fifth) passes on as it
            // is, between its gathered header and the next.
            func data(_ number: Int) -> String { "\(number) " + String(repeating: "x", count: number % 5 == 0 ? 6000 : 1500) }
            for number in 1...80 {
                let receipt = try await publish(port: port, json: #"{"data": "\#(data(number))"}"#, channel: "wide")
                #expect(receipt.status == 202, "publish \(number): \(receipt.status)")
            }
            let all = await eventually(timeout: .seconds(10)) { streams.allSatisfy { $0.text.contains("id: 80\n") } }
            #expect(all, "not every stream got event 80")
            for (index, stream) in streams.enumerated() {
                let events = Self.events(stream)
                #expect(events.map(\.lastEventId) == (1...80).map(String.init), "stream \(index)")
                #expect(events.map(\.data) == (1...80).map(data), "stream \(index)")
                #expect(stream.status == 200 && !stream.ended, "stream \(index)")
            }
            for client in clients { await client.close() }
        }
    }

    /// `FanoutTurnTests.finite`: forty events 1 ms apart, two seconds after the server starts, then the end. No welcome
    /// and no retry: the stream has no preamble, so its first DATA frame is the first event.
    static let finite = FanoutTurnTests.finite

    @Test("a stream that ends during many-turn passes: every HTTP/2 stream gets every event, the sentinel, then END_STREAM")
    func endAfterPasses() async throws {
        try await withServer([try scenario("finite", Self.finite)], configure: Self.configure) { port in
            let client = try await HTTP2TestClient(port: port)
            var streams: [HTTP2TestClient.Stream] = []
            for _ in 0..<10 { streams.append(try await client.get("/streams/finite?history=none")) }
            let joined = try await eventually { try await subscriberCount(port: port, "finite") == 10 }
            try #require(joined, "the streams must join before the events start")
            let ended = await eventually(timeout: .seconds(10)) { streams.allSatisfy(\.ended) }
            #expect(ended, "every stream should end after the sentinel")
            for (index, stream) in streams.enumerated() {
                let events = Self.events(stream)
                #expect(events.map(\.data) == (0..<40).map { "e\($0)" } + [""], "stream \(index)")
                #expect(events.last?.lastEventId == "-1", "stream \(index)")
            }
            await client.close()
        }
    }
}
