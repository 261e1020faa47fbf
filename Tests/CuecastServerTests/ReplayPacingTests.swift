import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// A history replay is written as the client takes it, not all at once (issue 22): a reader that keeps up gets a
/// replay many times its buffer, whole, and is never cut off for what the server itself sent at once.
@Suite(.timeLimit(.minutes(1)))
struct ReplayPacingTests {
    static func configure(_ configuration: inout ServerConfiguration) {
        configuration.subscriberBufferBytes = 64 * 1024
        configuration.channelHistoryLimit = 1000
        configuration.publishRate = 1_000_000
        configuration.publishBurst = 1_000_000
    }

    /// 100 events of 4 KiB: about 400 KiB of history, six times the buffer.
    static func fill(port: Int, channel: String) async throws {
        let payload = String(repeating: "x", count: 4096)
        for number in 1...100 {
            let response = try await publish(port: port, json: #"{"data": "\#(number) \#(payload)"}"#, channel: channel)
            try #require(response.status == 202)
        }
    }

    @Test("HTTP/1.1: a reader of a replay six times its buffer gets every event and no cut-off notice")
    func http1Replay() async throws {
        try await withServer([], configure: Self.configure) { port in
            try await Self.fill(port: port, channel: "history")
            let reader = try await SSEClient.connect(port: port, path: "/channels/history")
            let events = try await reader.events(100)
            #expect(events.compactMap(\.number) == Array(1...100))
            // A live event after the replay arrives too, and nothing said the reader fell behind.
            _ = try await publish(port: port, json: #"{"data": "101 live"}"#, channel: "history")
            let live = try await reader.events(1)
            #expect(live.compactMap(\.number) == [101])
            #expect(!reader.rawText.contains("cut off"))
            await reader.close()
        }
    }

    @Test("h2c: a stream reading a replay six times its buffer gets every event and no cut-off notice")
    func http2Replay() async throws {
        try await withServer([], configure: Self.configure) { port in
            try await Self.fill(port: port, channel: "history")
            let client = try await HTTP2TestClient(port: port)
            let stream = try await client.get("/channels/history")
            let whole = await eventually(timeout: .seconds(10)) { stream.text.components(separatedBy: "\ndata: ").count > 100 }
            #expect(whole, "the stream received \(stream.text.utf8.count) bytes")
            #expect(!stream.text.contains("cut off"))
            #expect(!stream.ended)
            await client.close()
        }
    }
}
