import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// Cleartext HTTP/2 with prior knowledge on the plain port, through curl: the same streaming path as HTTP/1, with
/// each stream ended by END_STREAM and no connection-specific headers.
@Suite("HTTP/2 streams (prior knowledge)")
struct HTTP2StreamTests {
    @Test("a channel over h2c: HTTP/2 200, stream headers without Connection, preamble, then published events")
    func channelOverH2C() async throws {
        try await withServer([]) { port in
            let curl = try Curl(["-sNi", "--http2-prior-knowledge", "--max-time", "20", "http://127.0.0.1:\(port)/subscribeToEvents?history=none"])
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined, "curl's HTTP/2 stream never joined the channel")
            _ = try await publishText(port: port, "over h2")
            _ = await curl.waitFor("id: 1\ndata: over h2\n\n")
            let text = await curl.stop()
            #expect(text.hasPrefix("HTTP/2 200"), "\(text.debugDescription)")
            #expect(text.contains("content-type: text/event-stream"), "\(text.debugDescription)")
            #expect(text.contains("x-cuecast-connection: "), "\(text.debugDescription)")
            #expect(!text.lowercased().contains("\nconnection:"), "HTTP/2 forbids Connection: \(text.debugDescription)")
            #expect(text.contains("retry: 3000\n\n"))
            #expect(text.contains("id: 1\ndata: over h2\n\n"), "\(text.debugDescription)")
        }
    }

    @Test("a finite solo stream over h2c ends with END_STREAM (curl exits by itself), and its sentinel id gets 204")
    func soloEndsAndSentinel() async throws {
        let short = try scenario(
            "short", #"{"title": "Short", "mode": "solo", "cues": [{"at": 0, "id": "1", "data": "a"}], "end": {"delay": 10, "sentinel": {"id": "END", "data": "[DONE]"}}}"#
        )
        try await withServer([short]) { port in
            let started = ContinuousClock.now
            let text = await (try Curl(["-sN", "--http2-prior-knowledge", "--max-time", "10", "http://127.0.0.1:\(port)/streams/short"])).finish()
            #expect(ContinuousClock.now - started < .seconds(5), "the stream did not end by itself")
            #expect(text.contains("id: 1\ndata: a\n\n"), "\(text.debugDescription)")
            #expect(text.contains("id: END\ndata: [DONE]\n\n"), "\(text.debugDescription)")
            let resumed = await (try Curl(["-si", "--http2-prior-knowledge", "--max-time", "5", "-H", "Last-Event-ID: END", "http://127.0.0.1:\(port)/streams/short"])).finish()
            #expect(resumed.hasPrefix("HTTP/2 204"), "\(resumed.debugDescription)")
        }
    }

    @Test("pages and errors are answered by the router over h2c too")
    func routerOverH2C() async throws {
        try await withServer([]) { port in
            let health = await (try Curl(["-si", "--http2-prior-knowledge", "--max-time", "5", "http://127.0.0.1:\(port)/healthz"])).finish()
            #expect(health.hasPrefix("HTTP/2 200"), "\(health.debugDescription)")
            #expect(health.contains("\"status\":\"ok\""), "\(health.debugDescription)")
            let bad = await (try Curl(["-si", "--http2-prior-knowledge", "--max-time", "5", "http://127.0.0.1:\(port)/subscribeToEvents?histroy=1"])).finish()
            #expect(bad.hasPrefix("HTTP/2 400"), "\(bad.debugDescription)")
            #expect(bad.contains("unknown_parameter"), "\(bad.debugDescription)")
        }
    }

    @Test("each HTTP/2 stream counts against the subscriber cap; the one past it gets 503 with Retry-After")
    func capCountsStreams() async throws {
        try await withServer([], configure: { $0.maxSubscribers = 1 }) { port in
            let first = try Curl(["-sN", "--http2-prior-knowledge", "--max-time", "20", "http://127.0.0.1:\(port)/subscribeToEvents"])
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined)
            let refused = await (try Curl(["-si", "--http2-prior-knowledge", "--max-time", "5", "http://127.0.0.1:\(port)/channels/other"])).finish()
            #expect(refused.hasPrefix("HTTP/2 503"), "\(refused.debugDescription)")
            #expect(refused.lowercased().contains("retry-after: "), "\(refused.debugDescription)")
            _ = await first.stop()
        }
    }
}

/// Two streams of one HTTP/2 connection: one stops reading (it returns no flow-control window), the other reads.
@Suite("HTTP/2 flow control", .timeLimit(.minutes(1)))
struct HTTP2FlowControlTests {
    @Test("a stream that stops reading is cut off at its buffer, while its neighbour on the same connection gets every event")
    func stalledStreamBesideAReader() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.subscriberBufferBytes = 64 * 1024
            $0.publishRate = 1_000_000
            $0.publishBurst = 1_000_000
        }
        try await withServer([], configure: configure) { port in
            let client = try await HTTP2TestClient(port: port)
            let stalled = try await client.get("/channels/busy?history=none", reading: false)
            let reader = try await client.get("/channels/busy?history=none")
            let bothJoined = try await eventually { try await subscriberCount(channel: "busy", port: port) == 2 }
            try #require(bothJoined)

            // 4 KiB events: the stalled stream's 64 KiB flow-control window and then its 64 KiB buffer fill up.
            let payload = String(repeating: "x", count: 4 * 1024)
            var published = 0
            var cutOff = false
            while published < 200 {
                published += 1
                let delivered = try await publish(port: port, json: #"{"data": "\#(published) \#(payload)"}"#, channel: "busy").json()["delivered"] as? Int
                if delivered == 1 {
                    cutOff = true
                    break
                }
            }
            #expect(cutOff, "the stalled stream was never cut off after \(published) events")
            // At its buffer, not before: its window's 64 KiB went out, and 64 KiB more waited behind it (the count of
            // what has left the server is learnt every 8 KiB, so it may err by two events towards keeping the stream).
            #expect((28...34).contains(published), "the stalled stream was cut off after \(published) events of 4 KiB")
            for extra in 1...20 {
                _ = try await publish(port: port, json: #"{"data": "\#(published + extra) \#(payload)"}"#, channel: "busy")
            }
            let total = published + 20
            let all = await eventually(timeout: .seconds(10)) { reader.text.contains("id: \(total)\n") }
            #expect(all, "the reading neighbour stopped receiving")
            var parser = EventStreamParser()
            let ids = parser.feed(Array(reader.text.utf8)).events.compactMap { Int($0.lastEventId) }
            #expect(ids == Array(1...total), "the reading stream's ids ran \(ids.first ?? 0)...\(ids.last ?? 0), \(ids.count) events")
            #expect(reader.status == 200 && !reader.ended)
            // A stream that never reads cannot take its notice: it is closed (reset) after the grace period.
            let stalledClosed = await eventually(timeout: .seconds(5)) { stalled.ended }
            #expect(stalledClosed, "the stalled stream is still open")
            await client.close()
        }
    }
}
