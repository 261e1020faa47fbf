/// Bytes ready for the wire, encoded once and shared by every subscriber that receives them.
public struct Frame: Sendable {
    public enum Kind: Sendable, Equatable {
        /// An event; it enters history and can be resumed after by its id.
        case event
        /// A comment written into the stream (scenario comments, notices).
        case comment
        /// A keep-alive comment; it never enters history.
        case heartbeat
    }

    public let kind: Kind
    public let bytes: [UInt8]
    /// The event's id, for resuming after it.
    public let eventID: String?

    public init(kind: Kind, bytes: [UInt8], eventID: String? = nil) {
        self.kind = kind
        self.bytes = bytes
        self.eventID = eventID
    }

    public init(event: SSEEvent) {
        self.init(kind: .event, bytes: EventEncoder.encode(event), eventID: event.id)
    }

    public static func comment(_ text: String) -> Frame {
        Frame(kind: .comment, bytes: EventEncoder.encodeComment(text))
    }

    public static let heartbeat = Frame(kind: .heartbeat, bytes: EventEncoder.encodeComment("heartbeat"))
}

/// Why a subscription stopped.
public enum CloseReason: String, Sendable, Equatable {
    /// The stream reached its end (sentinel sent, or the channel closed).
    case finished
    /// The subscriber fell too far behind and was cut off to protect the server's memory.
    case overflow
    /// The client went away.
    case clientGone
    /// The server is shutting down.
    case shutdown
    /// The server dropped the connection on purpose (to show a reconnect).
    case dropped
    /// The task reading the subscription was cancelled.
    case cancelled
}
