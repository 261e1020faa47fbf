extension ConformanceCase {
    /// Every case of the lab, one catalogue that the page (`GET /api/conformance`) and `cuecast conformance` read:
    /// web-platform-tests' `eventsource/` cases a client outside a browser can run, every case of LaunchDarkly's
    /// sse-contract-tests, then what neither suite has and clients get wrong (statuses, idle streams, blocks without
    /// data, reads split anywhere). Each names its source.
    public static let all: [ConformanceCase] = wptCases + launchDarklyCases + extraCases

    public static func named(_ name: String) -> ConformanceCase? { all.first { $0.name == name } }

    static func event(_ data: String, type: String = "message", id: String = "") -> ParsedEvent {
        ParsedEvent(type: type, data: data, lastEventId: id)
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// The `Last-Event-ID` a correct client reconnects with after `events`: the last one's id, none if empty.
    static func lastID(_ events: [ParsedEvent]) -> String? {
        guard let id = events.last?.lastEventId, !id.isEmpty else { return nil }
        return id
    }

    /// A case of one stream that ends: the events, then the reconnection (with the last id) that gets 204.
    static func stream(
        _ name: String, _ summary: String, source: String, _ response: Response, _ events: [ParsedEvent], lastEventID: String?? = .none,
        checks: [RequestCheck] = []
    ) -> ConformanceCase {
        let reconnectID: String? = lastEventID ?? lastID(events)
        return ConformanceCase(
            name, summary: summary, source: source, responses: [response], expected: Outcome(events: events, requests: [nil, reconnectID]),
            checks: checks
        )
    }

    /// A case whose single response fails the connection: no event, no reconnection.
    static func refused(_ name: String, _ summary: String, source: String, _ response: Response) -> ConformanceCase {
        ConformanceCase(name, summary: summary, source: source, responses: [response], expected: Outcome(events: [], requests: [nil]))
    }
}
