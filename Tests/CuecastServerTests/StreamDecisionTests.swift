import CuecastCore
@testable import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// One decision for every stream request (`StreamRequests.decide`): a stream request that opens no stream is answered
/// by the door, on HTTP/1.1 and h2c alike, with the head and JSON body the router gave it before (status, `Server`,
/// CORS, `Retry-After`, `Content-Type`), counted once, and the connection stays usable.
@Suite("Stream decision", .timeLimit(.minutes(1)))
struct StreamDecisionTests {
    /// A solo stream whose sentinel id (`END`) gets 204.
    static let short = #"{"title": "Short", "mode": "solo", "heartbeat": false, "cues": [{"at": 0, "id": "1", "data": "a"}], "end": {"delay": 10, "sentinel": {"id": "END", "data": "[DONE]"}}}"#

    /// A refused stream request and what its answer must carry.
    struct Refusal: Sendable, CustomStringConvertible {
        let path: String
        var headers: [(String, String)] = []
        let status: Int
        /// The JSON error's code; `nil` for a 204 (no body).
        let code: String?
        /// Whether the answer carries the CORS headers (the router gave them to every refusal after its Host check).
        var crossOrigin = false
        var retryAfter = false

        var description: String { "\(path) \(status)" }
    }

    static let origin = ("Origin", "http://page.example")

    static let refusals: [Refusal] = [
        Refusal(path: "/streams/nope", headers: [origin], status: 404, code: "unknown_stream", crossOrigin: true),
        Refusal(path: "/streams/short?speed=abc", status: 400, code: "bad_speed"),
        Refusal(path: "/channels/bad!name", status: 400, code: "bad_channel"),
        // A page on another site may join a channel but not create one.
        Refusal(path: "/channels/fresh", headers: [origin], status: 404, code: "unknown_channel", crossOrigin: true),
        Refusal(path: "/subscribeToEvents?histroy=1", status: 400, code: "unknown_parameter"),
        Refusal(path: "/api/stats/stream?histroy=1", status: 400, code: "unknown_parameter"),
        // Refused before CORS, as the router's Host check did: no CORS headers even with an Origin.
        Refusal(path: "/streams/short", headers: [("Host", "rebound.example"), origin], status: 403, code: "host_not_allowed"),
        Refusal(path: "/streams/a%00b", status: 400, code: "bad_path"),
        Refusal(path: "/streams/short", headers: [("Last-Event-ID", "END"), origin], status: 204, code: nil, crossOrigin: true),
        Refusal(path: "/streams/short", headers: [("Last-Event-ID", "END")], status: 204, code: nil),
    ]

    /// curl's `-si` output: status, lowercased header names to values, body.
    static func parse(_ text: String) -> (status: Int, headers: [String: String], body: String) {
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = (parts.first ?? "").components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    static func check(_ refusal: Refusal, answer text: String, over http: String) {
        let (status, headers, body) = parse(text)
        #expect(status == refusal.status, "\(http) \(refusal): \(text.debugDescription)")
        #expect(headers["server"] == "cuecast", "\(http) \(refusal): \(text.debugDescription)")
        #expect(headers["date"]?.hasSuffix(" GMT") == true, "\(http) \(refusal): \(text.debugDescription)")
        #expect((headers["access-control-allow-origin"] == "*") == refusal.crossOrigin, "\(http) \(refusal): \(text.debugDescription)")
        let exposed = headers["access-control-expose-headers"]?.contains("Retry-After") == true
        #expect(exposed == refusal.crossOrigin, "\(http) \(refusal): \(text.debugDescription)")
        #expect((headers["retry-after"] == "5") == refusal.retryAfter, "\(http) \(refusal): \(text.debugDescription)")
        #expect(headers["connection"] == nil, "\(http) \(refusal): kept alive, no Connection header: \(text.debugDescription)")
        guard let code = refusal.code else {
            #expect(body.isEmpty, "\(http) \(refusal): \(text.debugDescription)")
            #expect(headers["content-type"] == nil, "\(http) \(refusal): \(text.debugDescription)")
            return
        }
        #expect(headers["content-type"] == "application/json; charset=utf-8", "\(http) \(refusal): \(text.debugDescription)")
        #expect(headers["content-length"] == String(body.utf8.count), "\(http) \(refusal): \(text.debugDescription)")
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        let error = json?["error"] as? [String: Any]
        #expect(error?["code"] as? String == code, "\(http) \(refusal): \(body.debugDescription)")
        #expect(error?["status"] as? Int == refusal.status, "\(http) \(refusal): \(body.debugDescription)")
        #expect((error?["message"] as? String)?.isEmpty == false, "\(http) \(refusal): \(body.debugDescription)")
    }

    static func curl(_ port: Int, _ refusal: Refusal, http2: Bool) async throws -> String {
        var arguments = ["-si", "--max-time", "5", http2 ? "--http2-prior-knowledge" : "--http1.1", "--path-as-is"]
        for (name, value) in refusal.headers { arguments += ["-H", "\(name): \(value)"] }
        return await (try Curl(arguments + ["http://127.0.0.1:\(port)\(refusal.path)"])).finish()
    }

    @Test("every refusal is answered by the door with the router's head and JSON body, over HTTP/1.1 and h2c; the cap's 503 too")
    func refusalsOnBothProtocols() async throws {
        try await withServer([try scenario("short", Self.short)], configure: { $0.maxSubscribers = 1 }) { port in
            for refusal in Self.refusals {
                Self.check(refusal, answer: try await Self.curl(port, refusal, http2: false), over: "HTTP/1.1")
                Self.check(refusal, answer: try await Self.curl(port, refusal, http2: true), over: "h2c")
            }
            // The one slot taken: the next stream gets 503 with Retry-After, on either protocol.
            let held = try await SSEClient.connect(port: port, path: "/subscribeToEvents")
            #expect(held.status == 200)
            let full = Refusal(path: "/streams/short", headers: [Self.origin], status: 503, code: "too_many_subscribers", crossOrigin: true, retryAfter: true)
            Self.check(full, answer: try await Self.curl(port, full, http2: false), over: "HTTP/1.1")
            Self.check(full, answer: try await Self.curl(port, full, http2: true), over: "h2c")
        }
    }

    @Test("the answers' Date is RFC 9110's IMF-fixdate, as Hummingbird writes it")
    func imfFixdate() {
        #expect(HTTPDate.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test("a refused stream on a kept-alive HTTP/1.1 connection leaves it usable: a page, then a stream, on the same connection")
    func keepAliveAfterRefusal() async throws {
        try await withServer([try scenario("short", Self.short)]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            // A GET with a body, which the door drops, then a pipelined page.
            try socket.send("GET /streams/nope HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhelloGET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let first = await socket.read { $0.contains("\"status\":\"ok\"") }
            #expect(!first.ended, "\(first.text.debugDescription)")
            #expect(first.text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(first.text.debugDescription)")
            #expect(first.text.contains("\"code\":\"unknown_stream\""), "\(first.text.debugDescription)")
            #expect(first.text.contains("HTTP/1.1 200 OK\r\n"), "\(first.text.debugDescription)")
            // Then a 204, and a stream that opens, on the same connection.
            try socket.send("GET /streams/short HTTP/1.1\r\nHost: localhost\r\nLast-Event-ID: END\r\n\r\n")
            let noContent = await socket.read { $0.contains("\r\n\r\n") }
            #expect(noContent.text.hasPrefix("HTTP/1.1 204 No Content\r\n"), "\(noContent.text.debugDescription)")
            #expect(!noContent.ended)
            try socket.send("GET /streams/short HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let stream = await socket.read { $0.contains("data: [DONE]") }
            #expect(stream.text.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(stream.text.debugDescription)")
            #expect(stream.text.contains("data: a\n"), "\(stream.text.debugDescription)")
        }
    }

    @Test("a refusal that asked for a close ends its connection after the answer")
    func closeAfterRefusal() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("GET /streams/nope HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            let answer = await socket.read { _ in false }
            #expect(answer.ended, "\(answer.text.debugDescription)")
            #expect(answer.text.hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(answer.text.debugDescription)")
        }
    }

    @Test("on one HTTP/2 connection, refused streams are answered beside an open event stream, which goes on")
    func refusedBesideOpenStream() async throws {
        try await withServer([try scenario("short", Self.short)]) { port in
            let client = try await HTTP2TestClient(port: port)
            let open = try await client.get("/subscribeToEvents?history=none")
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 1 }
            #expect(joined)
            let unknown = try await client.get("/streams/nope", headers: [Self.origin])
            let noContent = try await client.get("/streams/short", headers: [("last-event-id", "END")])
            let answered = await eventually { unknown.ended && noContent.ended }
            #expect(answered)
            #expect(unknown.status == 404)
            #expect(unknown.text.contains("\"code\":\"unknown_stream\""), "\(unknown.text.debugDescription)")
            #expect(unknown.headers.first(name: "access-control-allow-origin") == "*")
            #expect(unknown.headers.first(name: "server") == "cuecast")
            #expect(noContent.status == 204)
            #expect(noContent.text.isEmpty)
            _ = try await publishText(port: port, "still here")
            let delivered = await eventually { open.text.contains("data: still here\n\n") }
            #expect(delivered, "\(open.text.debugDescription)")
            #expect(!open.ended)
            await client.close()
        }
    }

    @Test("a refused stream is counted once, under its route and status, on either protocol")
    func countedOnce() async throws {
        try await withServer([try scenario("short", Self.short)]) { port in
            let refusal = Refusal(path: "/streams/nope", status: 404, code: "unknown_stream")
            _ = try await Self.curl(port, refusal, http2: false)
            _ = try await Self.curl(port, refusal, http2: true)
            let noContent = Refusal(path: "/streams/short", headers: [("Last-Event-ID", "END")], status: 204, code: nil)
            _ = try await Self.curl(port, noContent, http2: false)
            let metrics = try await scrape(port: port)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/streams/{name}", "status": "404"]) == 2)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "/streams/{name}", "status": "204"]) == 1)
            #expect(metrics.value("cuecast_no_content_total") == 1)
            #expect(metrics.value("cuecast_http_requests_total", ["route": "NotFound", "status": "404"]) == nil)
        }
    }
}
