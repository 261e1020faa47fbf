import HTTPTypes
import NIOCore

/// What `StreamRequests.decide` makes of a request, the same on every protocol: the one place a stream request is
/// matched, host-checked, planned, admitted, and (when refused) counted and logged.
enum StreamDecision {
    /// Not a `GET` for a stream path: the router's.
    case notAStream
    /// A stream to open with this plan, holding this subscriber slot (`StreamRequests.open`).
    case open(StreamPlan, ConnectionRegistry.Slot)
    /// A stream request answered without a stream (204, 4xx, 503), head and body complete, already counted and logged;
    /// the door writes it as its protocol frames it.
    case answer(StreamAnswer)
}

/// A complete answer to a stream request that opens no stream: the head (`EventStreamHead.answer`) and, for an
/// error, its JSON body, encoded by `APIError` as for every other error the server gives.
struct StreamAnswer {
    let head: HTTPResponse
    let body: ByteBuffer?

    /// `204 No Content`: the client already has everything there will ever be.
    static func noContent(crossOrigin: Bool) -> StreamAnswer {
        StreamAnswer(head: EventStreamHead.answer(status: .noContent, fields: [:], bodyBytes: nil, crossOrigin: crossOrigin), body: nil)
    }

    /// An error, with the JSON body every error of the server has. `crossOrigin` is false for the refusals the router
    /// writes outside its CORS middleware (a refused `Host`, an unnamable path), which carry no CORS headers.
    init(_ error: APIError, crossOrigin: Bool) {
        let body = error.body
        self.init(head: EventStreamHead.answer(status: error.status, fields: error.headers, bodyBytes: body.readableBytes, crossOrigin: crossOrigin), body: body)
    }

    init(head: HTTPResponse, body: ByteBuffer?) {
        self.head = head
        self.body = body
    }
}
