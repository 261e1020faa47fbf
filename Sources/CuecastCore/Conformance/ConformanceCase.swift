/// One case of the client conformance lab: the responses a server gives to the first, second, … request of a client,
/// and what a client that follows the WHATWG specification does with them: the events it dispatches (across
/// reconnections) and the `Last-Event-ID` of every request it makes. After its responses, a case answers `204`,
/// which stops a correct client for good, so every case ends.
public struct ConformanceCase: Sendable {
    public struct Response: Sendable {
        /// Where a redirect points.
        public enum Location: Sendable {
            /// This case's own URL again (the same run), so the next request gets the case's next response.
            case again
            /// A `Location` header with an empty value.
            case empty
        }

        public var status: Int
        /// `nil` sends no `Content-Type` at all.
        public var contentType: String?
        public var location: Location?
        public var body: [UInt8]
        /// Written this many bytes at a time (1: a write per byte); `nil` writes the body at once.
        public var chunkSize: Int?
        /// Or written in pieces that start at these offsets (LaunchDarkly's hand-split chunks).
        public var breaks: [Int]
        /// After `body`, the connection stays open and silent this long, then `tail` is written and the response ends:
        /// an idle stream, or one a client with a read timeout gives up on.
        public var idle: Duration?
        public var tail: [UInt8]

        public init(
            status: Int = 200, contentType: String? = "text/event-stream", location: Location? = nil, body: [UInt8], chunkSize: Int? = nil,
            breaks: [Int] = [], idle: Duration? = nil, tail: [UInt8] = []
        ) {
            self.status = status
            self.contentType = contentType
            self.location = location
            self.body = body
            self.chunkSize = chunkSize
            self.breaks = breaks
            self.idle = idle
            self.tail = tail
        }

        /// Every byte the response sends, in order.
        public var bytes: [UInt8] { body + tail }

        /// The body as the writes that send it, each a read of its own for the client (the server pauses between them).
        public var writes: [[UInt8]] {
            let starts: [Int]
            if let chunkSize, chunkSize > 0 {
                starts = Array(stride(from: 0, to: body.count, by: chunkSize))
            } else {
                starts = [0] + breaks.filter { $0 > 0 && $0 < body.count }
            }
            return starts.indices.map { index in
                Array(body[starts[index]..<(index + 1 < starts.count ? starts[index + 1] : body.count)])
            }.filter { !$0.isEmpty }
        }
    }

    /// What a client does over a case: the events it dispatches (over every connection, in order) and the
    /// `Last-Event-ID` of each request it makes (`nil`: none sent). The count of requests is part of it: a failed
    /// connection makes one; a stream that ends makes one more, which gets `204`. `comments` is compared only in
    /// the cases of the `comments` capability.
    public struct Outcome: Sendable, Equatable {
        public var events: [ParsedEvent]
        public var requests: [String?]
        public var comments: [String]?

        public init(events: [ParsedEvent], requests: [String?], comments: [String]? = nil) {
            self.events = events
            self.requests = requests
            self.comments = comments
        }
    }

    public var name: String
    /// What the case checks, in a sentence.
    public var summary: String
    /// Where it comes from: a web-platform-tests file, a LaunchDarkly sse-contract-tests test, or the section of
    /// the specification.
    public var source: String
    public var responses: [Response]
    /// What the specification says a client does.
    public var expected: Outcome
    /// What browsers do instead, where they part ways with the specification; a client doing either passes, and
    /// the report says which side it took (`note` says why).
    public var browsers: Outcome?
    public var note: String?
    /// What the client must have to run the case at all; a client without it is graded "not supported".
    public var capability: ConformanceCapability?
    /// What the client is asked to do (custom headers, a method and body, a read timeout, …).
    public var request: ConformanceRequest
    /// What every request the server sees must carry.
    public var checks: [RequestCheck]

    public init(
        _ name: String, summary: String, source: String, responses: [Response], expected: Outcome, browsers: Outcome? = nil, note: String? = nil,
        capability: ConformanceCapability? = nil, request: ConformanceRequest = ConformanceRequest(), checks: [RequestCheck] = []
    ) {
        self.name = name
        self.summary = summary
        self.source = source
        self.responses = responses
        self.expected = expected
        self.browsers = browsers
        self.note = note
        self.capability = capability
        self.request = request
        self.checks = checks
    }

    /// What request number `index` (0-based) gets: the case's response, then `204`.
    public func response(forRequest index: Int) -> Response {
        index < responses.count ? responses[index] : Response(status: 204, contentType: nil, body: [])
    }

    /// How long the case's responses stay idle in all: a runner gives a case this much longer before it stops it.
    public var idleTime: Duration { responses.compactMap(\.idle).reduce(.zero, +) }
}
