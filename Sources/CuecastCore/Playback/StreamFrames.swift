extension Frame {
    /// The frame a timeline entry puts on the wire, or `nil` for entries that are markers only.
    public init?(_ item: TimelineItem) {
        switch item {
        case .passStarted: return nil
        case .event(let event): self.init(event: event)
        case .comment(let text): self = .comment(text)
        case .end(let sentinel):
            guard let sentinel else { return nil }
            self.init(event: sentinel)
        }
    }

    /// What a subscriber receives first, before any event: the scenario's welcome comment and `retry`, flushed at
    /// once so a client knows the stream is open.
    public static func preamble(welcome: String?, retry: Int?) -> [UInt8] {
        var bytes: [UInt8] = []
        if let welcome { EventEncoder.encodeComment(welcome, into: &bytes) }
        if let retry, let event = try? SSEEvent(retry: retry) { EventEncoder.encode(event, into: &bytes) }
        return bytes
    }
}

extension Playback {
    /// Plays into a hub: events and comments are published, passes marked, and the hub finished at the end.
    /// Heartbeats reach current subscribers without entering history.
    public mutating func run(into hub: BroadcastHub, from origin: Duration = .zero) async throws {
        try await run(from: origin) { output in
            switch output {
            case .heartbeat:
                hub.publish(.heartbeat)
            case .entry(let entry):
                if case .passStarted(let pass) = entry.item, pass > 1 { hub.startPass() }
                if let frame = Frame(entry.item) { hub.publish(frame) }
                if case .end = entry.item { hub.finish() }
            }
        }
    }
}
