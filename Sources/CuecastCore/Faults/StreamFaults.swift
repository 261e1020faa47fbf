/// The ways a stream can misbehave on request, the way real networks and servers do, so a client can be tested
/// against them (`?drip=5&lineEnding=cr&closeMidEvent=3`, see docs/faults.md).
///
/// Every fault keeps what a correct client dispatches unchanged, except where the specification says a fault
/// must change it: a connection closed in the middle of an event loses that event (and a client that resumes
/// with `Last-Event-ID` gets it again), a stalled stream stops delivering, and a wrong status or content type
/// opens no stream at all.
public struct StreamFaults: Sendable, Equatable {
    /// How lines end on the wire. The specification accepts all three, and mixes of them.
    public enum LineEnding: String, Sendable, CaseIterable {
        case lf, crlf, cr
    }

    /// Every byte goes out in a write of its own, this long after the previous one.
    public var drip: Duration?
    /// Every write, the response head included, goes out this much later than it would.
    public var latency: Duration?
    public var lineEnding: LineEnding = .lf
    /// A UTF-8 byte order mark before the first byte of the body; a client strips one.
    public var byteOrderMark = false
    /// Lines a client must ignore around every event (see ``FaultTransform/junkBlock``).
    public var junk = false
    /// The server closes the connection right after the N-th event.
    public var closeAfter: Int?
    /// The server sends the N-th event without its closing blank line, then closes the connection.
    public var closeMidEvent: Int?
    /// After the N-th event the connection stays open and silent: no event, comment or heartbeat more.
    public var stallAfter: Int?
    /// The response's status instead of 200 (the body is the stream all the same).
    public var status: Int?
    /// The response's `Content-Type` instead of `text/event-stream`.
    public var contentType: String?

    public init() {}

    /// No fault asked for: the stream takes its ordinary path.
    public var isEmpty: Bool { self == StreamFaults() }

    /// Whether the bytes themselves are touched (or counted): anything but the head and the pacing.
    public var transformsBytes: Bool {
        lineEnding != .lf || byteOrderMark || junk || closeAfter != nil || closeMidEvent != nil || stallAfter != nil
    }
}
