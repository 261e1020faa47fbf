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
        try await run(from: origin) { output in hub.play(output) }
    }
}

extension BroadcastHub {
    /// What a playback's output does to a hub. A `disconnect` cue closes every subscription after its event, so
    /// clients reconnect and resume with `Last-Event-ID`.
    public func play<C: Clock>(_ output: Playback<C>.Output) {
        switch output {
        case .heartbeat:
            publish(.heartbeat)
        case .entry(let entry):
            if case .passStarted(let pass) = entry.item, pass > 1 { startPass() }
            if let frame = Frame(entry.item) { publish(frame) }
            if entry.disconnectAfter { closeAll(reason: .dropped, finalFrame: Self.disconnectNotice) }
            if case .end = entry.item { finish() }
        }
    }

    static let disconnectNotice = Frame.comment(
        "the scenario closes the connection here on purpose; a client reconnects after its retry time and resumes with Last-Event-ID"
    )
}
