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
            let curl = try Curl(["-sNi", "--http2-prior-knowledge", "--max-time", "3", "http://127.0.0.1:\(port)/subscribeToEvents?history=none"])
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined, "curl's HTTP/2 stream never joined the channel")
            _ = try await publishText(port: port, "over h2")
            let text = await curl.finish()
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
            let first = try Curl(["-sN", "--http2-prior-knowledge", "--max-time", "3", "http://127.0.0.1:\(port)/subscribeToEvents"])
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined)
            let refused = await (try Curl(["-si", "--http2-prior-knowledge", "--max-time", "5", "http://127.0.0.1:\(port)/channels/other"])).finish()
            #expect(refused.hasPrefix("HTTP/2 503"), "\(refused.debugDescription)")
            #expect(refused.lowercased().contains("retry-after: "), "\(refused.debugDescription)")
            _ = await first.finish()
        }
    }
}
