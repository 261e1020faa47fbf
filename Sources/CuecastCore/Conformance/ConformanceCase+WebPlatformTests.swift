extension ConformanceCase {
    /// web-platform-tests' `eventsource/` cases that a client outside a browser can run: the `format-*` bodies as
    /// WPT's `resources/message.py` serves them, and the `request-*` and reconnection tests. (The constructor,
    /// CORS, credentials, worker, bfcache and `readyState` tests are about the browser API, not the stream.)
    static let wptCases: [ConformanceCase] = wptFormatCases + wptConnectionCases

    /// A WPT format case: one body, then the reconnection (with `lastEventID`) that gets 204.
    private static func format(
        _ name: String, _ summary: String, _ body: [UInt8], _ events: [ParsedEvent], lastEventID: String? = nil
    ) -> ConformanceCase {
        stream(name, summary, source: "web-platform-tests eventsource/\(name).htm\(name == "format-null-character" ? "l" : "")", Response(body: body), events, lastEventID: .some(lastEventID))
    }

    private static func wpt(_ file: String) -> String { "web-platform-tests eventsource/\(file)" }

    /// WPT's message.py ends every body with "\n\n" and one more "\n".
    private static let end = "\n\n\n"

    static let wptFormatCases: [ConformanceCase] = [
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
        // Not WPT files: the specification's decoding and end-of-stream rules, next to the format cases they belong with.
        stream(
            "invalid-utf-8", "Invalid UTF-8 becomes U+FFFD", source: "WHATWG HTML §9.2.5 (UTF-8 decode: replacement characters)",
            Response(body: [0x64, 0x61, 0x74, 0x61, 0x3A, 0xFF, 0x61, 0x0A, 0x0A]), [event("\u{FFFD}a")]
        ),
        stream(
            "unterminated-final-event", "The stream ends inside an event: it is discarded, and so is its id",
            source: "WHATWG HTML §9.2.6 (\"once the end of the file is reached, any pending data must be discarded\")",
            Response(body: bytes("id: 1\ndata: a\n\nid: 2\ndata: b")), [event("a", id: "1")]
        ),
    ]

    static let wptConnectionCases: [ConformanceCase] = [
        ConformanceCase(
            "format-field-id-2", summary: "The reconnection sends Last-Event-ID, and the id carries over to the new connection's events",
            source: wpt("format-field-id-2.htm"),
            responses: [Response(body: bytes("id: 7\ndata: a\n\n")), Response(body: bytes("data: b\n\n"))],
            expected: Outcome(events: [event("a", id: "7"), event("b", id: "7")], requests: [nil, "7", "7"])
        ),
        refused(
            "format-mime-valid-bogus", "A valid but wrong MIME type (text/x-bogus) fails the connection", source: wpt("format-mime-valid-bogus.htm"),
            Response(contentType: "text/x-bogus", body: bytes("data: must not be dispatched\n\n"))
        ),
    ] + [205, 210, 299, 404, 410, 503].map { status in
        refused(
            "request-status-error-\(status)", "Status \(status) fails the connection: no event, no reconnection",
            source: wpt("request-status-error.htm (\(status))"), Response(status: status, body: bytes("data: must not be dispatched\n\n"))
        )
    } + [301, 302, 303, 307].map { status in
        ConformanceCase(
            "request-redirect-\(status)", summary: "A \(status) redirect is followed, and the stream opens at its target",
            source: wpt("request-redirect.htm (\(status))") + (status == 301 || status == 307 ? "; LaunchDarkly sse-contract-tests HTTP behavior / client follows \(status) redirect" : ""),
            responses: [Response(status: status, contentType: nil, location: .again, body: []), Response(body: bytes("data: data\n\n"))],
            expected: Outcome(events: [event("data")], requests: [nil, nil, nil])
        )
    } + [
        ConformanceCase(
            "eventsource-reconnect", summary: "A stream that ends is reconnected, and the new connection's events arrive",
            source: wpt("eventsource-reconnect.htm (resources/status-reconnect.py?status=200&ok_first)"),
            responses: [Response(body: bytes("retry: 2\ndata: ok\n\n")), Response(body: bytes("data: data\n\n"))],
            expected: Outcome(events: [event("ok"), event("data")], requests: [nil, nil, nil])
        ),
        ConformanceCase(
            "eventsource-reconnect-retry-only", summary: "A stream of only a retry field (a block without data) dispatches nothing, and is reconnected",
            source: wpt("eventsource-reconnect.htm (resources/status-reconnect.py?status=200)"),
            responses: [Response(body: bytes("retry: 2\n")), Response(body: bytes("data: data\n\n"))],
            expected: Outcome(events: [event("data")], requests: [nil, nil, nil])
        ),
        stream(
            "request-accept", "The request carries Accept: text/event-stream", source: wpt("request-accept.htm") + "; WHATWG HTML §9.2.2",
            Response(body: bytes("data: x\n\n")), [event("x")], checks: [.header("accept", "text/event-stream")]
        ),
        stream(
            "request-cache-control", "The request carries Cache-Control: no-cache (fetch's no-store cache mode)",
            source: wpt("request-cache-control.htm") + "; WHATWG HTML §9.2.2, Fetch §4.6",
            Response(body: bytes("data: x\n\n")), [event("x")], checks: [.header("cache-control", "no-cache")]
        ),
    ]
}
