/// A validated scenario: everything the playback engine needs to produce a stream, and nothing that can fail later.
///
/// Scenarios are loaded from JSON by ``ScenarioLoader``; every check that can be made ahead of time is made there,
/// so a `Scenario` always plays without errors.
public struct Scenario: Sendable {
    /// URL-safe identifier, used in `/streams/{name}`. Defaults to the file's name without `.json`.
    public var name: String
    public var title: String
    public var description: String
    public var tags: [String]
    public var mode: PlaybackMode
    /// Reconnection time sent to every subscriber when it connects (`retry:` line), in milliseconds.
    public var retry: Int?
    /// Comment sent when a subscriber connects, before any event; `nil` sends none.
    public var welcome: String?
    /// How long a stream may stay silent before a comment keeps it alive; `nil` disables heartbeats.
    public var heartbeat: Duration?
    /// Seeds every random choice, so the same scenario and seed give the same stream byte for byte.
    public var seed: UInt64
    public var ids: IDPolicy
    public var loop: LoopPolicy?
    /// What a newcomer to a live stream receives first when it does not say (`?history=`).
    public var history: HistoryRequest
    /// Generators shared by every cue, by name.
    public var values: [NamedGenerator]
    public var cues: [Cue]
    /// Named events anyone allowed can fire into a live playback.
    public var triggers: [Trigger]
    public var end: EndPolicy?
    /// The file it came from, when it came from one (for messages and reloads).
    public var sourcePath: String?

    public init(
        name: String, title: String, description: String = "", tags: [String] = [], mode: PlaybackMode = .solo,
        retry: Int? = nil, welcome: String? = nil, heartbeat: Duration? = .seconds(15), seed: UInt64 = 0,
        ids: IDPolicy = .auto, loop: LoopPolicy? = nil, history: HistoryRequest = .all, values: [NamedGenerator] = [], cues: [Cue],
        triggers: [Trigger] = [], end: EndPolicy? = EndPolicy(), sourcePath: String? = nil
    ) {
        self.name = name
        self.title = title
        self.description = description
        self.tags = tags
        self.mode = mode
        self.retry = retry
        self.welcome = welcome
        self.heartbeat = heartbeat
        self.seed = seed
        self.ids = ids
        self.loop = loop
        self.history = history
        self.values = values
        self.cues = cues
        self.triggers = triggers
        self.end = end
        self.sourcePath = sourcePath
    }

    /// The sentinel's id, if the stream ends with one that has an id. A reconnect naming it gets `204 No Content`.
    public var sentinelID: String? {
        guard let end, case .event(let sentinel) = end.sentinel else { return nil }
        return sentinel.id
    }
}

/// How subscribers share a scenario's playback.
public enum PlaybackMode: String, Sendable, CaseIterable {
    /// One playback per scenario, shared by every subscriber, running whether or not anyone listens (like a radio).
    case live
    /// Each connection gets its own playback from the start (like a recording).
    case solo
}

/// Where events without an explicit `id` get one.
public enum IDPolicy: String, Sendable, CaseIterable {
    /// The n-th event of the playback has id `n` (1, 2, 3, … across loops), so ids strictly increase.
    case auto
    /// Only events whose cue gives an `id` carry one.
    case none
}

/// Replays the cues after the last one, forever.
public struct LoopPolicy: Sendable, Equatable {
    /// Silence between the end of one pass and the start of the next.
    public var delay: Duration
    public init(delay: Duration = .zero) { self.delay = delay }
}

/// When and how a stream ends.
public struct EndPolicy: Sendable {
    /// Ends after this many events instead of after the last cue.
    public var afterEvents: Int?
    /// Silence between the last event and the sentinel.
    public var delay: Duration
    public var sentinel: Sentinel

    public init(afterEvents: Int? = nil, delay: Duration = .zero, sentinel: Sentinel = .event(.classic)) {
        self.afterEvents = afterEvents
        self.delay = delay
        self.sentinel = sentinel
    }
}

/// What is sent just before the server closes a finished stream.
public enum Sentinel: Sendable {
    /// The stream closes without a final event.
    case none
    case event(SentinelEvent)
}

/// The final event of a finished stream. Its id is what a browser sends back when it reconnects, which is how the
/// server knows to answer `204 No Content` and stop it for good.
public struct SentinelEvent: Sendable {
    public var type: String?
    public var id: String?
    public var data: EventData

    /// `id: -1` with one empty `data:` line, as the classic demos end.
    public static let classic = SentinelEvent(type: nil, id: "-1", data: .text(Template(literal: "")))

    public init(type: String?, id: String?, data: EventData) {
        self.type = type
        self.id = id
        self.data = data
    }
}
