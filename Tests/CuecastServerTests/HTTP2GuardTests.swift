import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// HTTP/2's own guards, attacked with frames written by hand on a raw socket (cleartext, prior knowledge), as a
/// hostile client would write them: NIOHTTP2 enforces them, and these tests show Cuecast's server configuration keeps
/// them and survives them.
@Suite("HTTP/2 guards")
struct HTTP2GuardTests {
    @Test("a reset flood (a stream opened and reset, 300 times) gets GOAWAY ENHANCE_YOUR_CALM and a close; every slot comes back")
    func resetFlood() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 256 * 1024)
            var bytes = H2.preface
            for index in 0..<300 {
                let stream = UInt32(1 + 2 * index)
                bytes += H2.frame(.headers, flags: H2.endHeaders | H2.endStream, stream: stream, H2.get("/subscribeToEvents?history=none"))
                bytes += H2.frame(.rstStream, stream: stream, [0, 0, 0, 0x8])  // CANCEL
            }
            // ENHANCE_YOUR_CALM; closed with a reset rather than a FIN when the close finds the rest of the flood unread.
            _ = try await Self.goAwayAndClose(after: bytes, on: socket, code: 0xB, timeout: .seconds(10))
            // The streams it opened before the GOAWAY gave their subscriber slots back, and the server serves on.
            let released = try await eventually { try await subscriberCount(channel: "default", port: port) == 0 }
            #expect(released)
            #expect(try await fetch(port: port, "/healthz").status == 200)
        }
    }

    @Test("a header block over 16 KiB gets GOAWAY PROTOCOL_ERROR and a close; the server serves the next connection")
    func oversizedHeaders() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 256 * 1024)
            // 20,000 bytes in one header, over HEADERS and CONTINUATION frames (a frame holds at most 16 KiB).
            let block = H2.get("/healthz", extra: ("x-padding", String(repeating: "a", count: 20_000)))
            var bytes = H2.preface
            let first = Array(block.prefix(16_000))
            let rest = Array(block.dropFirst(16_000))
            bytes += H2.frame(.headers, flags: H2.endStream, stream: 1, first)
            bytes += H2.frame(.continuation, flags: H2.endHeaders, stream: 1, rest)
            let frames = try await Self.goAwayAndClose(after: bytes, on: socket, code: 0x1, timeout: .seconds(5))  // PROTOCOL_ERROR
            #expect(!frames.contains { $0.type == H2.FrameType.headers.rawValue && $0.stream == 1 }, "the request was not served")
            // A fresh connection with a normal request is served.
            let next = try RawSocket(port: port, receiveBuffer: 256 * 1024)
            try next.send(H2.preface + H2.frame(.headers, flags: H2.endHeaders | H2.endStream, stream: 1, H2.get("/healthz")))
            let (served, _) = await next.drain(timeout: .seconds(2))
            #expect(H2.frames(in: served).contains { $0.type == H2.FrameType.headers.rawValue && $0.stream == 1 }, "answered")
        }
    }

    @Test("a WINDOW_UPDATE that overflows the connection window gets GOAWAY FLOW_CONTROL_ERROR and a close; its streams' slots come back")
    func connectionWindowOverflow() async throws {
        try await withServer([]) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 256 * 1024)
            var opening = H2.preface
            for index in 0..<5 {
                opening += H2.frame(.headers, flags: H2.endHeaders | H2.endStream, stream: UInt32(1 + 2 * index), H2.get("/subscribeToEvents?history=none"))
            }
            try socket.send(opening)
            let joined = try await eventually { try await subscriberCount(channel: "default", port: port) == 5 }
            try #require(joined)
            // 2^31 - 1 more on a window that already holds 65,535: over the largest window (RFC 9113 §6.9.1).
            let overflow = H2.frame(.windowUpdate, stream: 0, [0x7F, 0xFF, 0xFF, 0xFF])
            _ = try await Self.goAwayAndClose(after: overflow, on: socket, code: 0x3, timeout: .seconds(5))  // FLOW_CONTROL_ERROR
            let released = try await eventually { try await subscriberCount(channel: "default", port: port) == 0 }
            #expect(released, "the connection's streams gave their slots back")
        }
    }

    @Test("a connection that sends the preface and nothing more is closed after the idle timeout")
    func prefaceOnlyIsTimedOut() async throws {
        try await withServer([], configure: { $0.idleTimeout = .milliseconds(300) }) { port in
            let withSettings = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try withSettings.send(H2.preface)
            let bare = try RawSocket(port: port, receiveBuffer: 64 * 1024)
            try bare.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8))
            for socket in [withSettings, bare] {
                let (_, ending) = await socket.drain(timeout: .seconds(4))
                #expect(ending != nil, "still open 4 s later: more than ten idle timeouts")
            }
        }
    }

    @Test("a client that opens every window, sends requests and never reads the answers stops being read once a subscriber buffer of them is unread")
    func unreadAnswersStopReading() async throws {
        try await withServer([], configure: { $0.subscriberBufferBytes = 64 * 1024 }) { port in
            let socket = try RawSocket(port: port, receiveBuffer: 4096)
            // Every stream's window and the connection's at the largest (2^31 - 1): nothing in HTTP/2 holds the answers.
            let settings = H2.frame(.settings, stream: 0, [0x00, 0x04, 0x7F, 0xFF, 0xFF, 0xFF])  // INITIAL_WINDOW_SIZE
            let window = H2.frame(.windowUpdate, stream: 0, [0x7F, 0xFF, 0x00, 0x00])  // 65,535 + this = 2^31 - 1
            try socket.send(Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + settings + window)
            // `GET /api/openapi.json` (80 KB an answer), 2 requests every 5 ms: paced under the 256 streams a
            // connection may have open, so NIOHTTP2's refusals do not end the connection first. Before back-pressure
            // the server read on until 256 answers filled a connection buffer of a subscriber buffer per stream.
            let request = H2.get("/api/openapi.json")
            var pending: [UInt8] = []
            var sent: UInt32 = 0
            let deadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < deadline {
                if pending.count < 4096 {
                    for _ in 0..<2 {
                        pending += H2.frame(.headers, flags: H2.endHeaders | H2.endStream, stream: 1 + 2 * sent, request)
                        sent += 1
                    }
                }
                pending.removeFirst(try socket.sendSome(pending))
                try await Task.sleep(for: .milliseconds(5))
            }
            let metrics = try await scrape(port: port)
            let answered = metrics.value("cuecast_http_requests_total", ["route": "/api/openapi.json", "status": "200"]) ?? 0
            #expect(sent >= 200, "the flood sent enough requests to tell")
            // One answer fills the 64 KiB buffer: what was read with it is answered, and nothing after.
            #expect(answered < 128, "answered \(answered) of \(sent) requests whose answers were never read")
            socket.close()
            #expect(try await fetch(port: port, "/healthz").status == 200)
        }
    }

    /// Sends `bytes`, reads until the server stops, and checks what a connection error looks like: the last frame
    /// of type GOAWAY carries `code`, and the server closed the connection (a FIN, or a reset if it left input
    /// unread). Returns the frames it sent.
    static func goAwayAndClose(after bytes: [UInt8], on socket: RawSocket, code: UInt32, timeout: Duration) async throws -> [H2.Frame] {
        try socket.send(bytes)
        let (answer, ending) = await socket.drain(timeout: timeout)
        let frames = H2.frames(in: answer)
        let goAway = try #require(frames.last { $0.type == H2.FrameType.goAway.rawValue }, "a GOAWAY, not silence: \(frames.map(\.type))")
        #expect(H2.errorCode(ofGoAway: goAway.payload) == code, "the GOAWAY's error code")
        #expect(ending == .eof || ending == .error(ECONNRESET), "the server closed the connection: \(String(describing: ending))")
        return frames
    }
}

/// Just enough HTTP/2 to write a hostile client by hand: frames, and request headers in HPACK without the dynamic
/// table or Huffman coding (literal fields, static-table names).
enum H2 {
    enum FrameType: UInt8 {
        case data = 0, headers = 1, rstStream = 3, settings = 4, goAway = 7, windowUpdate = 8, continuation = 9
    }

    static let endStream: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4

    /// The client preface and an empty SETTINGS frame.
    static var preface: [UInt8] { Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + frame(.settings, stream: 0, []) }

    static func frame(_ type: FrameType, flags: UInt8 = 0, stream: UInt32, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type.rawValue, flags,
                UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)] + payload
    }

    /// `GET path` on `localhost`, with one more header if given.
    static func get(_ path: String, extra: (String, String)? = nil) -> [UInt8] {
        var block: [UInt8] = [0x82, 0x86]  // :method GET, :scheme http (static table)
        block += literal(nameIndex: 4, path)  // :path
        block += literal(nameIndex: 1, "localhost")  // :authority
        if let (name, value) = extra {
            block += [0x00] + integer(name.utf8.count, prefixBits: 7) + Array(name.utf8) + integer(value.utf8.count, prefixBits: 7) + Array(value.utf8)
        }
        return block
    }

    /// A literal header field without indexing, its name from the static table.
    private static func literal(nameIndex: Int, _ value: String) -> [UInt8] {
        integer(nameIndex, prefixBits: 4) + integer(value.utf8.count, prefixBits: 7) + Array(value.utf8)
    }

    /// HPACK's integer with an N-bit prefix (RFC 7541, 5.1); the high bits of the first byte are left 0.
    private static func integer(_ value: Int, prefixBits: Int) -> [UInt8] {
        let limit = (1 << prefixBits) - 1
        guard value >= limit else { return [UInt8(value)] }
        var bytes = [UInt8(limit)]
        var rest = value - limit
        while rest >= 128 {
            bytes.append(UInt8(rest % 128 + 128))
            rest /= 128
        }
        bytes.append(UInt8(rest))
        return bytes
    }

    struct Frame {
        let type: UInt8
        let stream: UInt32
        let payload: [UInt8]
    }

    /// The whole frames in `bytes` (what a server sends: no preface to skip).
    static func frames(in bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard index + 9 + length <= bytes.count else { break }
            let stream = UInt32(bytes[index + 5] & 0x7F) << 24 | UInt32(bytes[index + 6]) << 16 | UInt32(bytes[index + 7]) << 8 | UInt32(bytes[index + 8])
            frames.append(Frame(type: bytes[index + 3], stream: stream, payload: Array(bytes[(index + 9)..<(index + 9 + length)])))
            index += 9 + length
        }
        return frames
    }

    /// A GOAWAY's error code (after the last stream id).
    static func errorCode(ofGoAway payload: [UInt8]) -> UInt32? {
        guard payload.count >= 8 else { return nil }
        return UInt32(payload[4]) << 24 | UInt32(payload[5]) << 16 | UInt32(payload[6]) << 8 | UInt32(payload[7])
    }
}
