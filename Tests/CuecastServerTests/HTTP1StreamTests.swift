import CuecastCore
import CuecastTestSupport
import Foundation
import Testing

/// HTTP/1 event streams, over raw sockets: every request for a stream is served by the one streaming path, whether
/// it is a connection's first request or follows a page on a kept-alive connection; HTTP/1.1 gets a chunked body
/// and `Connection: close`, HTTP/1.0 a body delimited by the close.
@Suite("HTTP/1 streams")
struct HTTP1StreamTests {
    static let request = "GET /subscribeToEvents?history=none HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nOrigin: http://example.test\r\n\r\n"

    /// Reads until `predicate` holds for what has arrived, the connection ends, or `timeout` passes.
    static func read(_ socket: RawSocket, timeout: Duration = .seconds(5), until predicate: (String) -> Bool) async -> String {
        await socket.read(timeout: timeout, until: predicate).text
    }

    @Test("a first request for a channel: chunked, Connection: close, CORS headers, preamble then events")
    func firstRequest() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send(Self.request)
            let head = await Self.read(socket) { $0.contains("retry: 3000\n\n") }
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.contains("Content-Type: text/event-stream\r\n"))
            #expect(head.lowercased().contains("connection: close\r\n"))
            #expect(head.contains("Access-Control-Allow-Origin: *\r\n"))
            #expect(head.contains("Access-Control-Expose-Headers: X-Cuecast-Connection"))
            #expect(head.lowercased().contains("transfer-encoding: chunked"), "\(head.debugDescription)")
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined)

            _ = try await publishText(port: port, "one\ntwo")
            // One event is one write, so one chunk: the raw bytes hold it whole.
            let text = await Self.read(socket) { $0.contains("data: two\n\n") }
            #expect(text.contains("id: 1\ndata: one\ndata: two\n\n"), "\(text.debugDescription)")
        }
    }

    @Test("a stream asked for on a kept-alive connection after a page is served the same way")
    func keptAliveConnection() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let health = await Self.read(socket) { $0.contains("\"status\"") && $0.hasSuffix("}\n") || $0.hasSuffix("}") }
            #expect(health.hasPrefix("HTTP/1.1 200 OK"))
            try socket.send(Self.request)
            let head = await Self.read(socket) { $0.contains("retry: 3000") }
            #expect(head.lowercased().contains("transfer-encoding: chunked"), "\(head.debugDescription)")
            #expect(head.contains("X-Cuecast-Connection: "), "\(head.debugDescription)")
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined)
            _ = try await publishText(port: port, "hello")
            let text = await Self.read(socket) { $0.contains("data: hello\n\n") }
            #expect(text.contains("id: 1\ndata: hello\n\n"))
        }
    }

    @Test("pipelined requests, two pages then a stream in one packet, are each answered, in order")
    func pipelined() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            // The second and third arrive while the first is answered: they wait at the door, and must not wait there
            // for a read that never comes (the client sends nothing more until it has its answers).
            try socket.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\nGET /api/scenarios HTTP/1.1\r\nHost: localhost\r\n\r\n" + Self.request)
            let text = await Self.read(socket) { $0.contains("retry: 3000") }
            let heads = text.components(separatedBy: "HTTP/1.1 200 OK\r\n").count - 1
            #expect(heads == 3, "\(text.debugDescription)")
            let health = try #require(text.range(of: "\"status\""), "\(text.debugDescription)")
            let catalog = try #require(text.range(of: "\"scenarios\""), "\(text.debugDescription)")
            let stream = try #require(text.range(of: "text/event-stream"), "\(text.debugDescription)")
            #expect(health.lowerBound < catalog.lowerBound && catalog.lowerBound < stream.lowerBound, "answered in order")
        }
    }

    @Test("an HTTP/1.0 client gets an un-chunked stream, and its connection closes when the stream ends")
    func http10() async throws {
        let finite = try scenario("short", #"{"title": "Short", "mode": "solo", "cues": [{"at": 0, "data": "a"}, {"at": 50, "data": "b"}]}"#)
        try await withServer([finite]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("GET /streams/short HTTP/1.0\r\nHost: localhost\r\n\r\n")
            let (bytes, ending) = await socket.drain(timeout: .seconds(5))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(text.debugDescription)")
            #expect(!text.lowercased().contains("transfer-encoding"), "\(text.debugDescription)")
            #expect(text.contains("data: a\n\n") && text.contains("data: b\n\n"), "\(text.debugDescription)")
            #expect(ending == .eof)
        }
    }

    @Test("an HTTP/1.0 request for a page is answered in HTTP/1.0 and its connection closed")
    func http10Page() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("GET /healthz HTTP/1.0\r\n\r\n")
            let (bytes, ending) = await socket.drain(timeout: .seconds(5))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(text.debugDescription)")
            #expect(ending == .eof)
        }
    }

    @Test("requests the streaming path does not take reach the router: bad options, unknown names, other methods")
    func leftToTheRouter() async throws {
        try await withServer([]) { port in
            for (request, status) in [
                ("GET /subscribeToEvents?histroy=2 HTTP/1.1\r\nHost: localhost\r\n\r\n", "400"),
                ("GET /channels/bad%20name HTTP/1.1\r\nHost: localhost\r\n\r\n", "400"),
                ("GET /streams/nope HTTP/1.1\r\nHost: localhost\r\n\r\n", "404"),
                ("POST /subscribeToEvents HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", "405"),
            ] {
                let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
                try socket.send(request)
                let answer = await Self.read(socket) { $0.contains("\r\n\r\n") }
                let line = answer.split(separator: "\r\n").first.map(String.init) ?? ""
                #expect(line.hasPrefix("HTTP/1.1 \(status)"), "\(request.debugDescription) got \(line.debugDescription)")
            }
        }
    }

    @Test("a request head split over many small writes is still served as a stream")
    func splitHead() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            for piece in Self.request.map(String.init) { try socket.send(piece) }
            let head = await Self.read(socket) { $0.contains("retry: 3000\n\n") }
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(head.contains("Content-Type: text/event-stream"))
        }
    }
}

/// Subscribers on a channel, from `/api/channels`.
func subscriberCount(channel: String, port: Int) async throws -> Int {
    let listing = try await fetch(port: port, "/api/channels").json()
    let channels = listing["channels"] as? [[String: Any]] ?? []
    return channels.first { $0["name"] as? String == channel }?["subscribers"] as? Int ?? 0
}

/// `POST /generateEvent` with a plain-text body.
func publishText(port: Int, _ text: String) async throws -> FetchedResponse {
    try await post(port: port, "/generateEvent", body: text, contentType: "text/plain")
}
