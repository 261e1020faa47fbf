/// Something a client may lack without breaking the specification: the WHATWG `EventSource` has none of these, and
/// LaunchDarkly's sse-contract-tests make each optional. A case that needs one is graded "not supported" for a
/// client that does not declare it, rather than failed.
///
/// LaunchDarkly's other capabilities are not optional here, or have nothing to grade: `bom` and
/// `server-directed-shutdown-request` (a 204 stops the client for good: `status-204`) are what the specification
/// requires of every client, and `event-type-listeners` only says that a client's API needs a listener per event
/// type, while a lab client prints every event it dispatches.
public enum ConformanceCapability: String, Sendable, CaseIterable {
    /// Adds the request headers it is given.
    case headers
    /// Sends `POST` with a body, and sends it again on every reconnection.
    case post
    /// Sends `REPORT` with a body, and sends it again on every reconnection: LaunchDarkly's streaming clients put
    /// their query in a REPORT body (a POST a cache may keep, keyed on URL and body) rather than in the URL.
    case report
    /// Starts with a `Last-Event-ID` it is given.
    case lastEventID = "last-event-id"
    /// Drops a connection that has been silent for longer than a read timeout, and reconnects.
    case readTimeout = "read-timeout"
    /// Restarts the stream when told (`restart` on its standard input): closes it and reconnects at once.
    case restart
    /// Reports comment lines (`{"comment": "text"}` on a line of its own).
    case comments

    /// What a client is told, in a sentence.
    public var summary: String {
        switch self {
        case .headers: "adds custom request headers"
        case .post: "sends POST with a body, again on each reconnection"
        case .report: "sends REPORT with a body, again on each reconnection"
        case .lastEventID: "starts with a given Last-Event-ID"
        case .readTimeout: "reconnects when a stream is silent longer than a read timeout"
        case .restart: "restarts the stream when told"
        case .comments: "reports comments"
        }
    }
}

/// What a case asks a client to do beyond opening its URL; each is set only in the cases of the capability it needs.
/// `cuecast conformance` passes it in the environment (`environment`); the browser page has none of them.
public struct ConformanceRequest: Sendable {
    public var headers: [(name: String, value: String)]
    public var method: String?
    public var body: String?
    public var readTimeoutMilliseconds: Int?
    public var lastEventID: String?
    /// The runner tells the client to restart once it has dispatched this many events.
    public var restartAfterEvents: Int?

    public init(
        headers: [(name: String, value: String)] = [], method: String? = nil, body: String? = nil, readTimeoutMilliseconds: Int? = nil,
        lastEventID: String? = nil, restartAfterEvents: Int? = nil
    ) {
        self.headers = headers
        self.method = method
        self.body = body
        self.readTimeoutMilliseconds = readTimeoutMilliseconds
        self.lastEventID = lastEventID
        self.restartAfterEvents = restartAfterEvents
    }

    /// The variables a command-line client reads (docs/test-double.md): only those the case sets.
    /// `SSE_LAB_HEADERS` holds one `name: value` per line.
    public var environment: [String: String] {
        var variables: [String: String] = [:]
        if !headers.isEmpty { variables["SSE_LAB_HEADERS"] = headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") }
        if let method { variables["SSE_LAB_METHOD"] = method }
        if let body { variables["SSE_LAB_BODY"] = body }
        if let readTimeoutMilliseconds { variables["SSE_LAB_READ_TIMEOUT_MS"] = String(readTimeoutMilliseconds) }
        if let lastEventID { variables["SSE_LAB_LAST_EVENT_ID"] = lastEventID }
        return variables
    }
}
