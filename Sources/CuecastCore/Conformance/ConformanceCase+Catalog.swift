extension ConformanceCase {
    /// Every case of the lab: the web-platform-tests `eventsource/format-*` cases (their bodies as WPT's
    /// `resources/message.py` serves them), then the connection rules of WHATWG HTML §9.2 (status, content type,
    /// reconnection with `Last-Event-ID`) and a few reads split where a parser can stumble.
    public static let all: [ConformanceCase] = formatCases + connectionCases + splitCases

    public static func named(_ name: String) -> ConformanceCase? { all.first { $0.name == name } }

    private static func event(_ data: String, type: String = "message", id: String = "") -> ParsedEvent {
        ParsedEvent(type: type, data: data, lastEventId: id)
    }

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A WPT format case: one body, then the reconnection (with `lastEventID`) that gets 204.
    private static func format(
        _ name: String, _ summary: String, _ body: [UInt8], _ events: [ParsedEvent], lastEventID: String? = nil
    ) -> ConformanceCase {
        ConformanceCase(
            name, summary: summary, source: "web-platform-tests eventsource/\(name).htm",
            responses: [Response(body: body)], expected: Outcome(events: events, requests: [nil, lastEventID])
        )
    }

    /// WPT's message.py ends every body with "\n\n" and one more "\n".
    private static let end = "\n\n\n"
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let formatCases: [ConformanceCase] = [
        format(
            "format-bom", "One leading BOM is stripped; a second one is part of the first field's name",
            bom + bytes("data:1\n\n") + bom + bytes("data:2\n\ndata:3\(end)"),
            [event("1"), event("3")]
        ),
        format("format-bom-2", "Only one BOM is stripped", bom + bom + bytes("data:1\n\ndata:2\n\ndata:3\(end)"), [event("2"), event("3")]),
        format(
            "format-comments", "Comment lines, with any line end, are ignored",
            bytes("data:1\r:\0\n:\r\ndata:2\n:x\rdata:3\n:data:fail\r:x\ndata:4\n\n"),
            [event("1\n2\n3\n4")]
        ),
        format(
            "format-data-before-final-empty-line", "An event without its final blank line is not dispatched, and its id is not kept",
            bytes("retry:1000\ndata:test1\n\nid:test\ndata:test2\n"),
            [event("test1")]
        ),
        format(
            "format-field-data", "data: an empty value, a bare field name, several lines",
            bytes("data:\n\ndata\ndata\n\ndata:test\(end)"),
            [event(""), event("\n"), event("test")]
        ),
        format(
            "format-field-event", "event: names the next event only",
            bytes("event:test\ndata:x\n\ndata:x\(end)"),
            [event("x", type: "test"), event("x")]
        ),
        format("format-field-event-empty", "An empty event name means message", bytes("event: \ndata:data\(end)"), [event("data")]),
        format(
            "format-field-id", "id: sets lastEventId and the Last-Event-ID of the reconnection",
            bytes("id: …\nretry: 200\ndata: hello\n\n"),
            [event("hello", id: "…")],
            lastEventID: "…"
        ),
        format(
            "format-field-id-3", "An id persists over later events until another id changes it",
            bytes("id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n"),
            [event("1", id: "1"), event("2", id: "1"), event("3", id: "2"), event("4", id: "2")],
            lastEventID: "2"
        ),
        format(
            "format-field-id-reset", "A bare id field resets the last event ID to empty (and no header is sent)",
            bytes("id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n"),
            [event("1", id: "1"), event("2"), event("3")]
        ),
        format(
            "format-field-id-null", "An id containing NUL is ignored",
            bytes("id: 1\ndata: 1\n\nid: a\0b\ndata: 2\n\n"),
            [event("1", id: "1"), event("2", id: "1")],
            lastEventID: "1"
        ),
        format(
            "format-field-parsing", "Field names are exact: Data, data\\0 and da-ta are unknown; one leading space is stripped",
            bytes("data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n\n"),
            [event("\0\n 2\n1\n3\n\n4")]
        ),
        format("format-field-retry-bogus", "A retry that is not all digits is ignored", bytes("retry:3000\nretry:1000x\ndata:x\(end)"), [event("x")]),
        format("format-field-retry", "retry with leading zeros", bytes("retry:03000\ndata:x\(end)"), [event("x")]),
        format("format-field-retry-empty", "A bare retry is ignored", bytes("retry\ndata:test\(end)"), [event("test")]),
        format(
            "format-field-unknown", "Unknown fields and colon-less lines are ignored",
            bytes("data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test\(end)"),
            [event("test\n\ntest")]
        ),
        format(
            "format-leading-space", "Only one space after the colon is stripped; a tab is kept",
            bytes("data:\ttest\rdata: \ndata:test\(end)"),
            [event("\ttest\n\ntest")]
        ),
        format("format-newlines", "CRLF, LF and CR line ends", bytes("data:test\r\ndata\ndata:test\r\n\r\n"), [event("test\n\ntest")]),
        format("format-null-character", "NUL in data is kept", bytes("data:\0\n\n\n\n"), [event("\0")]),
        format("format-utf-8", "The stream is UTF-8", bytes("data:ok…\n\n"), [event("ok…")]),
        format("invalid-utf-8", "Invalid UTF-8 becomes U+FFFD", [0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0x61, 0x0A, 0x0A], [event("\u{FFFD}a")]),
        format(
            "unterminated-final-event", "The stream ends inside an event: it is discarded, and so is its id",
            bytes("id: 1\ndata: a\n\nid: 2\ndata: b"),
            [event("a", id: "1")],
            lastEventID: "1"
        ),
    ]

    static let connectionCases: [ConformanceCase] = [
        ConformanceCase(
            "format-field-id-2", summary: "The reconnection sends Last-Event-ID, and the id carries over to the new connection's events",
            source: "web-platform-tests eventsource/format-field-id-2.htm",
            responses: [Response(body: bytes("id: 7\ndata: a\n\n")), Response(body: bytes("data: b\n\n"))],
            expected: Outcome(events: [event("a", id: "7"), event("b", id: "7")], requests: [nil, "7", "7"])
        ),
        ConformanceCase(
            "status-500", summary: "Any status but 200 fails the connection: no event, no reconnection", source: "WHATWG HTML §9.2.3",
            responses: [Response(status: 500, body: bytes("data: must not be dispatched\n\n"))], expected: Outcome(events: [], requests: [nil])
        ),
        ConformanceCase(
            "status-204", summary: "204 No Content closes for good", source: "WHATWG HTML §9.2.3",
            responses: [], expected: Outcome(events: [], requests: [nil])
        ),
        ConformanceCase(
            "content-type-plain", summary: "A Content-Type other than text/event-stream fails the connection", source: "WHATWG HTML §9.2.3",
            responses: [Response(contentType: "text/plain", body: bytes("data: must not be dispatched\n\n"))],
            expected: Outcome(events: [], requests: [nil])
        ),
        ConformanceCase(
            "content-type-missing", summary: "No Content-Type at all fails the connection", source: "WHATWG HTML §9.2.3",
            responses: [Response(contentType: nil, body: bytes("data: must not be dispatched\n\n"))], expected: Outcome(events: [], requests: [nil])
        ),
        ConformanceCase(
            "content-type-parameters", summary: "Parameters do not matter: text/event-stream; charset=utf-8 opens", source: "WHATWG HTML §9.2.3",
            responses: [Response(contentType: "Text/Event-Stream; charset=utf-8", body: bytes("data: x\n\n"))],
            expected: Outcome(events: [event("x")], requests: [nil, nil])
        ),
        ConformanceCase(
            "content-type-charset", summary: "A charset other than UTF-8 is ignored: the stream is decoded as UTF-8 anyway",
            source: "WHATWG HTML §9.2.5 (\"always decoded as UTF-8\")",
            responses: [Response(contentType: "text/event-stream; charset=iso-8859-1", body: bytes("data: café\n\n"))],
            expected: Outcome(events: [event("café")], requests: [nil, nil]),
            browsers: Outcome(events: [], requests: [nil]),
            note: "Chromium fails the connection on a charset other than UTF-8, and so does Cuecast's client, so that a server "
                + "announcing another charset hears of it instead of having its text decoded as UTF-8 in silence."
        ),
    ]

    static let splitCases: [ConformanceCase] = [
        ConformanceCase(
            "split-crlf", summary: "CR at the end of one read, LF at the start of the next: one line break", source: "WHATWG HTML §9.2.6",
            responses: [Response(body: bytes("data: a\r\ndata: b\r\n\r\ndata: c\r\r"), chunkSize: 1)],
            expected: Outcome(events: [event("a\nb"), event("c")], requests: [nil, nil])
        ),
        ConformanceCase(
            "split-utf-8", summary: "A UTF-8 character split over reads is one character", source: "WHATWG HTML §9.2.6",
            responses: [Response(body: bytes("data: ✓ é 🎵\n\n"), chunkSize: 1)],
            expected: Outcome(events: [event("✓ é 🎵")], requests: [nil, nil])
        ),
        ConformanceCase(
            "split-bom", summary: "A BOM split over reads is still stripped", source: "WHATWG HTML §9.2.6",
            responses: [Response(body: bom + bytes("data: x\n\n"), chunkSize: 1)], expected: Outcome(events: [event("x")], requests: [nil, nil])
        ),
    ]
}
