extension ConformanceCase {
    private static func ld(_ test: String) -> String { "LaunchDarkly sse-contract-tests \(test)" }

    private static let hello = Response(body: bytes("data: Hello\n\n"))
    private static let json = #"{"hello": "world"}"#
    /// A request with LaunchDarkly's JSON body and its `Content-Type`, by `method` (`POST` or `REPORT`), and what
    /// every request of the case must then carry: the same method, body and header on each reconnection too.
    static func withBody(_ method: String) -> (request: ConformanceRequest, checks: [RequestCheck]) {
        let type = "application/json; charset=utf-8"
        return (
            ConformanceRequest(headers: [(name: "content-type", value: type)], method: method, body: json),
            [.method(method), .body(json), .header("content-type", type)]
        )
    }

    private static let post = withBody("POST")
    private static let report = withBody("REPORT")

    static let ldHTTPCases: [ConformanceCase] = [
        stream(
            "ld-default-method-and-headers", "HTTP behavior / default method and headers: GET, Accept and Cache-Control, no Last-Event-ID",
            source: ld("HTTP behavior / default method and headers"), hello, [event("Hello")],
            checks: [.method("GET"), .header("accept", "text/event-stream"), .header("cache-control", "no-cache")]
        ),
    ] + [301, 307].flatMap { status in
        [("empty", Response.Location.empty), ("missing", nil)].map { label, location in
            refused(
                "ld-redirect-\(status)-location-\(label)", "A \(status) with \(label == "empty" ? "an empty" : "no") Location is an error, not a loop",
                source: ld("HTTP behavior / client handles \(label) Location header with \(status) status"),
                Response(status: status, contentType: nil, location: location, body: [])
            )
        }
    } + [
        ConformanceCase(
            "ld-custom-headers", summary: "HTTP behavior / custom headers, on every request", source: ld("HTTP behavior / custom headers"),
            responses: [hello], expected: Outcome(events: [event("Hello")], requests: [nil, nil]), capability: .headers,
            request: ConformanceRequest(headers: [(name: "header-name-1", value: "value-1"), (name: "header-name-2", value: "value-2")]),
            checks: [.header("header-name-1", "value-1"), .header("header-name-2", "value-2")]
        ),
        ConformanceCase(
            "ld-post", summary: "HTTP behavior / POST request, with its body and Content-Type", source: ld("HTTP behavior / POST request"),
            responses: [hello], expected: Outcome(events: [event("Hello")], requests: [nil, nil]), capability: .post, request: post.request,
            checks: post.checks
        ),
        ConformanceCase(
            "ld-report", summary: "HTTP behavior / REPORT request, with its body and Content-Type", source: ld("HTTP behavior / REPORT request"),
            responses: [hello], expected: Outcome(events: [event("Hello")], requests: [nil, nil]), capability: .report, request: report.request,
            checks: report.checks
        ),
        ConformanceCase(
            "ld-initial-last-event-id", summary: "HTTP behavior / sends Last-Event-Id in initial request if set",
            source: ld("HTTP behavior / sends Last-Event-Id in initial request if set"),
            responses: [hello], expected: Outcome(events: [event("Hello", id: "abc")], requests: ["abc", "abc"]), capability: .lastEventID,
            request: ConformanceRequest(lastEventID: "abc")
        ),
    ]

    static let ldReconnectionCases: [ConformanceCase] = [
        ConformanceCase(
            "ld-restart", summary: "reconnection / caller can trigger a restart", source: ld("reconnection / caller can trigger a restart"),
            responses: [Response(body: bytes("data: Hello\n\n"), idle: .seconds(5), tail: bytes("data: too late\n\n")), Response(body: bytes("data: Thanks\n\n"))],
            expected: Outcome(events: [event("Hello"), event("Thanks")], requests: [nil, nil, nil]), capability: .restart,
            request: ConformanceRequest(restartAfterEvents: 1)
        ),
        stream(
            "ld-sends-last-id", "reconnection / sends ID of last received event", source: ld("reconnection / sends ID of last received event"),
            Response(body: bytes("id: abc\ndata: Hello\n\n")), [event("Hello", id: "abc")]
        ),
        stream(
            "ld-sends-last-id-kept", "reconnection / sends ID of last received event that had an ID if later events did not",
            source: ld("reconnection / sends ID of last received event that had an ID if later events did not"),
            Response(body: bytes("id: abc\ndata: Hello\n\ndata: World\n\n")), [event("Hello", id: "abc"), event("World", id: "abc")]
        ),
        stream(
            "ld-last-id-emptied", "reconnection / last event ID can be explicitly overridden with an empty value",
            source: ld("reconnection / last event ID can be explicitly overridden with an empty value"),
            Response(body: bytes("id: abc\ndata: Hello\n\nid: \ndata: World\n\n")), [event("Hello", id: "abc"), event("World")]
        ),
        ConformanceCase(
            "ld-post-resent", summary: "reconnection / resends request body if any when reconnecting",
            source: ld("reconnection / resends request body if any when reconnecting"), responses: [hello, Response(body: bytes("data: again\n\n"))],
            expected: Outcome(events: [event("Hello"), event("again")], requests: [nil, nil, nil]), capability: .post, request: post.request,
            checks: post.checks
        ),
        ConformanceCase(
            "ld-read-timeout", summary: "reconnection / can set read timeout: silent for longer than 500 ms, the client reconnects",
            source: ld("reconnection / can set read timeout"),
            responses: [Response(body: bytes("data: Hello\n\n"), idle: .seconds(4), tail: bytes("data: too late\n\n")), Response(body: bytes("data: again\n\n"))],
            expected: Outcome(events: [event("Hello"), event("again")], requests: [nil, nil, nil]), capability: .readTimeout,
            request: ConformanceRequest(readTimeoutMilliseconds: 500)
        ),
        ConformanceCase(
            "ld-partial-discarded", summary: "reconnection / discards partial messages on retry",
            source: ld("reconnection / discards partial messages on retry"),
            responses: [Response(body: bytes("id: abc\ndata: Hello\n\nid: def\ndata: Goodbye")), Response(body: bytes("data: We meet again\n\n"))],
            expected: Outcome(events: [event("Hello", id: "abc"), event("We meet again", id: "abc")], requests: [nil, "abc", "abc"])
        ),
        ConformanceCase(
            "ld-new-connection-works", summary: "reconnection / new connection established after breaking previous is functional",
            source: ld("reconnection / new connection established after breaking previous is functional"),
            responses: [Response(body: bytes("id: abc\ndata: Hello\n\n")), Response(body: bytes("id: def\ndata: World\n\n"))],
            expected: Outcome(events: [event("Hello", id: "abc"), event("World", id: "def")], requests: [nil, "abc", "def"])
        ),
    ]
}
