import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// Faults on demand, on the wire: the raw bytes and heads a stream sends when a query option asks it to misbehave.
@Suite(.timeLimit(.minutes(1)))
struct FaultWireTests {
    /// Five events 5 ms apart, every kind of line, then the sentinel.
    static let short = """
        {
          "title": "Short", "mode": "solo", "retry": 100, "heartbeat": false, "welcome": "hi",
          "cues": [
            { "at": 5, "repeat": { "every": 5, "count": 4 }, "event": "tick", "data": "n {{$index}}\\nsecond" },
            { "after": 5, "comment": "a comment", "data": "" }
          ],
          "end": { "delay": 5 }
        }
        """
    /// An event every 20 ms, for a long while.
    static let ticking = """
        {"title": "Ticking", "mode": "solo", "heartbeat": false, "welcome": false, "cues": [{"at": 0, "repeat": {"every": 20, "count": 500}, "data": "t{{$index}}"}]}
        """

    static func scenarios() throws -> [Scenario] { [try scenario("short", short), try scenario("ticking", ticking)] }

    @Test("lineEnding, bom and junk rewrite the bytes and nothing else")
    func byteRewrites() async throws {
        try await withServer(Self.scenarios()) { port in
            let clean = try await fetch(port: port, "/streams/short").body
            let crlf = try await fetch(port: port, "/streams/short?lineEnding=crlf").body
            let cr = try await fetch(port: port, "/streams/short?lineEnding=cr").body
            let bom = try await fetch(port: port, "/streams/short?bom=1")
            let junk = try await fetch(port: port, "/streams/short?junk=1").body
            #expect(clean.hasPrefix(": hi\n\nretry: 100\n\nid: 1\nevent: tick\ndata: n 0\ndata: second\n\n"))
            #expect(crlf == clean.replacingOccurrences(of: "\n", with: "\r\n"))
            #expect(cr == clean.replacingOccurrences(of: "\n", with: "\r"))
            #expect(Array(bom.body.utf8) == [0xEF, 0xBB, 0xBF] + Array(clean.utf8))
            #expect(bom.header("Content-Type") == "text/event-stream")
            let junkLines = String(decoding: FaultTransform.junkLines, as: UTF8.self)
            let junkBlock = String(decoding: FaultTransform.junkBlock, as: UTF8.self)
            #expect(junk.contains(junkBlock + "id: 1\nevent: tick\ndata: n 0\ndata: second\n" + junkLines + "\n"))
            // Five events (four ticks and the comment's event) and the sentinel each get the junk.
            #expect(junk.components(separatedBy: junkBlock).count - 1 == 6)
        }
    }

    @Test("closeAfter ends the response after the N-th event; closeMidEvent cuts the N-th before its blank line")
    func closing() async throws {
        try await withServer(Self.scenarios()) { port in
            let after = try await fetch(port: port, "/streams/ticking?closeAfter=3").body
            let middle = try await fetch(port: port, "/streams/ticking?closeMidEvent=3").body
            #expect(after == "id: 1\ndata: t0\n\nid: 2\ndata: t1\n\nid: 3\ndata: t2\n\n")
            #expect(middle == "id: 1\ndata: t0\n\nid: 2\ndata: t1\n\nid: 3\ndata: t2\n")
            // Resuming after the last dispatched event gets the cut one whole.
            let resumed = try await SSEClient.connect(port: port, path: "/streams/ticking?closeMidEvent=3", headers: [("Last-Event-ID", "2")])
            let events = try await resumed.events(2)
            await resumed.close()
            #expect(events.map(\.data) == ["t2", "t3"])
        }
    }

    @Test("stallAfter keeps the connection open and silent after the N-th event")
    func stall() async throws {
        try await withServer(Self.scenarios()) { port in
            let client = try await SSEClient.connect(port: port, path: "/streams/short?stallAfter=2&client=stalled")
            let events = try await client.events(2)
            // Far past the scenario's end (about 35 ms): no event, no sentinel, no end of the response.
            let more = try? await client.next(timeout: .milliseconds(400))
            let listed = try await fetch(port: port, "/api/connections").body
            await client.close()
            #expect(events.map(\.lastEventId) == ["1", "2"])
            #expect(more == nil)
            #expect(listed.contains("\"client\":\"stalled\""))
        }
    }

    @Test("status and contentType replace the head; the body is the stream all the same")
    func head() async throws {
        try await withServer(Self.scenarios()) { port in
            let failing = try await fetch(port: port, "/streams/short?status=500")
            let plain = try await fetch(port: port, "/streams/short?contentType=text/plain")
            let charset = try await fetch(port: port, "/streams/short?contentType=text/event-stream;charset=iso-8859-1")
            #expect(failing.status == 500)
            #expect(failing.header("Content-Type") == "text/event-stream")
            #expect(failing.body.contains("id: 1\nevent: tick\n"))
            #expect(plain.status == 200)
            #expect(plain.header("Content-Type") == "text/plain")
            #expect(charset.header("Content-Type") == "text/event-stream;charset=iso-8859-1")
        }
    }

    @Test("latency holds the head back; drip sends one byte per write")
    func pacing() async throws {
        try await withServer(Self.scenarios()) { port in
            let asked = ContinuousClock.now
            let late = try await SSEClient.connect(port: port, path: "/streams/ticking?latency=300")
            let waited = late.connectedAt - asked
            let event = try await late.nextEvent()
            await late.close()
            #expect(waited >= .milliseconds(300))
            #expect(event?.data == "t0")

            // 20 ms between bytes. HTTP/1.1 frames each write as a chunk of its own, so the chunk sizes show the writes.
            let socket = try RawSocket(port: port)
            let sent = ContinuousClock.now
            try socket.send("GET /streams/short?drip=20 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let (text, _) = await socket.read(timeout: .seconds(5)) { text in
                guard let head = text.range(of: "\r\n\r\n") else { return false }
                return text[head.upperBound...].utf8.count >= 60  // ten chunks of one byte: "1\r\nX\r\n"
            }
            let elapsed = ContinuousClock.now - sent
            socket.close()
            let body = text.range(of: "\r\n\r\n").map { Array(text[$0.upperBound...].utf8) } ?? []
            var sizes: [Int] = []
            var index = 0
            while sizes.count < 10, let lineEnd = (index..<max(index, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 }) {
                let size = Int(String(decoding: body[index..<lineEnd], as: UTF8.self), radix: 16) ?? -1
                sizes.append(size)
                index = lineEnd + 2 + max(size, 0) + 2
                if size <= 0 || index > body.count { break }
            }
            #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(sizes == Array(repeating: 1, count: 10), "chunks: \(sizes)")
            // Nine pauses of 20 ms at least between the first and the tenth byte.
            #expect(elapsed >= .milliseconds(180))
        }
    }

    @Test("faults on a channel: junk and closeAfter on published events")
    func channel() async throws {
        try await withServer([]) { port in
            let client = try await SSEClient.connect(port: port, path: "/subscribeToEvents?junk=1&closeAfter=2&lineEnding=crlf")
            for text in ["a", "b", "c"] { _ = try await post(port: port, "/generateEvent", body: text) }
            let outputs = try await client.readToEnd()
            let raw = String(decoding: client.raw, as: UTF8.self)
            #expect(outputs.events.map(\.data) == ["a", "b"])
            #expect(outputs.events.map(\.type) == ["message", "message"])
            #expect(raw.contains("id: nul\u{0}id\r\n"))
            #expect(!raw.contains("\n\n"))
        }
    }

    @Test("bad values: 400 with code bad_fault naming the option", arguments: [
        "drip=-1", "drip=5000", "latency=x", "lineEnding=lfcr", "bom=yes", "junk=2", "closeAfter=0", "closeMidEvent=abc",
        "stallAfter=0", "status=204", "status=99", "status=600", "contentType=",
    ])
    func badValues(query: String) async throws {
        try await withServer(Self.scenarios()) { port in
            let response = try await fetch(port: port, "/streams/short?\(query)")
            let error = try response.json()["error"] as? [String: Any]
            let field = String(query.prefix { $0 != "=" })
            #expect(response.status == 400)
            #expect(error?["code"] as? String == "bad_fault")
            #expect(error?["field"] as? String == field)
        }
    }

    @Test("over HTTP/2 (curl, prior knowledge): status and CR line ends")
    func http2() async throws {
        try await withServer(Self.scenarios()) { port in
            let output = await (try Curl(["-s", "-i", "--http2-prior-knowledge", "--max-time", "5", "http://127.0.0.1:\(port)/streams/short?status=503&lineEnding=cr"])).finish()
            #expect(output.hasPrefix("HTTP/2 503"))
            #expect(output.contains("\r\n\r\n: hi\r\rretry: 100\r\rid: 1\revent: tick\r"))
        }
    }
}
