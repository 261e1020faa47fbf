extension ConformanceCase {
    /// Every test of LaunchDarkly's sse-contract-tests (`ssetests/tests_*.go`), named `ld-…`. Their optional
    /// capabilities are `ConformanceCapability`s; `bom` is not optional here, since the specification requires it,
    /// nor is `server-directed-shutdown-request` (204 stops the client: `status-204`), which every case relies on to end.
    /// The linefeed tests send six inputs with each line end in three chunkings; here each line end and chunking is
    /// one case carrying the six inputs one after another (each ends its events, so they do not interact).
    static let launchDarklyCases: [ConformanceCase] = ldParsingCases + ldBOMCases + ldCommentCases + ldLinefeedCases + ldHTTPCases + ldReconnectionCases

    private static func ld(_ test: String) -> String { "LaunchDarkly sse-contract-tests \(test)" }

    private static func ld(
        _ name: String, _ test: String, _ body: String, _ events: [ParsedEvent], breaks: [Int] = [], chunkSize: Int? = nil
    ) -> ConformanceCase {
        stream("ld-" + name, test, source: ld(test), Response(body: bytes(body), chunkSize: chunkSize, breaks: breaks), events)
    }

    /// Offsets where each piece after the first starts, for LaunchDarkly's `Send` calls.
    private static func breaks(_ pieces: [String]) -> [Int] {
        pieces.dropLast().reduce(into: [Int]()) { offsets, piece in offsets.append((offsets.last ?? 0) + piece.utf8.count) }
    }

    private static func pieces(_ name: String, _ test: String, _ pieces: [String], _ events: [ParsedEvent]) -> ConformanceCase {
        ld(name, test, pieces.joined(), events, breaks: breaks(pieces))
    }

    /// LaunchDarkly's large messages are 5 MiB of base64; here 1 MiB, past every read buffer we know of, which keeps
    /// the catalogue small. Deterministic, as theirs (a fixed seed).
    private static let largeA = String(repeating: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", count: 16_384)
    private static let largeB = String(repeating: "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA9876543210/+", count: 16_384)

    static let ldParsingCases: [ConformanceCase] = [
        ld("one-line-message", "basic parsing / one-line message in one chunk", "data: Hello\n\n", [event("Hello")]),
        pieces(
            "two-messages-three-chunks", "basic parsing / two messages spanning 3 chunks with shared chunk", ["data: test", "test\n\ndata:", "test\n\n"],
            [event("testtest"), event("test")]
        ),
        ld("large-message", "basic parsing / large message in one chunk (1 MiB here)", "data: \(largeA)\n\n", [event(largeA)]),
        pieces(
            "large-message-two-chunks", "basic parsing / large message in two chunks (1 MiB each here)", ["data: " + largeA, largeB + "\n\n"],
            [event(largeA + largeB)]
        ),
        pieces("one-line-message-two-chunks", "basic parsing / one-line message in two chunks", ["data: Hel", "lo\n\n"], [event("Hello")]),
        ld("two-messages", "basic parsing / two one-line messages in one chunk", "data: Hello\n\ndata: World\n\n", [event("Hello"), event("World")]),
        ld("two-line-message", "basic parsing / one two-line message in one chunk", "data: Hello\ndata:World\n\n", [event("Hello\nWorld")]),
        ld("empty-data", "basic parsing / empty data", "data:\n\n", [event("")]),
        ld("event-type", "basic parsing / event with specific type", "event: greeting\ndata: Hello\n\n", [event("Hello", type: "greeting")]),
        ld("default-event-type", "basic parsing / default event type", "data: Hello\n\n", [event("Hello")]),
        ld("event-id", "basic parsing / event with ID", "id: abc\ndata: Hello\n\n", [event("Hello", id: "abc")]),
        ld(
            "event-type-and-id", "basic parsing / event with type and ID", "event: greeting\nid: abc\ndata: Hello\n\n",
            [event("Hello", type: "greeting", id: "abc")]
        ),
        ld("id-with-null", "basic parsing / ID field is ignored if it contains a null", "id: a\0bc\ndata: Hello\n\n", [event("Hello")]),
        pieces(
            "last-id-persists", "basic parsing / last ID persists if not overridden by later event", ["id: abc\ndata: first\n\n", "data: second\n\n"],
            [event("first", id: "abc"), event("second", id: "abc")]
        ),
        pieces(
            "last-id-empty", "basic parsing / last ID can be overridden by an empty value", ["id: abc\ndata: first\n\n", "id: \ndata: second\n\n"],
            [event("first", id: "abc"), event("second")]
        ),
        ld(
            "fields-reversed", "basic parsing / fields in reverse order", "data: Hello\nid: abc\nevent: greeting\n\n",
            [event("Hello", type: "greeting", id: "abc")]
        ),
        ld("unknown-field", "basic parsing / unknown field is ignored", "event: greeting\ncolor: blue\ndata: Hello\n\n", [event("Hello", type: "greeting")]),
        ld("no-leading-space", "basic parsing / fields without leading space", "event:greeting\ndata:Hello\n\n", [event("Hello", type: "greeting")]),
        ld(
            "extra-leading-space", "basic parsing / fields with extra leading space", "event:  greeting\ndata:  Hello\n\n",
            [event(" Hello", type: " greeting")]
        ),
        ld("field-no-colon", "basic parsing / field with no colon", "data\n\ndata\ndata\n\n", [event(""), event("\n")]),
        ld("multi-byte", "basic parsing / multi-byte characters", "data: €豆腐\n\n", [event("€豆腐")]),
        ld(
            "many-messages", "basic parsing / many messages in rapid succession", (0..<100).map { "data: message \($0)\n\n" }.joined(),
            (0..<100).map { event("message \($0)") }
        ),
        ld("multi-byte-single-bytes", "basic parsing / multi-byte characters sent in single-byte pieces", "data: €豆腐\n\n", [event("€豆腐")], chunkSize: 1),
    ]

    static let ldBOMCases: [ConformanceCase] = {
        let mark = "\u{FEFF}"
        return [
            ld("bom-start", "BOM handling / BOM at start of stream is stripped", mark + "data: Hello\n\n", [event("Hello")]),
            ld(
                "bom-type-and-id", "BOM handling / BOM stripped before first event with type and ID", mark + "event: greeting\nid: abc\ndata: Hello\n\n",
                [event("Hello", type: "greeting", id: "abc")]
            ),
            ld("bom-two-messages", "BOM handling / BOM stripped with multiple messages", mark + "data: First\n\ndata: Second\n\n", [event("First"), event("Second")]),
            pieces(
                "bom-later-kept", "BOM handling / BOM only stripped at stream start, not from later data", ["data: First\n\n", "data: " + mark + "Second\n\n"],
                [event("First"), event(mark + "Second")]
            ),
            stream(
                "ld-bom-split-two", "BOM handling / BOM split across first two chunks", source: ld("BOM handling / BOM split across first two chunks"),
                Response(body: bom + bytes("data: Hello\n\n"), breaks: [2]), [event("Hello")]
            ),
            stream(
                "ld-bom-split-bytes", "BOM handling / BOM split byte by byte across chunks", source: ld("BOM handling / BOM split byte by byte across chunks"),
                Response(body: bom + bytes("data: Hello\n\n"), breaks: [1, 2, 3]), [event("Hello")]
            ),
            ld("bom-second-kept", "BOM handling / only first BOM at start is stripped", mark + "data: " + mark + "Hello\n\n", [event(mark + "Hello")]),
            ld("bom-baseline", "BOM handling / no BOM - baseline test", "data: Hello\n\n", [event("Hello")]),
            ld("bom-multi-line", "BOM handling / BOM with multi-line data", mark + "data: Line1\ndata: Line2\n\n", [event("Line1\nLine2")]),
            ld("bom-comment", "BOM handling / BOM with comment at start", mark + ":comment\ndata: Hello\n\n", [event("Hello")]),
            // The same test, for a client of the `comments` capability: the comment is reported, which it is not if the
            // BOM was kept (the line is then a field named U+FEFF).
            comments(
                "bom-comment-reported", "BOM handling / BOM with comment at start (comments capability)", [mark + ":comment\ndata: Hello\n\n"],
                [event("Hello")], ["comment"]
            ),
            ld("bom-empty-data", "BOM handling / BOM does not affect empty data field", mark + "data:\n\n", [event("")]),
        ]
    }()

    private static func comments(_ name: String, _ test: String, _ pieces: [String], _ events: [ParsedEvent], _ comments: [String]) -> ConformanceCase {
        ConformanceCase(
            "ld-" + name, summary: test, source: ld(test), responses: [Response(body: bytes(pieces.joined()), breaks: breaks(pieces))],
            expected: Outcome(events: events, requests: [nil, nil], comments: comments), capability: .comments
        )
    }

    static let ldCommentCases: [ConformanceCase] = [
        comments("comment", "comments / single comment", [":Hello\n"], [], ["Hello"]),
        comments("two-comments", "comments / two comments in a row", [":Hello\n", ":World\n"], [], ["Hello", "World"]),
        comments("comment-before-event", "comments / comment before event", [":Hello\n", "data: Hello\n\n"], [event("Hello")], ["Hello"]),
        comments("comment-after-event", "comments / comment after event", ["data: Hello\n\n", ":Hello\n"], [event("Hello")], ["Hello"]),
    ]

    static let ldLinefeedCases: [ConformanceCase] = {
        let inputs: [(String) -> String] = [
            { "data: event 1\($0)\($0)" },
            { "data: event 1\($0)\($0)data: event 2 line 1\($0)data: event 2 line 2\($0)\($0)" },
            { "data:\($0)data: line2\($0)data: line3\($0)\($0)" },
            { "data: line1\($0)data:\($0)data: line3\($0)\($0)" },
            { "data: event 1\($0)\($0)\($0)data: event 2\($0)\($0)" },
            { "data: event 1\($0)\($0)\($0)\($0)data: event 2\($0)\($0)" },
        ]
        let events = [
            event("event 1"), event("event 1"), event("event 2 line 1\nevent 2 line 2"), event("\nline2\nline3"), event("line1\n\nline3"),
            event("event 1"), event("event 2"), event("event 1"), event("event 2"),
        ]
        let ends = [("lf", "LF", "\n"), ("crlf", "CRLF", "\r\n"), ("cr", "CR", "\r")]
        let chunkings: [(String, String, Int?)] = [("", "one chunk", nil), ("-1-byte-chunks", "1-character chunks", 1), ("-2-byte-chunks", "2-character chunks", 2)]
        var cases: [ConformanceCase] = []
        for (slug, label, end) in ends {
            for (suffix, chunking, size) in chunkings {
                cases.append(
                    ld(
                        "linefeeds-\(slug)\(suffix)", "linefeeds / \(label) separator: the six inputs, \(chunking)", inputs.map { $0(end) }.joined(), events,
                        chunkSize: size
                    )
                )
            }
        }
        cases.append(
            pieces(
                "linefeeds-crlf-split", "linefeeds / CRLF where CR is end of 1 chunk",
                ["data: Hello\r", "\ndata: World\r", "\n\r\ndata: OK\r", "\n", "\r", "\n"], [event("Hello\nWorld"), event("OK")]
            )
        )
        return cases
    }()
}
