import CuecastClient
import CuecastCore
import Testing

/// One web-platform-tests `eventsource/format-*` case as an HTTP response: the body's bytes, and what the client
/// must dispatch before the stream ends and it reconnects.
struct WPTCase: Sendable, CustomTestStringConvertible {
    let name: String
    let body: [UInt8]
    let events: [ParsedEvent]
    /// The Last-Event-ID of the reconnection (nil: none sent).
    let lastEventID: String?
    /// The reconnection wait: the stream's `retry`, else the configured default (here 3000 ms).
    let reconnectAfter: Duration

    init(_ name: String, _ body: [UInt8], _ events: [ParsedEvent], lastEventID: String? = nil, reconnectAfter: Duration = .milliseconds(3000)) {
        self.name = name
        self.body = body
        self.events = events
        self.lastEventID = lastEventID
        self.reconnectAfter = reconnectAfter
    }

    init(_ name: String, _ body: String, _ events: [ParsedEvent], lastEventID: String? = nil, reconnectAfter: Duration = .milliseconds(3000)) {
        self.init(name, Array(body.utf8), events, lastEventID: lastEventID, reconnectAfter: reconnectAfter)
    }

    var testDescription: String { name }

    /// WPT's `resources/message.py` ends the body with "\n\n" then "\n".
    static let end = "\n\n\n"
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static func message(_ data: String, type: String = "message", id: String = "") -> ParsedEvent {
        ParsedEvent(type: type, data: data, lastEventId: id)
    }

    static let all: [WPTCase] = [
        WPTCase("format-bom", bom + Array("data:1\n\n".utf8) + bom + Array("data:2\n\ndata:3\(end)".utf8), [message("1"), message("3")]),
        WPTCase("format-bom-2", bom + bom + Array("data:1\n\ndata:2\n\ndata:3\(end)".utf8), [message("2"), message("3")]),
        WPTCase("format-comments", "data:1\r:\0\n:\r\ndata:2\n:x\rdata:3\n:data:fail\r:x\ndata:4\n\n", [message("1\n2\n3\n4")]),
        WPTCase("format-data-before-final-empty-line", "retry:1000\ndata:test1\n\nid:test\ndata:test2\n", [message("test1")],
                reconnectAfter: .milliseconds(1000)),
        WPTCase("format-field-data", "data:\n\ndata\ndata\n\ndata:test\(end)", [message(""), message("\n"), message("test")]),
        WPTCase("format-field-event", "event:test\ndata:x\n\ndata:x\(end)", [message("x", type: "test"), message("x")]),
        WPTCase("format-field-event-empty", "event: \ndata:data\(end)", [message("data")]),
        WPTCase("format-field-id", "id: …\nretry: 200\ndata: hello\n\n", [message("hello", id: "…")], lastEventID: "…",
                reconnectAfter: .milliseconds(200)),
        WPTCase("format-field-id-3 persists", "id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n",
                [message("1", id: "1"), message("2", id: "1"), message("3", id: "2"), message("4", id: "2")], lastEventID: "2"),
        WPTCase("format-field-id-3 resets", "id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n", [message("1", id: "1"), message("2"), message("3")]),
        WPTCase("format-field-id-null", "id: 1\ndata: 1\n\nid: a\0b\ndata: 2\n\n", [message("1", id: "1"), message("2", id: "1")], lastEventID: "1"),
        WPTCase("format-field-parsing",
                "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n",
                [message("\0\n 2\n1\n3\n\n4")]),
        WPTCase("format-field-retry-bogus", "retry:3000\nretry:1000x\ndata:x\(end)", [message("x")], reconnectAfter: .milliseconds(3000)),
        WPTCase("format-field-retry", "retry:03000\ndata:x\(end)", [message("x")], reconnectAfter: .milliseconds(3000)),
        WPTCase("format-field-retry-empty", "retry\ndata:test\(end)", [message("test")]),
        WPTCase("format-field-unknown", "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\(end)",
                [message("test\n\ntest")]),
        WPTCase("format-leading-space", "data:\ttest\rdata: \ndata:test\(end)", [message("\ttest\n\ntest")]),
        WPTCase("format-newlines", "data:test\r\ndata\ndata:test\r\n\r\n", [message("test\n\ntest")]),
        WPTCase("format-null-character", "data:\0\n\n\n\n", [message("\0")]),
        WPTCase("format-utf-8", "data:ok…\n\n", [message("ok…")]),
        WPTCase("invalid UTF-8 becomes U+FFFD", [0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0x61, 0x0A, 0x0A], [message("\u{FFFD}a")]),
        WPTCase("unterminated final event is discarded", "id: 1\ndata: a\n\nid: 2\ndata: b", [message("a", id: "1")], lastEventID: "1"),
    ]
}

/// The WPT format cases, served over HTTP whole and one byte per write: the client dispatches exactly what a
/// browser does, then reconnects after the right time with the right `Last-Event-ID`.
@Suite(.timeLimit(.minutes(1)))
struct WPTStreamTests {
    @Test("WPT cases over HTTP", arguments: WPTCase.all, [Int.max, 1])
    func wpt(vector: WPTCase, chunkSize: Int) async throws {
        try await withStubServer(["/stream": { _, _ in .stream(vector.body, chunkSize: chunkSize) }]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream"), until: isReconnecting)
            let reconnection = try #require(outputs.reconnections.first)
            #expect(outputs.events == vector.events)
            #expect(reconnection.after == vector.reconnectAfter)
            #expect(reconnection.lastEventID == vector.lastEventID)
            #expect(reconnection.cause == .streamEnded)
            #expect(log.all.count == 1)
        }
    }

    @Test("WPT format-field-id-2: after reconnecting, events carry the last event ID until an id field changes it")
    func idSurvivesReconnection() async throws {
        let route: StubRoute = { _, earlier in
            earlier == 0 ? .stream("id: 1\ndata: first\n\n") : .stream("data: second\n\nid: 2\ndata: third\n\n")
        }
        try await withStubServer(["/stream": route]) { port, log in
            let outputs = try await collect(makeClient(port: port, path: "/stream")) { output in
                if case .event(let event) = output { return event.data == "third" }
                return false
            }
            let events = outputs.events
            #expect(events == [WPTCase.message("first", id: "1"), WPTCase.message("second", id: "1"), WPTCase.message("third", id: "2")])
            let ids = log.all.map { $0.header("Last-Event-ID") }
            #expect(ids == [nil, "1"])
        }
    }
}
