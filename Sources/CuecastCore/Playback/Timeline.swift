import Foundation

/// The deterministic sequence of a scenario's events: cues, repeats, loops and the end, in order, with their
/// scenario-time offsets.
///
/// A timeline is a pure value: it neither sleeps nor reads a clock, so tests can walk it instantly, and a solo
/// stream can be recomputed to resume after a `Last-Event-ID`. ``Playback`` puts it on a real clock.
public struct Timeline: Sendable {
    public let scenario: Scenario
    private var random: SeededRandom
    private var store = ValueStore()
    private let startDate: Date
    private let speed: Double

    private var pass = 0
    private var passOrigin: Duration = .zero
    private var schedule: [CueSchedule] = []
    private var pending: [TimelineEntry] = []
    private var eventCount = 0
    private var lastOffset: Duration = .zero
    private var finished = false
    private var firedCount: [String: Int] = [:]

    /// Where each cue of the current pass stands.
    private struct CueSchedule {
        var start: Duration
        var every: Duration
        var count: Int?
        var emitted = 0
        var nextOffset: Duration? { count.map { emitted < $0 } ?? true ? start + every * emitted : nil }
    }

    /// - Parameters:
    ///   - seed: overrides the scenario's seed.
    ///   - startDate: the wall-clock time of offset zero, for `{{$now}}`.
    ///   - speed: how much faster than written the playback runs, so `{{$now}}` follows the real clock.
    public init(scenario: Scenario, seed: UInt64? = nil, startDate: Date = Date(), speed: Double = 1) {
        self.scenario = scenario
        self.random = SeededRandom(seed: seed ?? scenario.seed)
        self.startDate = startDate
        self.speed = speed
    }

    /// Number of events produced so far (the sentinel not included).
    public var eventsEmitted: Int { eventCount }

    /// The next entry, or `nil` once the end has been produced (or never, for an endless scenario).
    public mutating func next() -> TimelineEntry? {
        if !pending.isEmpty { return pending.removeFirst() }
        guard !finished else { return nil }
        if pass == 0 { return startPass(at: .zero) }
        if let limit = scenario.end?.afterEvents, eventCount >= limit { return finish() }

        guard let cueIndex = nextCue() else {
            guard let loop = scenario.loop else { return finish() }
            return startPass(at: passOrigin + scenario.passLength + loop.delay)
        }
        return emit(cueIndex)
    }

    /// Whether entries of an emission already made (the event after its comment) are still to be returned.
    var hasPendingEntries: Bool { !pending.isEmpty }

    /// When the entry `next()` returns is due, without making it (nothing is numbered or drawn); `nil` once the
    /// end has been produced.
    public var nextOffset: Duration? {
        if let entry = pending.first { return entry.offset }
        guard !finished else { return nil }
        if pass == 0 { return .zero }
        let endOffset = lastOffset + (scenario.end ?? EndPolicy()).delay
        if let limit = scenario.end?.afterEvents, eventCount >= limit { return endOffset }
        guard let cueIndex = nextCue() else {
            guard let loop = scenario.loop else { return endOffset }
            return passOrigin + scenario.passLength + loop.delay
        }
        return passOrigin + schedule[cueIndex].nextOffset!
    }

    // MARK: Passes

    private mutating func startPass(at origin: Duration) -> TimelineEntry {
        pass += 1
        passOrigin = origin
        schedule = zip(scenario.cues, scenario.cueSpans).map { cue, span in
            CueSchedule(start: span.start, every: cue.repeating?.every ?? .zero, count: cue.emissionCount)
        }
        lastOffset = origin
        return TimelineEntry(offset: origin, pass: pass, item: .passStarted(pass))
    }

    /// The cue whose next emission comes first; ties go to the cue written first.
    private func nextCue() -> Int? {
        var best: (index: Int, offset: Duration)?
        for (index, entry) in schedule.enumerated() {
            guard let offset = entry.nextOffset else { continue }
            if best == nil || offset < best!.offset { best = (index, offset) }
        }
        return best?.index
    }

    private mutating func finish() -> TimelineEntry {
        finished = true
        let end = scenario.end ?? EndPolicy()
        var sentinel: SSEEvent?
        if case .event(let template) = end.sentinel {
            var context = makeContext(cueIndex: -1, cue: Cue(alternatives: []), index: 0, offset: lastOffset)
            let data: String =
                switch template.data {
                case .text(let text): text.render(&context, store: &store, random: &random)
                case .json(let json): json.render(&context, store: &store, random: &random).compactText
                }
            sentinel = try? SSEEvent(type: template.type, data: data, id: template.id)
        }
        return TimelineEntry(offset: lastOffset + end.delay, pass: pass, item: .end(sentinel))
    }

    // MARK: Emissions

    private mutating func emit(_ cueIndex: Int) -> TimelineEntry {
        let cue = scenario.cues[cueIndex]
        let index = schedule[cueIndex].emitted
        let offset = passOrigin + schedule[cueIndex].nextOffset!
        schedule[cueIndex].emitted += 1
        lastOffset = offset
        var entries = emission(of: cue, key: cueIndex, index: index, offset: offset)
        if let every = cue.disconnectEvery, (index + 1) % every == 0 { entries[entries.count - 1].disconnectAfter = true }
        pending.append(contentsOf: entries.dropFirst())
        return entries[0]
    }

    /// One emission of a cue (or trigger): its comment, if any, then its event, if any. Never empty: the loader
    /// refuses templates that send nothing.
    private mutating func emission(of cue: Cue, key: Int, index: Int, offset: Duration) -> [TimelineEntry] {
        let template =
            cue.alternatives.count == 1
            ? cue.alternatives[0]
            : cue.alternatives[
                ValueStore.pickIndex(count: cue.alternatives.count, weights: cue.alternatives.map(\.weight), random: &random)
            ]
        if !template.isCommentOnly { eventCount += 1 }
        var context = makeContext(cueIndex: key, cue: cue, index: index, offset: offset)
        var entries: [TimelineEntry] = []
        if let comment = template.comment {
            entries.append(TimelineEntry(offset: offset, pass: pass, item: .comment(comment.render(&context, store: &store, random: &random))))
        }
        if !template.isCommentOnly {
            entries.append(TimelineEntry(offset: offset, pass: pass, item: .event(render(template, context: &context))))
        }
        return entries
    }

    // MARK: Triggers

    /// Fires a trigger now, between the timeline's own entries: it draws from the same generators and takes the
    /// next event number, so its id continues the stream's sequence. Returns nothing for an unknown name.
    public mutating func fire(trigger name: String) -> [TimelineEntry] {
        guard let number = scenario.triggers.firstIndex(where: { $0.name == name }) else { return [] }
        let trigger = scenario.triggers[number]
        for adjustment in trigger.adjustments {
            guard case .walk(let walk)? = scenario.values.first(where: { $0.name == adjustment.value })?.generator else { continue }
            store.adjustWalk(walk, key: .init(cue: nil, name: adjustment.value), percent: adjustment.percent)
        }
        // Trigger-local generators are keyed after the cues so they never share state with a cue's.
        let index = firedCount[name, default: 0]
        firedCount[name] = index + 1
        return emission(of: trigger.emission, key: scenario.cues.count + number, index: index, offset: lastOffset)
    }

    private mutating func render(_ template: EventTemplate, context: inout EmissionContext) -> SSEEvent {
        let id: String? =
            template.id.map { $0.render(&context, store: &store, random: &random) }
            ?? (scenario.ids == .auto ? String(eventCount) : nil)
        let type = template.type.map { $0.render(&context, store: &store, random: &random) }
        let data: String? =
            switch template.data {
            case .text(let text): text.render(&context, store: &store, random: &random)
            case .json(let json): json.render(&context, store: &store, random: &random).compactText
            case nil: nil
            }
        // The loader proved names and ids cannot hold line breaks; if a value still would, the event goes out
        // without the offending field rather than corrupting the stream.
        if let event = try? SSEEvent(type: type, data: data, id: id, retry: template.retry) { return event }
        return SSEEvent(validated: nil, data: data, id: nil, retry: nil)  // data alone is always valid
    }

    private func makeContext(cueIndex: Int, cue: Cue, index: Int, offset: Duration) -> EmissionContext {
        EmissionContext(
            cueIndex: cueIndex, cue: cue, scenarioValues: scenario.values, index: index, eventNumber: eventCount,
            pass: max(pass, 1), elapsed: offset, now: startDate.addingTimeInterval(offset.seconds / speed)
        )
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
