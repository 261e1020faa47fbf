import HTTPTypes

/// The response head of every stream request, on every protocol: the 200 that opens a stream, and the answer that
/// refuses one (`StreamAnswer`). Stream requests never reach Hummingbird's router or its middleware, so `Server` and
/// the CORS headers are written here.
enum EventStreamHead {
    /// `no-transform` and `X-Accel-Buffering: no` keep proxies from compressing or buffering the stream (nginx
    /// honours the latter).
    static let fields: HTTPFields = [
        .contentType: "text/event-stream",
        .cacheControl: "no-cache, no-transform",
        .accelBuffering: "no",
    ]

    /// The head for stream `id`. Streams are served before Hummingbird's middleware, so a cross-origin request
    /// (one with `Origin`) gets its CORS headers here: any page may read a stream and its connection id.
    ///
    /// On HTTP/1 the connection closes when the stream ends, and says so (`Connection: close`), so a client that
    /// pools connections does not send its next request on it. HTTP/2 forbids the header: a stream ends alone.
    static func response(connectionID id: String, crossOrigin: Bool, closesConnection: Bool) -> HTTPResponse {
        var fields = fields
        if closesConnection { fields[.connection] = "close" }
        fields[.cuecastConnection] = id
        fields[.server] = "cuecast"
        if crossOrigin { addCrossOrigin(to: &fields) }
        return HTTPResponse(status: .ok, headerFields: fields)
    }

    /// The head of a stream request's answer: `fields` (the JSON content type, `Retry-After`...) with the body's
    /// length, the CORS headers for a cross-origin request, `Date` and `Server`: what the router's middleware gave the same
    /// answer when it wrote it.
    static func answer(status: HTTPResponse.Status, fields: HTTPFields, bodyBytes: Int?, crossOrigin: Bool) -> HTTPResponse {
        var fields = fields
        if let bodyBytes { fields[.contentLength] = String(bodyBytes) }
        if crossOrigin { addCrossOrigin(to: &fields) }
        fields[.date] = HTTPDate.now
        fields[.server] = "cuecast"
        return HTTPResponse(status: status, headerFields: fields)
    }

    /// Any page may read a stream, its connection id and why it was refused (`Retry-After`).
    private static func addCrossOrigin(to fields: inout HTTPFields) {
        fields[.accessControlAllowOrigin] = "*"
        fields[.accessControlExposeHeaders] = CrossOrigin.exposedHeaders.joined(separator: ", ")
    }
}
