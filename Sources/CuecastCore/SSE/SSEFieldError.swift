/// Why an `SSEEvent` could not be built: one of its fields holds a value the event-stream format cannot carry.
///
/// The format has no escaping, so a value that would break the line structure (or that browsers would silently
/// ignore) is refused when the event is built rather than corrupting the stream when it is written.
public struct SSEFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The event field that was refused, named as it appears on the wire (`event:`, `id:`, `retry:`).
    public enum Field: String, Sendable {
        /// The `event:` field (the event type).
        case event
        /// The `id:` field (the last event ID).
        case id
        /// The `retry:` field (the reconnection time in milliseconds).
        case retry
    }

    /// Which field was refused.
    public let field: Field
    /// A human sentence saying what is wrong, e.g. "an event name cannot contain a line break (CR or LF)".
    public let reason: String

    /// For example "invalid event: an event name cannot contain a line break (CR or LF)".
    public var description: String { "invalid \(field.rawValue): \(reason)" }

    init(field: Field, reason: String) {
        self.field = field
        self.reason = reason
    }
}

extension SSEFieldError {
    static let eventLineBreak = SSEFieldError(
        field: .event, reason: "an event name cannot contain a line break (CR or LF)")
    static let idLineBreak = SSEFieldError(
        field: .id, reason: "an event ID cannot contain a line break (CR or LF)")
    static let idNUL = SSEFieldError(
        field: .id, reason: "an event ID cannot contain a NUL character (U+0000); browsers would ignore the whole id field")

    static func negativeRetry(_ retry: Int) -> SSEFieldError {
        SSEFieldError(field: .retry, reason: "a reconnection time cannot be negative (got \(retry) ms)")
    }
}
