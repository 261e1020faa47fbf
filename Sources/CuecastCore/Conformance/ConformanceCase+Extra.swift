extension ConformanceCase {
    /// What neither suite covers and clients get wrong, checked against the WHATWG text: statuses other than 200
    /// (5xx included: the specification fails the connection for good, and browsers agree), `Content-Type`
    /// letter case and parameters, blocks without data, idle streams, long lines, reads split anywhere; and REPORT's
    /// body sent again on reconnection, which LaunchDarkly checks for POST only.
    static let extraCases: [ConformanceCase] = statusCases + contentTypeCases + blockCases + streamCases + splitCases + reportCases

    private static let whatwgFetch = "WHATWG HTML §9.2.3 (\"if res's status is not 200 … fail the connection\")"

    static let statusCases: [ConformanceCase] = [
        ConformanceCase(
            "status-204", summary: "204 No Content closes for good",
            source: "WHATWG HTML §9.2.3; web-platform-tests eventsource/request-status-error.htm (204); "
                + "LaunchDarkly sse-contract-tests HTTP behavior / 204 halts re-connection attempts",
            responses: [], expected: Outcome(events: [], requests: [nil])
        ),
    ] + [(201, "Created"), (400, "Bad Request"), (401, "Unauthorized"), (429, "Too Many Requests"), (500, "Internal Server Error"),
        (502, "Bad Gateway"), (504, "Gateway Timeout")].map { status, reason in
        refused(
            "status-\(status)", "\(status) \(reason) fails the connection: no event, no reconnection, even for a 5xx", source: whatwgFetch,
            Response(status: status, body: bytes("retry: 10\ndata: must not be dispatched\n\n"))
        )
    }

    static let contentTypeCases: [ConformanceCase] = [
        refused(
            "content-type-plain", "A Content-Type other than text/event-stream fails the connection", source: "WHATWG HTML §9.2.3",
            Response(contentType: "text/plain", body: bytes("data: must not be dispatched\n\n"))
        ),
        refused(
            "content-type-missing", "No Content-Type at all fails the connection", source: "WHATWG HTML §9.2.3",
            Response(contentType: nil, body: bytes("data: must not be dispatched\n\n"))
        ),
        stream(
            "content-type-parameters", "Parameters do not matter: text/event-stream; charset=utf-8 opens", source: "WHATWG HTML §9.2.3, MIME Sniffing §4.4",
            Response(contentType: "text/event-stream; charset=utf-8", body: bytes("data: x\n\n")), [event("x")]
        ),
        stream(
            "content-type-case", "MIME types ignore letter case: Text/Event-Stream opens",
            source: "WHATWG HTML §9.2.3 with MIME Sniffing §4.4 (type and subtype are ASCII-lowercased)",
            Response(contentType: "Text/Event-Stream", body: bytes("data: x\n\n")), [event("x")]
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

    private static let dispatch = "WHATWG HTML §9.2.6 (dispatch: the last event ID is set first; an empty data buffer dispatches nothing)"

    static let blockCases: [ConformanceCase] = [
        stream(
            "block-retry-only", "A block of only retry dispatches nothing (Cuecast's own streams open with one)", source: dispatch,
            Response(body: bytes("retry: 3000\n\ndata: a\n\n")), [event("a")]
        ),
        stream(
            "block-id-only", "A block of only id dispatches nothing, but sets the id of the next events", source: dispatch,
            Response(body: bytes("id: 5\n\ndata: a\n\n")), [event("a", id: "5")]
        ),
        stream(
            "block-id-only-last", "An id-only block at the end still sets the Last-Event-ID of the reconnection", source: dispatch,
            Response(body: bytes("data: a\n\nid: 9\n\n")), [event("a")], lastEventID: "9"
        ),
        stream(
            "block-event-only", "A block of only event dispatches nothing, and the type does not carry over", source: dispatch,
            Response(body: bytes("event: x\n\ndata: a\n\n")), [event("a")]
        ),
        stream(
            "block-comment-only", "A block of only comments dispatches nothing", source: dispatch, Response(body: bytes(": hi\n\ndata: a\n\n")),
            [event("a")]
        ),
    ]

    /// One line of 256 KiB, and the same sent one KiB at a time.
    private static let longLine = String(repeating: "0123456789abcdef", count: 16_384)

    static let streamCases: [ConformanceCase] = [
        ConformanceCase(
            "idle-35s", summary: "A stream silent for 35 s is not dropped (the specification has no idle timeout)",
            source: "WHATWG HTML §9.2 (no timeout); Firefox was reported to drop streams idle for 30 s",
            responses: [Response(body: bytes("data: a\n\n"), idle: .seconds(35), tail: bytes("data: b\n\n"))],
            expected: Outcome(events: [event("a"), event("b")], requests: [nil, nil])
        ),
        stream("long-line", "A 256 KiB data line", source: "WHATWG HTML §9.2.6 (no line length limit)", Response(body: bytes("data: \(longLine)\n\n")), [event(longLine)]),
        stream(
            "long-line-chunks", "A 256 KiB data line in 1 KiB reads", source: "WHATWG HTML §9.2.6 (no line length limit)",
            Response(body: bytes("data: \(longLine)\n\n"), chunkSize: 1024), [event(longLine)]
        ),
    ]

    /// Every field, line end, a BOM, a comment and multi-byte characters, one byte per read.
    private static let everything = bom + bytes(": c\r\nretry: 10\nevent: é\rid: 1\r\ndata: a\u{0}✓\ndata\n\ndata:🎵\r\rid\ndata: b\r\n\r\n")

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
        stream(
            "split-every-byte", "Every field, line end, BOM, comment and multi-byte character, one byte per read", source: "WHATWG HTML §9.2.5-9.2.6",
            Response(body: everything, chunkSize: 1), [event("a\u{0}✓\n", type: "é", id: "1"), event("🎵", id: "1"), event("b")]
        ),
    ]

    /// LaunchDarkly checks that a POST body is sent again on reconnection, but its REPORT test makes one request; the
    /// `report` capability promises what `post` does, with the other method, so the lab checks the resend for it too.
    static let reportCases: [ConformanceCase] = [
        ConformanceCase(
            "report-resent", summary: "REPORT: the method, body and Content-Type sent again on reconnection, as for POST",
            source: "LaunchDarkly sse-contract-tests docs/optional_features.md (report, as post) and reconnection / resends request body if any when reconnecting",
            responses: [Response(body: bytes("data: Hello\n\n")), Response(body: bytes("data: again\n\n"))],
            expected: Outcome(events: [event("Hello"), event("again")], requests: [nil, nil, nil]), capability: .report,
            request: withBody("REPORT").request, checks: withBody("REPORT").checks
        ),
    ]
}
