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

    /// Advances past the event with id `lastEventID`, recomputing the deterministic timeline from its start.
    /// On `.notFound` the timeline is left where it was.
    public mutating func resume(after lastEventID: String, searchLimit: Int = Timeline.resumeSearchLimit) -> ResumePoint {
        var probe = self
        let autoNumber = scenario.ids == .auto && !scenario.hasExplicitIDs ? Int(lastEventID) : nil
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
    /// Whether any cue (or the sentinel) writes its own `id`, which breaks "event n has id n".
    public var hasExplicitIDs: Bool {
        cues.contains { cue in cue.alternatives.contains { $0.id != nil } }
    }
}
