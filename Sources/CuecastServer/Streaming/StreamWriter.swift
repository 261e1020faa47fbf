import HTTPTypes
import NIOCore
import NIOHTTP2
import NIOHTTPTypes

/// Where a stream's response goes, chosen once when it opens (issue 22, "one writer"): an HTTP/1 connection's
/// pipeline, through its `RequestDoor`'s context (NIOHTTP1 frames it, then the stream itself once the codec is shed,
/// `BodyFraming`), or an HTTP/2 stream's record on its connection (`HTTP2EventStream`), written as frames with no
/// channel of its own. A fault (`FaultyWire`) writes through either.
enum StreamWriter {
    case http1(ChannelHandlerContext)
    case http2(HTTP2EventStream)

    var eventLoop: any EventLoop {
        switch self {
        case .http1(let context): context.eventLoop
        case .http2(let record): record.eventLoop
        }
    }

    var isHTTP2: Bool {
        if case .http2 = self { return true }
        return false
    }

    /// The response head; not flushed.
    func writeHead(_ head: HTTPResponse) {
        switch self {
        case .http1(let context): context.write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        case .http2(let record): record.writeHead(head)
        }
    }

    /// Body bytes through the protocol's framing as the head left it (NIOHTTP1's encoder, or a DATA frame); not
    /// flushed. On HTTP/2, `false` if the stream is now over its buffer.
    @discardableResult
    func writeBody(_ bytes: ByteBuffer) -> Bool {
        switch self {
        case .http1(let context):
            context.write(NIOAny(HTTPResponsePart.body(bytes)), promise: nil)
            return true
        case .http2(let record):
            return record.write(.data(.init(data: .byteBuffer(bytes))), bytes: bytes.readableBytes)
        }
    }

    func flush() {
        switch self {
        case .http1(let context): context.flush()
        case .http2(let record): record.door.flush()
        }
    }
}
