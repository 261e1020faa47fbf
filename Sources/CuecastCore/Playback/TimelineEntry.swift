/// One step of a playback, at a moment of scenario time.
public struct TimelineEntry: Sendable, Equatable {
    /// Scenario time since the playback started (before any speed scaling).
    public var offset: Duration
    /// 1-based loop pass the entry belongs to.
    public var pass: Int
    public var item: TimelineItem
    /// The server ends the connection right after this entry (a cue with `disconnect`), to show a reconnect.
    public var disconnectAfter = false

    public init(offset: Duration, pass: Int, item: TimelineItem, disconnectAfter: Bool = false) {
        self.offset = offset
        self.pass = pass
        self.item = item
        self.disconnectAfter = disconnectAfter
    }
}

/// What happens at a moment of the timeline.
public enum TimelineItem: Sendable, Equatable {
    /// A new pass begins (the first at offset zero, then one per loop). Live history counts from here.
    case passStarted(Int)
    case event(SSEEvent)
    case comment(String)
    /// The stream is over: send the sentinel, if any, then close.
    case end(SSEEvent?)
}

extension TimelineItem {
    /// Whether the item goes out as an event (a sentinel is one).
    var isEvent: Bool {
        switch self {
        case .event, .end(.some): true
        case .passStarted, .comment, .end(.none): false
        }
    }
}
