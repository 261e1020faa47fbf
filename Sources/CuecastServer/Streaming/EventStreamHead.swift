import HTTPTypes

/// The response head of every event stream, on every protocol.
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
        if crossOrigin {
            fields[.accessControlAllowOrigin] = "*"
            fields[.accessControlExposeHeaders] = CrossOrigin.exposedHeaders.joined(separator: ", ")
        }
        return HTTPResponse(status: .ok, headerFields: fields)
    }
}
