/// What `EventStreamParser` reports, in stream order.
public enum SSEParserOutput: Sendable, Equatable {
    /// A dispatched event: a blank line ended a block whose data buffer was not empty.
    case event(ParsedEvent)
    /// A comment line's text after the colon, with one leading space stripped (`": hi"` gives `"hi"`).
    /// Browsers ignore comments; they are reported so a client can observe keep-alives.
    case comment(String)
    /// A valid `retry` field (ASCII digits only) was applied; the value is the new reconnection time in ms.
    /// Reported when the line is read, not at dispatch, because the spec applies it to the stream at once.
    case retry(Int)
}

/// An event as a browser's `MessageEvent` would expose it.
public struct ParsedEvent: Sendable, Equatable {
    /// The event type: the `event` field's value, or "message" when it was absent or empty.
    public var type: String
    /// The data lines joined with LF (the final LF removed), decoded as UTF-8 with U+FFFD for invalid bytes.
    public var data: String
    /// The parser's last event ID at dispatch (sticky: the latest `id` seen in this or an earlier block).
    public var lastEventId: String

    /// Builds an expected or synthesised event; defaults match a plain `data:` block with no id ever seen.
    public init(type: String = "message", data: String, lastEventId: String = "") {
        self.type = type
        self.data = data
        self.lastEventId = lastEventId
    }
}
