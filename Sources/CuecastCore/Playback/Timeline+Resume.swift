/// Where a reconnecting subscriber picks up a recomputed timeline.
public enum ResumePoint: Sendable, Equatable {
    /// Found: play on from the entry after the event, which was at this scenario time.
    case after(Duration)
    /// The id is the sentinel's, or nothing but the end follows it: the stream is over for this client.
    case ended
    /// The timeline never produces that id (within the search limit).
    case notFound
}

extension Timeline {
    /// How far a resume search walks before giving up, so that an unplaceable id on an endless scenario
    /// costs a bounded amount of work instead of a hang.
    public static let resumeSearchLimit = 200_000

    /// Advances past the event with id `lastEventID`, searching from where the timeline stands: call it on a fresh
    /// timeline to recompute the stream from its start, as a reconnecting solo subscriber needs.
    /// On `.notFound` the timeline is left where it was.
    public mutating func resume(after lastEventID: String, searchLimit: Int = Timeline.resumeSearchLimit) -> ResumePoint {
        var probe = self
        // Without explicit ids, event n's id is "n" (or it has none, with `ids: none`): any other id can only be
        // the sentinel's, and a number beyond the search is not worth walking to. The sentinel's id (often "-1")
        // must not be mistaken for an event number.
        var autoNumber: Int?
        if !scenario.hasExplicitIDs, lastEventID != scenario.sentinelID {
            guard scenario.ids == .auto, let number = Int(lastEventID), (1...searchLimit).contains(number) else { return .notFound }
            autoNumber = number
        }
        for _ in 0..<searchLimit {
            guard let entry = probe.next() else { return .notFound }
            switch entry.item {
            case .event(let event) where event.id == lastEventID:
                var peek = probe
                if case .end(nil)? = peek.nextNonMarker()?.item { return .ended }
                self = probe
                return .after(entry.offset)
            case .end(let sentinel):
                return sentinel?.id == lastEventID ? .ended : .notFound
            default:
                if let autoNumber, probe.eventsEmitted > autoNumber { return .notFound }
            }
        }
        return .notFound
    }

    private mutating func nextNonMarker() -> TimelineEntry? {
        while let entry = next() {
            if case .passStarted = entry.item { continue }
            return entry
        }
        return nil
    }
}

extension Scenario {
    /// Whether any cue writes its own `id`, which breaks "event n has id n" (the sentinel's id is not an event's).
    public var hasExplicitIDs: Bool {
        cues.contains { cue in cue.alternatives.contains { $0.id != nil } }
    }
}
