/// One entry of a scenario's timeline: a single event or comment, or a generator that repeats.
public struct Cue: Sendable {
    public var start: CueStart
    public var repeating: Repetition?
    /// What one emission sends. With more than one, each emission picks one (by `weight`).
    public var alternatives: [EventTemplate]
    /// Generators visible only to this cue; they shadow the scenario's of the same name.
    public var values: [NamedGenerator]
    /// After every this many emissions the server ends the connection (1: after each), so a client shows its
    /// reconnect and resumes with `Last-Event-ID`.
    public var disconnectEvery: Int?
    /// Where the cue is written, for messages.
    public var location: SourceLocation?

    public init(
        start: CueStart = .after(.zero), repeating: Repetition? = nil, alternatives: [EventTemplate],
        values: [NamedGenerator] = [], disconnectEvery: Int? = nil, location: SourceLocation? = nil
    ) {
        self.start = start
        self.repeating = repeating
        self.alternatives = alternatives
        self.values = values
        self.disconnectEvery = disconnectEvery
        self.location = location
    }

    /// How many emissions the cue makes; `nil` for a generator that repeats forever.
    public var emissionCount: Int? {
        guard let repeating else { return 1 }
        return repeating.count
    }
}

/// When a cue starts, relative to its pass.
public enum CueStart: Sendable, Equatable {
    /// At this offset from the start of the pass.
    case at(Duration)
    /// This long after the previous cue's last emission (or the start of the pass, for the first cue).
    case after(Duration)
}

/// A cue that emits again and again.
public struct Repetition: Sendable, Equatable {
    public var every: Duration
    /// `nil` repeats forever.
    public var count: Int?
    public init(every: Duration, count: Int?) {
        self.every = every
        self.count = count
    }
}

/// What one emission sends: an event, a comment, or both (the comment first).
public struct EventTemplate: Sendable {
    public var type: Template?
    public var id: Template?
    public var data: EventData?
    public var retry: Int?
    public var comment: Template?
    /// Relative chance of being picked among a cue's alternatives.
    public var weight: Double
    /// Where each field was written (`"event"`, `"id"`, `"data"`, `"comment"`), for messages.
    public var locations: [String: SourceLocation] = [:]

    public init(
        type: Template? = nil, id: Template? = nil, data: EventData? = nil, retry: Int? = nil,
        comment: Template? = nil, weight: Double = 1
    ) {
        self.type = type
        self.id = id
        self.data = data
        self.retry = retry
        self.comment = comment
        self.weight = weight
    }

    /// A template with no event fields only writes its comment.
    public var isCommentOnly: Bool { type == nil && id == nil && data == nil && retry == nil }
}

/// An event's data: text (split into `data:` lines on line breaks) or JSON (sent compact, on one line).
public enum EventData: Sendable {
    case text(Template)
    case json(JSONTemplate)
}

/// A generator with the name templates use to refer to it.
public struct NamedGenerator: Sendable {
    public var name: String
    public var generator: ValueGenerator
    public init(name: String, generator: ValueGenerator) {
        self.name = name
        self.generator = generator
    }
}

/// An event that a live scenario sends when someone asks (`POST /streams/{name}/triggers/{trigger}`), rather than
/// at a time: a market crash, a breaking news alert.
public struct Trigger: Sendable {
    public var name: String
    /// What the trigger sends; its timing fields are unused.
    public var emission: Cue
    /// Moves random walks before the event is made, e.g. every price down 8% for a crash.
    public var adjustments: [WalkAdjustment]

    public init(name: String, emission: Cue, adjustments: [WalkAdjustment] = []) {
        self.name = name
        self.emission = emission
        self.adjustments = adjustments
    }
}

/// Scales a scenario-level random walk's current value by a percentage (clamped to the walk's bounds).
public struct WalkAdjustment: Sendable, Equatable {
    public var value: String
    public var percent: Double
    public init(value: String, percent: Double) {
        self.value = value
        self.percent = percent
    }
}
