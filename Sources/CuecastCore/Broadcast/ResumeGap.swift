/// What a client resuming from an id the server no longer has is told, in band, before what follows.
///
/// Browsers cannot read a response header from an `EventSource`, and WHATWG's editors answered the request for a
/// header saying "reset" (whatwg/html#8297) that this belongs in the stream itself. So the stream sends a named
/// event first: `event: cuecast-reset`, whose data is JSON saying which id was asked for, why it could not be
/// placed, and the oldest id still kept. It has no `id` field, so the client's last event ID is not changed by it;
/// a page listens with `source.addEventListener('cuecast-reset', ...)` and reloads its state, and a client that
/// does not know the name ignores it. A comment before it says the same for people reading with curl.
public struct ResumeGap: Sendable, Equatable {
    /// The event's type (`event:` field).
    public static let eventType = "cuecast-reset"

    public enum Reason: String, Sendable {
        /// The id was sent once, but history no longer holds it (too many events since, the memory budget, or the
        /// channel was removed while unused): events were missed.
        case expired
        /// This stream never sent that id (from before a restart, another stream, or made up).
        case unknown
    }

    /// The `Last-Event-ID` the client sent.
    public let lastEventID: String
    public let reason: Reason
    /// The oldest event id still kept, where the replay starts; `nil` when history holds no event.
    public let oldestEventID: String?
    /// What follows: the history kept, or the stream from its start.
    public let replay: String

    public init(lastEventID: String, reason: Reason, oldestEventID: String?, replay: String) {
        self.lastEventID = lastEventID
        self.reason = reason
        self.oldestEventID = oldestEventID
        self.replay = replay
    }

    /// Reads the reason off numbered ids (channels, and scenarios with automatic ids): an id no later than the last
    /// one sent has expired; any other was never sent.
    public static func reason(for lastEventID: String, newest sequence: UInt64) -> Reason {
        guard let number = UInt64(lastEventID), number <= sequence else { return .unknown }
        return .expired
    }

    /// The comment, then the event.
    public func bytes(comment: String) -> [UInt8] {
        var bytes: [UInt8] = []
        EventEncoder.encodeComment(comment, into: &bytes)
        let data: JSONValue = .object([
            ("lastEventId", .string(lastEventID)), ("reason", .string(reason.rawValue)),
            ("oldestId", oldestEventID.map(JSONValue.string) ?? .null), ("replay", .string(replay)),
        ])
        if let event = try? SSEEvent(type: Self.eventType, data: data.compactText) { EventEncoder.encode(event, into: &bytes) }
        return bytes
    }

    /// Reads a `cuecast-reset` event back (for `cuecast listen`); `nil` for any other event.
    public init?(type: String, data: String) {
        guard type == Self.eventType, let root = try? JSONParser.parse(Array(data.utf8)), case .object(let members) = root.value else { return nil }
        func text(_ key: String) -> String? {
            if case .string(let value)? = members.first(where: { $0.0 == key })?.1 { return value }
            return nil
        }
        guard let id = text("lastEventId"), let reason = text("reason").flatMap(Reason.init(rawValue:)) else { return nil }
        self.init(lastEventID: id, reason: reason, oldestEventID: text("oldestId"), replay: text("replay") ?? "history")
    }

    /// One line for people: what was lost and where the stream starts again.
    public var summary: String {
        let what = reason == .expired ? "is older than what the server keeps: events were missed" : "is unknown to this stream"
        let from = replay == "start" ? "the stream starts again from the beginning" : oldestEventID.map { "replaying from id \($0)" } ?? "nothing is kept to replay"
        return "the server says Last-Event-ID \(lastEventID) \(what); \(from)"
    }
}
