import CuecastCore

/// One row of `cuecast_events`: a channel's published event, or one timeline entry of a live station, as every
/// instance reads it back. The fields are the event's, not its wire bytes, so each instance encodes it with the
/// same encoder as a local publish.
struct ClusterRow: Sendable {
    enum Kind: Int16, Sendable {
        case event = 0
        case comment = 1
        case passStarted = 2
        /// The end of a station's timeline; the event fields hold its sentinel, if it has one.
        case end = 3
    }

    var kind: Kind
    var type: String?
    var data: String?
    var id: String?
    var retry: Int64?
    var pass: Int64 = 0
    /// Scenario time of a station's entry, in microseconds: where a station taken over by another instance resumes.
    var offsetMicroseconds: Int64 = 0
    var disconnectAfter = false

    /// A channel's published event.
    init(publish event: PublishFields) {
        kind = .event
        type = event.event
        data = event.data
        id = event.id
        retry = event.retry.map(Int64.init)
    }

    init(kind: Kind, type: String?, data: String?, id: String?, retry: Int64?, pass: Int64, offsetMicroseconds: Int64, disconnectAfter: Bool) {
        self.kind = kind
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
        self.pass = pass
        self.offsetMicroseconds = offsetMicroseconds
        self.disconnectAfter = disconnectAfter
    }

    /// A station's timeline entry.
    init(_ entry: TimelineEntry) {
        pass = Int64(entry.pass)
        offsetMicroseconds = Int64(entry.offset.seconds * 1_000_000)
        disconnectAfter = entry.disconnectAfter
        switch entry.item {
        case .passStarted: kind = .passStarted
        case .comment(let text):
            kind = .comment
            data = text
        case .event(let event):
            kind = .event
            fill(from: event)
        case .end(let sentinel):
            kind = .end
            if let sentinel { fill(from: sentinel) }
        }
    }

    private mutating func fill(from event: SSEEvent) {
        type = event.type
        data = event.data
        id = event.id
        retry = event.retry.map(Int64.init)
    }

    /// The event the fields describe; `nil` if they do not make a valid one (a row written by something else):
    /// such a row is skipped rather than put on the wire.
    var event: SSEEvent? {
        try? SSEEvent(type: type, data: data, id: id, retry: retry.flatMap { Int(exactly: $0) })
    }

    /// The timeline entry a station's row stands for, as the instance that played it made it.
    var entry: TimelineEntry? {
        let item: TimelineItem
        switch kind {
        case .passStarted: item = .passStarted(Int(pass))
        case .comment: item = .comment(data ?? "")
        case .event:
            guard let event else { return nil }
            item = .event(event)
        case .end: item = .end(data == nil && id == nil ? nil : event)
        }
        return TimelineEntry(offset: .microseconds(offsetMicroseconds), pass: Int(pass), item: item, disconnectAfter: disconnectAfter)
    }
}
