import NIOCore
import NIOHPACK
import NIOHTTP2

extension HTTP2Frame {
    /// A stream request's answer (`StreamAnswer`) as the frames that end its stream: HEADERS, then the body in one
    /// DATA frame with END_STREAM, or HEADERS with END_STREAM alone for a 204. Written by `HTTP2StreamDoor` on the
    /// connection, like an event stream's frames, so an answered stream gets no channel either.
    static func answer(_ answer: StreamAnswer, streamID: HTTP2StreamID) -> [HTTP2Frame] {
        let headers = HPACKHeaders(response: answer.head)
        guard let body = answer.body, body.readableBytes > 0 else {
            return [HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: headers, endStream: true)))]
        }
        return [
            HTTP2Frame(streamID: streamID, payload: .headers(.init(headers: headers))),
            HTTP2Frame(streamID: streamID, payload: .data(.init(data: .byteBuffer(body), endStream: true))),
        ]
    }
}
