/// One case of the client conformance lab: the responses a server gives to the first, second, … request of a client,
/// and what a client that follows the WHATWG specification does with them: the events it dispatches (across
/// reconnections) and the `Last-Event-ID` of every request it makes. After its responses, a case answers `204`,
/// which stops a correct client for good, so every case ends.
public struct ConformanceCase: Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// `nil` sends no `Content-Type` at all.
        public var contentType: String?
        public var body: [UInt8]
        /// Written this many bytes at a time (1: a write per byte); `nil` writes the body at once.
        public var chunkSize: Int?

        public init(status: Int = 200, contentType: String? = "text/event-stream", body: [UInt8], chunkSize: Int? = nil) {
            self.status = status
            self.contentType = contentType
            self.body = body
            self.chunkSize = chunkSize
        }
    }

    /// What a client does over a case: the events it dispatches (over every connection, in order) and the
    /// `Last-Event-ID` of each request it makes (`nil`: none sent). The count of requests is part of it: a failed
    /// connection makes one; a stream that ends makes one more, which gets `204`.
    public struct Outcome: Sendable, Equatable {
        public var events: [ParsedEvent]
        public var requests: [String?]

        public init(events: [ParsedEvent], requests: [String?]) {
            self.events = events
            self.requests = requests
        }
    }

    public var name: String
    /// What the case checks, in a sentence.
    public var summary: String
    /// Where it comes from: a web-platform-tests file, or the section of the specification.
    public var source: String
    public var responses: [Response]
    /// What the specification says a client does.
    public var expected: Outcome
    /// What browsers do instead, where they part ways with the specification; a client doing either passes, and
    /// the report says which side it took (`note` says why).
    public var browsers: Outcome?
    public var note: String?

    public init(
        _ name: String, summary: String, source: String, responses: [Response], expected: Outcome, browsers: Outcome? = nil, note: String? = nil
    ) {
        self.name = name
        self.summary = summary
        self.source = source
        self.responses = responses
        self.expected = expected
        self.browsers = browsers
        self.note = note
    }

    /// What request number `index` (0-based) gets: the case's response, then `204`.
    public func response(forRequest index: Int) -> Response {
        index < responses.count ? responses[index] : Response(status: 204, contentType: nil, body: [])
    }
}

/// How a client did on one case.
public struct ConformanceGrade: Sendable {
    public enum Verdict: String, Sendable {
        /// As the specification says.
        case pass
        /// As browsers do, where they part ways with the specification.
        case browserBehaviour = "pass (browser behaviour)"
        case fail
    }

    public let verdict: Verdict
    /// What went wrong, one sentence each (empty unless it failed).
    public let problems: [String]

    public var passed: Bool { verdict != .fail }

    /// Compares what a client dispatched, and the requests the server saw, with what the case expects.
    public init(_ conformanceCase: ConformanceCase, got outcome: ConformanceCase.Outcome) {
        if outcome == conformanceCase.expected {
            verdict = .pass
            problems = []
        } else if let browsers = conformanceCase.browsers, outcome == browsers {
            verdict = .browserBehaviour
            problems = []
        } else {
            let expected = conformanceCase.expected
            var problems: [String] = []
            if outcome.events != expected.events {
                problems.append("dispatched \(Self.describe(outcome.events)), expected \(Self.describe(expected.events))")
            }
            if outcome.requests.count != expected.requests.count {
                problems.append(
                    "made \(outcome.requests.count) request(s) (Last-Event-ID \(Self.describe(outcome.requests))), "
                        + "expected \(expected.requests.count) (\(Self.describe(expected.requests)))"
                )
            } else if outcome.requests != expected.requests {
                problems.append("sent Last-Event-ID \(Self.describe(outcome.requests)), expected \(Self.describe(expected.requests))")
            }
            verdict = .fail
            self.problems = problems
        }
    }

    public static func describe(_ events: [ParsedEvent]) -> String {
        "[" + events.map { "\($0.type) \(String(reflecting: $0.data)) id \(String(reflecting: $0.lastEventId))" }.joined(separator: ", ") + "]"
    }

    public static func describe(_ headers: [String?]) -> String {
        "[" + headers.map { $0.map { String(reflecting: $0) } ?? "none" }.joined(separator: ", ") + "]"
    }
}
