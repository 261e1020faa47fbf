import CuecastTestSupport
import CuecastCore
import CuecastServer
import Foundation
import Testing

/// A subscriber that stops reading must not hold the others back or grow the server's memory: once it is
/// `subscriberBufferBytes` behind it is cut off, and its connection is closed.
///
/// The buffer is 1 MiB: half a second of the 2 MB/s flood, and still small next to what the kernel soaks up for a
/// stalled connection (megabytes). The healthy reader must not fall that far behind, and with less it did: with
/// 16 KiB (8 ms) when the rest of the suite kept both cores busy, and with 128 KiB (60 ms) when `swift test` ran
/// the suites in parallel, at the start of the flood, before the kernel's buffers had grown. Serialized: two
/// floods at once would starve the healthy readers.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct SlowSubscriberTests {
    /// About 2 KB every millisecond, looping.
    static func flood() throws -> Scenario {
        let payload = String(repeating: "x", count: 2000)
        return try scenario(
            "flood",
            """
            {
              "title": "Flood", "mode": "live", "heartbeat": false, "welcome": false, "loop": { "delay": 1 },
              "cues": [{ "at": 0, "repeat": { "every": 1, "count": 1000 }, "data": "{{$pass}}:{{$index}} \(payload)" }]
            }
            """
        )
    }

    static let bufferBytes = 1 << 20

    static let request = "GET /streams/flood?history=none HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n"

    /// The most a stalled connection can soak up in kernel buffers: the server's send buffer grows up to
    /// `tcp_wmem`'s maximum, and the client's receive buffer was set small.
    static var kernelSlack: Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8)) ?? ""
        let maximum = text.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } ?? 4 << 20
        return maximum + (1 << 20)
    }

    /// Ids must run on with no gap and no repeat.
    static func expectContiguous(_ events: [ParsedEvent], _ who: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let ids = events.compactMap(\.number)
        #expect(ids.count == events.count, "\(who): events without a numeric id", sourceLocation: sourceLocation)
        guard let first = ids.first else { return }
        let gap = zip(ids, ids.dropFirst()).first { $1 != $0 + 1 }
        #expect(gap == nil, "\(who): ids jump from \(gap?.0 ?? 0) to \(gap?.1 ?? 0) (first \(first))", sourceLocation: sourceLocation)
    }

    /// How a reader's stream stands, for failure messages.
    static func describe(_ reader: SSEClient) -> String {
        let tail = String(decoding: reader.raw.suffix(300), as: UTF8.self).replacingOccurrences(of: "x", with: "")
        return "reader end: \(String(describing: reader.end)), tail without the x padding: \(tail.debugDescription)"
    }

    @Test("a stalled subscriber is cut off with a notice once it reads again; the other gets every event")
    func cutOffWithNotice() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.subscriberBufferBytes = Self.bufferBytes
            // Long enough for the test to come back and read the notice.
            $0.closeGracePeriod = .seconds(20)
        }
        try await withServer([Self.flood()], configure: configure) { port in
            let stalled = try RawSocket(port: port, receiveBuffer: 4096)
            try stalled.send(Self.request)
            let reader = try await SSEClient.connect(port: port, path: "/streams/flood?history=none")
            let bothJoined = try await eventually { try await subscriberCount(port: port, "flood") == 2 }
            #expect(bothJoined)

            // Once the reader has had more than the kernel can buffer for the stalled one, plus the stalled
            // one's own buffer, the stalled one is certainly past it.
            let slack = Self.kernelSlack + Self.bufferBytes
            let enough = await eventually(timeout: .seconds(30), interval: .milliseconds(20)) { reader.byteCount > slack }
            try #require(enough, "the reader received only \(reader.byteCount) bytes; \(Self.describe(reader))")

            // Reading again lets the server finish its stuck write and send what it queued last: the notice.
            guard let (outputs, _) = try await readCutOffStream(stalled, timeout: .seconds(5)) else { return }
            #expect(outputs.events.count > 10)
            Self.expectContiguous(outputs.events, "stalled")
            let released = try await eventually(timeout: .seconds(3)) { try await subscriberCount(port: port, "flood") == 1 }
            #expect(released)

            // The reader was never cut off and is still receiving, in order.
            let before = reader.byteCount
            let stillReceiving = await reader.waitForRaw { $0.count > before + 100_000 }
            #expect(stillReceiving)
            #expect(reader.end == nil)
            var readerParser = EventStreamParser()
            let readerOutputs = readerParser.feed(reader.raw)
            let readerCutOff = readerOutputs.comments.contains { $0.hasPrefix("cut off") }
            #expect(!readerCutOff)
            Self.expectContiguous(readerOutputs.events, "reader")
            // The reader saw everything the stalled one saw, and more.
            if let last = outputs.events.last?.number, let readerLast = readerOutputs.events.last?.number {
                #expect(readerLast > last)
            }
            await reader.close()
        }
    }

    @Test("a subscriber that never reads again is disconnected after the grace period")
    func stuckConnectionClosed() async throws {
        let configure: (inout ServerConfiguration) -> Void = {
            $0.subscriberBufferBytes = Self.bufferBytes
            $0.closeGracePeriod = .milliseconds(200)
        }
        try await withServer([Self.flood()], configure: configure) { port in
            let stalled = try RawSocket(port: port, receiveBuffer: 4096)
            try stalled.send(Self.request)
            let reader = try await SSEClient.connect(port: port, path: "/streams/flood?history=none")
            let bothJoined = try await eventually { try await subscriberCount(port: port, "flood") == 2 }
            #expect(bothJoined)

            // Without reading a byte, the stalled subscriber is dropped: the count falls back to the reader alone.
            let dropped = try await eventually(timeout: .seconds(30), interval: .milliseconds(20)) {
                try await subscriberCount(port: port, "flood") == 1
            }
            #expect(dropped)
            // The one dropped is the stalled one: the reader is still connected.
            #expect(reader.end == nil, "\(Self.describe(reader))")
            let (bytes, ending) = await stalled.drain(timeout: .seconds(5))
            #expect(ending != nil, "the server should have closed the connection")
            #expect(bytes.count > 0)

            let before = reader.byteCount
            let stillReceiving = await reader.waitForRaw { $0.count > before + 100_000 }
            #expect(stillReceiving)
            var parser = EventStreamParser()
            let outputs = parser.feed(reader.raw)
            let readerCutOff = outputs.comments.contains { $0.hasPrefix("cut off") }
            #expect(!readerCutOff)
            Self.expectContiguous(outputs.events, "reader")
            await reader.close()
        }
    }
}
