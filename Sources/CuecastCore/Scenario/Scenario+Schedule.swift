/// When a cue plays within a pass: its first emission, and its last (`nil` for a cue that repeats forever).
public struct CueSpan: Sendable, Equatable {
    public var start: Duration
    public var end: Duration?
}

extension Scenario {
    /// Each cue's span within a pass, resolving `after` against the previous cue's last emission. The timeline
    /// plays by it and the loader checks it, so both read `at` and `after` the same way.
    public var cueSpans: [CueSpan] {
        var previousEnd: Duration = .zero
        return cues.map { cue in
            let start: Duration
            switch cue.start {
            case .at(let offset): start = offset
            case .after(let delay): start = previousEnd + delay
            }
            let end = cue.emissionCount.map { start + (cue.repeating?.every ?? .zero) * ($0 - 1) }
            // A cue that repeats forever has no end; the loader refuses an `after` that would follow it.
            previousEnd = end ?? start
            return CueSpan(start: start, end: end)
        }
    }

    /// How long a pass lasts, until its last emission (cues that repeat forever count from their start).
    public var passLength: Duration {
        cueSpans.map { $0.end ?? $0.start }.max() ?? .zero
    }
}
