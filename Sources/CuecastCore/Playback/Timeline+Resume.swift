/// Where a reconnecting subscriber picks up a recomputed timeline.
public enum ResumePoint: Sendable, Equatable {
    /// Found: play on from the entry after the event, which was at this scenario time.
    case after(Duration)
    /// The id is the sentinel's, or nothing but the end follows it: the stream is over for this client.
    case ended
    /// The timeline never produces that id (within the search limit).
    case notFound
}

/// A search for the event a solo stream resumes after, walked a slice at a time.
///
/// Resuming a solo stream recomputes it from the start, drawing every value on the way, since an event's values
/// depend on every draw before it: `Last-Event-ID: 200000` on the endless `dice` walked 200,000 entries on the
/// event loop (169 ms before the head was sent; twenty such requests kept `/healthz` waiting 2.9 s). A search in
/// slices lets the server walk a few thousand entries where the request arrived and the rest in the stream's own
/// task, off the event loops, yielding between slices; `limit` bounds the whole walk.
public struct ResumeSearch: Sendable {
    /// Once found: the timeline standing just after the event, ready to play on.
    public private(set) var timeline: Timeline
    /// Entries walked so far.
    public private(set) var walked = 0
    /// The answer, once known.
    public private(set) var point: ResumePoint?
    private var probe: Timeline
    private let lastEventID: String
    private let limit: Int
    /// The event number an automatic id names, to stop as soon as the walk passes it.
    private var autoNumber: Int?

    /// Starts a search from where `timeline` stands (its start, for a reconnecting solo subscriber).
    public init(timeline: Timeline, after lastEventID: String, limit: Int = Timeline.resumeSearchLimit) {
        self.timeline = timeline
        self.probe = timeline
        self.lastEventID = lastEventID
        self.limit = limit
        let scenario = timeline.scenario
        // Without explicit ids, event n's id is "n" (or it has none, with `ids: none`): any other id can only be
        // the sentinel's, and a number beyond the search is not worth walking to. The sentinel's id (often "-1")
        // must not be mistaken for an event number.
        if !scenario.hasExplicitIDs, lastEventID != scenario.sentinelID {
            guard scenario.ids == .auto, let number = Int(lastEventID), (1...max(1, limit)).contains(number) else {
                point = .notFound
                return
            }
            autoNumber = number
        }
    }

    /// Walks at most `steps` more entries; returns the answer once it is known (`nil`: call again).
    public mutating func advance(by steps: Int) -> ResumePoint? {
        if let point { return point }
        var budget = steps
        while budget > 0 {
            guard walked < limit else { return decide(.notFound) }
            budget -= 1
            walked += 1
            guard let entry = probe.next() else { return decide(.notFound) }
            switch entry.item {
            case .event(let event) where event.id == lastEventID:
                var peek = probe
                if case .end(nil)? = peek.nextNonMarker()?.item { return decide(.ended) }
                timeline = probe
                return decide(.after(entry.offset))
            case .end(let sentinel):
                return decide(sentinel?.id == lastEventID ? .ended : .notFound)
            default:
                if let autoNumber, probe.eventsEmitted > autoNumber { return decide(.notFound) }
            }
        }
        return nil
    }

    private mutating func decide(_ point: ResumePoint) -> ResumePoint {
        self.point = point
        return point
    }
}

extension Timeline {
    /// How far a resume search walks before giving up, so that an unplaceable id on an endless scenario
    /// costs a bounded amount of work instead of a hang.
    public static let resumeSearchLimit = 200_000

    /// Advances past the event with id `lastEventID`, searching from where the timeline stands: call it on a fresh
    /// timeline to recompute the stream from its start, as a reconnecting solo subscriber needs.
    /// On `.notFound` the timeline is left where it was.
    public mutating func resume(after lastEventID: String, searchLimit: Int = Timeline.resumeSearchLimit) -> ResumePoint {
        var search = ResumeSearch(timeline: self, after: lastEventID, limit: searchLimit)
        let point = search.advance(by: Int.max) ?? .notFound
        if case .after = point { self = search.timeline }
        return point
    }

    fileprivate mutating func nextNonMarker() -> TimelineEntry? {
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
