import CuecastCore
import NIOHTTP1

/// Everything an `EventSourceClient` does, in order: the events a browser's `EventSource` would fire, plus what a
/// browser keeps to itself (comments, `retry` changes, the reconnection delay, why it stopped), so a terminal tool
/// can show its work and a test can check it.
///
/// A session is: `.connecting`, then `.open` (or `.closed`, or `.reconnecting` if the connection failed), then
/// any number of `.raw`/`.event`/`.comment`/`.retry`, then `.reconnecting` when the stream ends or drops, and so
/// on. `.closed` is always the last output; the sequence also ends, silently, when the consuming task is cancelled.
public enum ClientEvent: Sendable, Equatable {
    /// A request is about to be sent. `lastEventID` is the `Last-Event-ID` header it carries (nil: none sent,
    /// because the last event ID is empty).
    case connecting(url: String, lastEventID: String?)
    /// The response was `200` with a `text/event-stream` content type: the stream is open (a browser fires
    /// `open`).
    case open(OpenedStream)
    /// Bytes exactly as they arrived, before parsing (only with `Configuration.includeRaw`).
    case raw([UInt8])
    /// A dispatched event, as a browser's `MessageEvent` would carry it.
    case event(ParsedEvent)
    /// A comment line (often a heartbeat); browsers ignore these.
    case comment(String)
    /// A valid `retry` field set the reconnection time to this many milliseconds.
    case retry(Int)
    /// The connection ended or could not be made; the client waits `after`, then connects again sending
    /// `lastEventID` (nil: no header, the last event ID is empty).
    case reconnecting(after: Duration, lastEventID: String?, cause: DropCause)
    /// The client stopped for good (a browser's readyState CLOSED); nothing follows.
    case closed(ClientCloseReason)
}

/// The response that opened a stream.
public struct OpenedStream: Sendable, Equatable {
    /// Always 200 (anything else does not open a stream).
    public var status: Int
    /// Where redirects led (the requested URL when there were none).
    public var url: String
    public var headers: HTTPHeaders
    /// The response's HTTP version: 2 when TLS negotiated `h2` by ALPN, else 1.1.
    public var version: HTTPVersion

    /// The `Content-Type` as received.
    public var contentType: String? { headers.first(name: "Content-Type") }

    /// The version as curl and browsers' developer tools write it: `HTTP/2`, `HTTP/1.1`.
    public var protocolName: String {
        version.major >= 2 ? "HTTP/\(version.major)" : "HTTP/\(version.major).\(version.minor)"
    }

    public init(status: Int, url: String, headers: HTTPHeaders, version: HTTPVersion = .http1_1) {
        self.status = status
        self.url = url
        self.headers = headers
        self.version = version
    }
}

/// Why a connection ended in a way that calls for reconnecting (WHATWG: "reestablish the connection").
public enum DropCause: Sendable, Equatable, CustomStringConvertible {
    /// The server ended the response body normally.
    case streamEnded
    /// An open stream failed mid-way (reset, read timeout, ...).
    case dropped(String)
    /// No response: refused, unreachable, timed out, too many redirects (fetch's "network error").
    case connectionFailed(String)

    public var description: String {
        switch self {
        case .streamEnded: "the server ended the stream"
        case .dropped(let error): "the connection dropped (\(error))"
        case .connectionFailed(let error): "could not connect (\(error))"
        }
    }
}

/// Why the client stopped for good (WHATWG: "fail the connection"), or gave up.
public enum ClientCloseReason: Sendable, Equatable, CustomStringConvertible {
    /// `204 No Content`: the server's way of saying the stream is over and must not be reconnected.
    case noContent
    /// Any status other than `200` (and `204`), after redirects were followed. `reason` is the reason phrase;
    /// `message` what the body said, if it said something short (``RefusalMessage``).
    case badStatus(Int, reason: String, message: String? = nil)
    /// A `200` whose `Content-Type` is not `text/event-stream`, or names a charset other than UTF-8 (as Chromium
    /// refuses). `contentType` is the header as received, nil if absent.
    case wrongContentType(String?)
    /// `Configuration.maxRetries` connection attempts in a row failed after the first one.
    case unreachable(attempts: Int, lastError: String)
    /// The URL cannot be fetched at all (bad syntax, unsupported scheme): browsers throw on construction.
    case invalidURL(String)
    /// The server's certificate was refused (see `ServerTrust`). Browsers would retry as after any network error,
    /// but no retry can change a certificate check: only trusting the certificate's CA, or not checking, can.
    case untrustedCertificate(String)

    public var description: String {
        switch self {
        case .noContent: "server said 204 No Content: stream is over"
        case .badStatus(let status, let reason, let message):
            "server answered \(status)\(reason.isEmpty ? "" : " \(reason)"), not 200\(message.map { ": \($0)" } ?? "")"
        case .wrongContentType(let type?): "Content-Type is '\(type)', not text/event-stream (UTF-8)"
        case .wrongContentType(nil): "the response has no Content-Type, so it is not text/event-stream"
        case .unreachable(let attempts, let error):
            "unreachable after \(attempts == 1 ? "1 attempt" : "\(attempts) attempts in a row") (last: \(error))"
        case .invalidURL(let problem): "cannot fetch this URL: \(problem)"
        case .untrustedCertificate(let problem): "the server's certificate is not trusted (\(problem))"
        }
    }
}
