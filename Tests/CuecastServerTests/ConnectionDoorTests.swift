import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// What the server does with connections that do not make a proper request: it closes or answers them, at once or
/// within the idle timeout, and keeps answering everyone else.
@Suite("Connections at the door")
struct ConnectionDoorTests {
    @Test("300 connections closed before a whole request head leave the server answering, with nothing held")
    func connectAndClose() async throws {
        try await withServer([]) { port in
            for index in 0..<300 {
                let socket = try RawSocket(port: port)
                if index % 3 == 1 { try socket.send("GET /subscribeToEvents HTTP/1.1\r\nHost: x") }  // a partial head
                if index % 3 == 2 { try socket.send("\u{1}\u{2}garbage") }
                socket.close()
            }
            let health = try await fetch(port: port, "/healthz").json()
            #expect(health["status"] as? String == "ok")
            #expect(health["subscribers"] as? Int == 0)
            // Closed by the server at once, not at the idle timeout (15 s): no socket left in CLOSE-WAIT.
            let released = await eventually(timeout: .seconds(3)) { Self.closeWaitSockets(port: port) == 0 }
            #expect(released, "\(Self.closeWaitSockets(port: port)) connections the clients closed are still open")
        }
    }

    @Test("HTTP/2 connections whose client goes away, with a stream open or not, are closed at once")
    func http2ClientGone() async throws {
        try await withServer([]) { port in
            for _ in 0..<20 {
                let client = try await HTTP2TestClient(port: port)
                _ = try await client.get("/subscribeToEvents?history=none")
                await client.close()
            }
            let released = await eventually(timeout: .seconds(3)) { Self.closeWaitSockets(port: port) == 0 }
            #expect(released, "\(Self.closeWaitSockets(port: port)) HTTP/2 connections the clients closed are still open")
            let drained = try await eventually { try await subscriberCount(channel: "default", port: port) == 0 }
            #expect(drained)
        }
    }

    @Test("a body declared over the limit gets 413 before it is sent; broken chunked framing gets 400, not 413")
    func badBodies() async throws {
        try await withServer([]) { port in
            let oversized = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try oversized.send("POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 10485760\r\n\r\n")
            let started = ContinuousClock.now
            let answer = await oversized.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") }.text
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.debugDescription)")
            #expect(ContinuousClock.now - started < .seconds(2))

            for (name, framing) in [
                ("bad size", "zz\r\nabc\r\n0\r\n\r\n"), ("negative size", "-1\r\nabc\r\n0\r\n\r\n"),
                ("missing CRLF", "3\r\nabcXX0\r\n\r\n"),
            ] {
                let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
                try socket.send("POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + framing)
                let (bytes, _) = await socket.drain(timeout: .seconds(5))
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(text.hasPrefix("HTTP/1.1 400"), "\(name): \(text.prefix(60).debugDescription)")
                // One answer per bad request: the parser's 400, not a second one from the route whose body failed.
                #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2, "\(name): \(text.debugDescription)")
            }
        }
    }

    @Test("a chunk extension of 1 MB or 1 MB of trailers is refused with one 400 and a close; honest one-byte chunks pass")
    func framingIsBounded() async throws {
        try await withServer([]) { port in
            let head = "POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
            let megabyte = String(repeating: "a", count: 1 << 20)
            for (name, framing) in [
                ("chunk extension", "3;x=\(megabyte)\r\nabc\r\n0\r\n\r\n"),
                ("trailers", "3\r\nabc\r\n0\r\n" + String(repeating: "X-Pad: \(String(repeating: "b", count: 1000))\r\n", count: 1024) + "\r\n"),
            ] {
                let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
                try socket.send(head)
                // Sent in pieces, as a client streaming it would; the server may stop taking them.
                let bytes = Array(framing.utf8)
                var offset = 0
                while offset < bytes.count, (try? socket.send(Array(bytes[offset..<min(offset + 65536, bytes.count)]))) != nil { offset += 65536 }
                let (answer, ending) = await socket.drain(timeout: .seconds(5))
                let text = String(decoding: answer, as: UTF8.self)
                #expect(text.hasPrefix("HTTP/1.1 400"), "\(name): \(text.prefix(80).debugDescription)")
                #expect(text.components(separatedBy: "HTTP/1.1 ").count == 2, "\(name): \(text.debugDescription)")
                #expect(ending != nil, "\(name): the connection stayed open")
            }
            // 200 one-byte chunks (six bytes on the wire for each byte of body) are honest framing.
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send(head + String(repeating: "1\r\nx\r\n", count: 200) + "0\r\n\r\n")
            let answer = await socket.read(timeout: .seconds(5)) { $0.contains("\r\n\r\n") }.text
            #expect(answer.hasPrefix("HTTP/1.1 202"), "\(answer.prefix(80).debugDescription)")
        }
    }

    /// Sockets on the server's `port` in CLOSE-WAIT (the client closed, the server has not), from /proc/net/tcp.
    static func closeWaitSockets(port: Int) -> Int {
        let hexPort = String(format: "%04X", port)
        return ["/proc/net/tcp", "/proc/net/tcp6"].reduce(0) { count, file in
            let lines = (try? String(contentsOfFile: file, encoding: .utf8))?.split(separator: "\n").dropFirst() ?? []
            return count + lines.filter { line in
                let fields = line.split(separator: " ")
                return fields.count > 3 && fields[1].hasSuffix(":\(hexPort)") && fields[3] == "08"
            }.count
        }
    }

    @Test("garbage, a bare-LF request, a TLS ClientHello and an HTTP/2 preface cut short get a 400 or a close, never silence")
    func badBytesAreAnswered() async throws {
        try await withServer([], configure: { $0.idleTimeout = .seconds(1) }) { port in
            let clientHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + Array(repeating: 0x41, count: 64)
            let cases: [(String, [UInt8])] = [
                ("garbage", Array((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 13) })),
                ("bare LF", Array("GET /healthz HTTP/1.1\nHost: localhost\n\n".utf8)),
                ("TLS ClientHello", clientHello),
                ("partial preface", Array("PRI * HTTP/2.0\r\n".utf8)),
                ("nothing", []),
            ]
            // Each on its own connection, all at once: the silent ones wait out the same idle timeout together.
            let results = try await withThrowingTaskGroup(of: (String, String, Bool, Duration).self) { group in
                for (name, bytes) in cases {
                    group.addTask {
                        let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
                        if !bytes.isEmpty { try socket.send(bytes) }
                        let started = ContinuousClock.now
                        let (received, ending) = await socket.drain(timeout: .seconds(5))
                        socket.close()
                        return (name, String(decoding: received, as: UTF8.self), ending == .eof, ContinuousClock.now - started)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.count == cases.count)
            for (name, text, closed, took) in results {
                let answered = text.hasPrefix("HTTP/1.1 400") || text.hasPrefix("HTTP/1.1 200")
                #expect(closed || answered, "\(name): no answer and no close; got \(text.prefix(80).debugDescription)")
                #expect(took < .seconds(4), "\(name): took \(took)")
            }
            let health = try await fetch(port: port, "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test("an idle kept-alive connection is closed after the idle timeout")
    func idleTimeout() async throws {
        try await withServer([], configure: { $0.idleTimeout = .milliseconds(500) }) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let started = ContinuousClock.now
            let (received, ending) = await socket.drain(timeout: .seconds(5))
            #expect(String(decoding: received, as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            #expect(ending == .eof)
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(400) && waited < .seconds(3), "closed after \(waited)")
        }
    }

    @Test("a request body that stops halfway is cut off after the body timeout")
    func bodyTimeout() async throws {
        try await withServer([], configure: { $0.requestBodyTimeout = .milliseconds(500) }) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try socket.send("POST /generateEvent HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nhalf")
            let started = ContinuousClock.now
            let (_, ending) = await socket.drain(timeout: .seconds(5))
            #expect(ending == .eof)
            #expect(ContinuousClock.now - started < .seconds(3))
        }
    }
}
