/// What a client received from a stream, with the moment of each thing, made into a scenario that plays it back:
/// `cuecast record` fills one from a live stream, `cuecast import` from a saved one.
///
/// Each dispatched event becomes a cue at its offset with its type, data, `retry` and, when it changed, its id;
/// each comment becomes a comment cue; a connection the server closed puts `disconnect` on its last event. A
/// stream that opens as Cuecast's do (comments, then `retry`, before any event) gives the scenario its `welcome`
/// and `retry`, which a replay sends on every connection as the original did, and which are not recorded again
/// when a reconnection repeats them. Anything else before the first event stays a cue, so the replay's bytes are
/// the original's. The time between a drop and the reconnection is left out: a replayed client waits its own
/// `retry` time.
public struct StreamRecording: Sendable {
    public enum Item: Sendable, Equatable {
        /// `id` is set when the event's last event ID differs from the one before it (the `id` field is sticky,
        /// so an event that did not change it needs none). `data` is nil for a block with no data line (a `retry`
        /// of its own), which dispatches nothing.
        case event(type: String, id: String?, data: String?, retry: Int?)
        case comment(String)
    }

    public struct Entry: Sendable, Equatable {
        /// Milliseconds from the start of the recording, reconnection gaps left out.
        public var at: Int
        public var item: Item
        /// The server closed the connection after this entry.
        public var disconnect = false

        var isEvent: Bool {
            if case .event = item { return true }
            return false
        }
    }

    public private(set) var entries: [Entry] = []
    /// The comment lines the stream opens with, joined with LF, when it opens as Cuecast's streams do.
    public private(set) var welcome: String?
    /// The `retry` the stream opens with, when it opens as Cuecast's streams do.
    public private(set) var retry: Int?

    private var lastEventID: String
    private var connections = 0
    /// First connection, before its first event: comments that may turn out to be the welcome.
    private var opening: [Entry]? = []
    /// What every connection opens with (the welcome's comments, then `retry`), once known.
    private var preamble: [Item] = []
    /// On a later connection: how much of `preamble` it has repeated so far; `nil` once it said something else.
    private var repeated: Int?
    private var pendingRetry: Int?
    private var lastOffset = 0
    /// Where the current connection's entries begin.
    private var connectionStart = 0

    /// - Parameter lastEventID: the id the client started from (`--last-event-id`), "" for none.
    public init(lastEventID: String = "") {
        self.lastEventID = lastEventID
    }

    /// A connection opened.
    public mutating func opened() {
        connections += 1
        connectionStart = entries.count
        repeated = connections > 1 ? 0 : nil
    }

    /// The server closed (or dropped) the connection: the connection's last event gets `disconnect`.
    ///
    /// Comments after that event are left out: they are usually the server's goodbye ("reconnect now"), which a
    /// Cuecast replay says by itself when it hangs up; and a replay that resumes after the event would send them
    /// first on the next connection, and with them the hang-up, again and again.
    public mutating func closed() {
        settleOpening()
        pendingRetry = nil
        guard let last = entries.indices.last(where: { $0 >= connectionStart && entries[$0].isEvent }) else { return }
        entries.removeSubrange((last + 1)...)
        entries[last].disconnect = true
    }

    public mutating func comment(_ text: String, at offset: Int) {
        lastOffset = offset
        if opening != nil {
            opening?.append(Entry(at: offset, item: .comment(text)))
            return
        }
        if repeats(.comment(text)) { return }
        flushRetry(at: offset)
        entries.append(Entry(at: offset, item: .comment(text)))
    }

    public mutating func retry(_ milliseconds: Int, at offset: Int) {
        lastOffset = offset
        if let opening {
            // Comments, then retry, before any event: the opening of a Cuecast stream.
            let lines = opening.compactMap { entry -> String? in if case .comment(let text) = entry.item { text } else { nil } }
            welcome = lines.isEmpty ? nil : lines.joined(separator: "\n")
            retry = milliseconds
            preamble = opening.map(\.item) + [.event(type: "message", id: nil, data: nil, retry: milliseconds)]
            self.opening = nil
            return
        }
        if repeats(.event(type: "message", id: nil, data: nil, retry: milliseconds)) { return }
        pendingRetry = milliseconds
    }

    public mutating func event(_ event: ParsedEvent, at offset: Int) {
        lastOffset = offset
        settleOpening()
        repeated = nil
        let id = event.lastEventId == lastEventID ? nil : event.lastEventId
        lastEventID = event.lastEventId
        entries.append(Entry(at: offset, item: .event(type: event.type, id: id, data: event.data, retry: pendingRetry)))
        pendingRetry = nil
    }

    /// The recording is over: a `retry` still waiting for its event is kept as a block of its own.
    public mutating func finish() {
        settleOpening()
        flushRetry(at: lastOffset)
    }

    /// Whether `item` is the next piece of the preamble a later connection repeats (then it is not recorded).
    private mutating func repeats(_ item: Item) -> Bool {
        guard let count = repeated, count < preamble.count, preamble[count] == item else {
            repeated = nil
            return false
        }
        repeated = count + 1
        return true
    }

    /// The first connection said something other than comments before `retry`: what it opened with stays cues.
    private mutating func settleOpening() {
        guard let opening else { return }
        entries.append(contentsOf: opening)
        self.opening = nil
    }

    /// A `retry` with no event after it on its connection goes out as a block of its own.
    private mutating func flushRetry(at offset: Int) {
        guard let pending = pendingRetry else { return }
        pendingRetry = nil
        entries.append(Entry(at: offset, item: .event(type: "message", id: nil, data: nil, retry: pending)))
    }

    /// The events the recording holds, as a client dispatches them on replay.
    public var events: [ParsedEvent] {
        var id = ""
        return entries.compactMap { entry in
            guard case .event(let type, let newID, let data, _) = entry.item else { return nil }
            if let newID { id = newID }
            guard let data else { return nil }
            return ParsedEvent(type: type, data: data, lastEventId: id)
        }
    }
}
