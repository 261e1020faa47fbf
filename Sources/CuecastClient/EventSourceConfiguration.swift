import NIOHTTP1

extension EventSourceClient {
    /// What to connect to and how to behave between connections.
    public struct Configuration: Sendable {
        /// The stream's URL (`http` or `https`). Every reconnection starts here again and follows redirects anew,
        /// as a browser's `EventSource` reuses its original request.
        public var url: String
        /// Extra request headers (a token, say). `Accept: text/event-stream` and `Cache-Control: no-cache` are
        /// sent unless replaced here; `Last-Event-ID` is managed by the client and cannot be set here.
        public var headers: HTTPHeaders
        /// The last event ID to start from, as if an earlier stream had ended with this `id`: sent as
        /// `Last-Event-ID` on the first request, and the events' `lastEventId` until the stream sends an `id`.
        /// Empty means none. Ignored if it contains CR, LF or NUL (no `id` field could carry it; check it with
        /// `SSEEvent.validateID` first).
        public var lastEventID: String
        /// The reconnection time until the stream sends `retry` (browsers use about 3 s).
        public var defaultReconnectionTime: Duration
        /// How long to wait before each reconnection.
        public var backoff: BackoffPolicy
        /// Give up after this many failed reconnection attempts in a row (attempts that got no response, counted
        /// since the last stream that opened); nil retries forever, as browsers do.
        public var maxRetries: Int?
        /// Report the bytes as they arrive (`ClientEvent.raw`), before the parsed outputs they produce.
        public var includeRaw: Bool
        /// Longest wait for a response head (connecting, redirects included); a timeout counts as a failed attempt.
        public var connectTimeout: Duration
        /// A body to `POST` instead of a `GET` (an LLM API's request, which `EventSource` cannot send); every
        /// reconnection posts it again.
        public var postBody: [UInt8]?
        /// The request's method when it is not the default (`GET`, or `POST` with `postBody`): `REPORT`, say, which
        /// LaunchDarkly's streaming clients send with their query as the body. Every reconnection uses it again.
        public var method: String?

        public init(
            url: String, headers: HTTPHeaders = [:], lastEventID: String = "",
            defaultReconnectionTime: Duration = .milliseconds(3000), backoff: BackoffPolicy = .constant,
            maxRetries: Int? = nil, includeRaw: Bool = false, connectTimeout: Duration = .seconds(30)
        ) {
            self.url = url
            self.headers = headers
            self.lastEventID = lastEventID
            self.defaultReconnectionTime = defaultReconnectionTime
            self.backoff = backoff
            self.maxRetries = maxRetries
            self.includeRaw = includeRaw
            self.connectTimeout = connectTimeout
        }

        /// Adds a request header (without needing NIOHTTP1's `HTTPHeaders` in the caller).
        public mutating func addHeader(name: String, value: String) {
            headers.add(name: name, value: value)
        }
    }
}
