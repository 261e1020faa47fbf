import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// The edges of a stream's life that the other suites do not reach (`StreamLife`): a stream ended while it is still
/// writing its replay, and a client that leaves while its stream is ending. Each must end the stream once, count its
/// close once under the reason it ended for, and give its subscriber slot back.
@Suite(.timeLimit(.minutes(1)))
struct StreamLifeTests {
    static func configure(_ configuration: inout ServerConfiguration) {
        ReplayPacingTests.configure(&configuration)
        // Long enough that the client, not the grace period, ends a stream that is ending.
        configuration.closeGracePeriod = .seconds(30)
    }

    static let events = 60

    /// A subscriber of a channel with 3.6 MB of history (60 events of 60 KB, fifty times its buffer) that does not
    /// read: its stream stays in the middle of its replay.
    static func stuckInReplay(port: Int) async throws -> RawSocket {
        try await fill(port: port)
        let socket = try RawSocket(port: port, receiveBuffer: 4096)
        try socket.send("GET /channels/history?client=stuck HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
        let joined = try await eventually { try await subscriberCount(channel: "history", port: port) == 1 }
        try #require(joined)
        return socket
    }

    static func fill(port: Int) async throws {
        let payload = String(repeating: "x", count: 60_000)
        for number in 1...events {
            let response = try await publish(port: port, json: #"{"data": "\#(number) \#(payload)"}"#, channel: "history")
            try #require(response.status == 202)
        }
    }

    /// Expects one close counted, as `reason` (none as the client's going), and the stream unlisted; with
    /// `subscribers`, that many subscriber places taken afterwards (an HTTP/2 connection with no stream holds one).
    static func settled(port: Int, closedAs reason: String, subscribers: Int? = 0) async throws {
        var last: PrometheusExposition?
        let settled = await eventually {
            guard let metrics = try? await scrape(port: port) else { return false }
            last = metrics
            return Self.closes(metrics, reason) == 1
        }
        #expect(settled, "closes: \(last.map { $0.samples.filter { $0.name == "cuecast_connections_closed_total" } } ?? [])")
        #expect(last.map { Self.closes($0, "client_gone") } == 0)
        let unlisted = await eventually { (try? await fetch(port: port, "/api/connections").body.contains("\"stuck\"")) == false }
        #expect(unlisted)
        if let subscribers {
            let freed = await eventually { (try? await fetch(port: port, "/healthz").json()["subscribers"] as? Int) == subscribers }
            #expect(freed)
        }
    }

    /// Waits until the stream named `stuck` has left its channel (its end has run) while it is still listed (its
    /// connection is open).
    static func expectEnding(port: Int) async throws {
        let left = try await eventually { try await subscriberCount(channel: "history", port: port) == 0 }
        try #require(left, "the dropped stream never left its channel")
        let listed = try await fetch(port: port, "/api/connections").body.contains("\"stuck\"")
        #expect(listed, "the ending stream is listed until its connection closes")
    }

    static func closes(_ metrics: PrometheusExposition, _ reason: String) -> Double {
        metrics.value("cuecast_connections_closed_total", ["reason": reason]) ?? 0
    }

    @Test("a drop while the replay is still being written ends it with the notice, once, and frees the slot")
    func dropDuringReplay() async throws {
        try await withServer([], configure: Self.configure) { port in
            let socket = try await Self.stuckInReplay(port: port)
            let status = try await post(port: port, "/api/connections/drop?client=stuck").status
            #expect(status == 202)
            // The client now reads: what was written of the replay, the notice, and the end of the response; the rest
            // of the replay is not sent (a client resumes with Last-Event-ID).
            let (bytes, ending) = await socket.drain(timeout: .seconds(10))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(ending != nil, "the stream did not end")
            #expect(text.contains("dropped this connection on request"))
            #expect(text.hasSuffix("\r\n0\r\n\r\n"), "the chunked response ends properly")
            let events = text.components(separatedBy: "\ndata: ").count - 1
            #expect(events < Self.events, "the whole replay was sent to a dropped stream")
            socket.close()

            try await Self.settled(port: port, closedAs: "dropped")

            // The channel still serves a whole replay to the next subscriber.
            let reader = try await SSEClient.connect(port: port, path: "/channels/history")
            let replayed = try await reader.events(Self.events)
            #expect(replayed.compactMap(\.number) == Array(1...Self.events))
            await reader.close()
        }
    }

    @Test("a client that leaves while its stream is ending counts one close, under the reason the stream ended for")
    func clientLeavesWhileEnding() async throws {
        try await withServer([], configure: Self.configure) { port in
            let socket = try await Self.stuckInReplay(port: port)
            let status = try await post(port: port, "/api/connections/drop?client=stuck").status
            #expect(status == 202)
            // The stream is ending, its end waiting behind unread bytes for a grace period of 30 s: it has left the
            // channel and is still listed. Then the client goes.
            try await Self.expectEnding(port: port)
            socket.close()

            try await Self.settled(port: port, closedAs: "dropped")
        }
    }

    @Test("h2c: a stream reset while its end waits behind a spent window counts one close, as dropped")
    func http2ResetWhileEnding() async throws {
        try await withServer([], configure: Self.configure) { port in
            try await Self.fill(port: port)
            let client = try await HTTP2TestClient(port: port)
            // Not reading: the stream's window is spent in the middle of the replay.
            let stream = try await client.get("/channels/history?client=stuck", reading: false)
            let joined = try await eventually { try await subscriberCount(channel: "history", port: port) == 1 }
            try #require(joined)
            let status = try await post(port: port, "/api/connections/drop?client=stuck").status
            #expect(status == 202)
            // Its END_STREAM waits behind the window for a grace period of 30 s; the client resets the stream.
            try await Self.expectEnding(port: port)
            await stream.reset()
            try await Self.settled(port: port, closedAs: "dropped", subscribers: nil)
            // The connection still serves: a new stream on it gets the channel's whole history.
            let next = try await client.get("/channels/history")
            let whole = await eventually(timeout: .seconds(20)) { next.text.components(separatedBy: "\ndata: ").count > Self.events }
            #expect(whole, "the next stream received \(next.text.utf8.count) bytes")
            await client.close()
        }
    }
}
