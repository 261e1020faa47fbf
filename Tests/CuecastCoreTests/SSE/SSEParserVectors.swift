import Testing
@testable import CuecastCore

/// A dispatched event, as in `SSETest.message`.
private func message(_ data: String, type: String = "message", id: String = "") -> SSEParserOutput {
    SSETest.message(data, type: type, id: id)
}

/// One parser test vector: a complete stream and everything the parser must report for it.
struct SSEParserVector: Sendable, CustomTestStringConvertible {
    let name: String
    let stream: [UInt8]
    let outputs: [SSEParserOutput]
    let lastEventId: String
    let reconnectionTime: Int?

    init(_ name: String, _ stream: [UInt8], _ outputs: [SSEParserOutput], lastEventId: String = "", reconnectionTime: Int? = nil) {
        self.name = name
        self.stream = stream
        self.outputs = outputs
        self.lastEventId = lastEventId
        self.reconnectionTime = reconnectionTime
    }

    init(_ name: String, _ stream: String, _ outputs: [SSEParserOutput], lastEventId: String = "", reconnectionTime: Int? = nil) {
        self.init(name, SSETest.bytes(stream), outputs, lastEventId: lastEventId, reconnectionTime: reconnectionTime)
    }

    var expected: SSETest.Result {
        SSETest.Result(outputs: outputs, lastEventId: lastEventId, reconnectionTime: reconnectionTime)
    }

    var testDescription: String { name }
}

/// web-platform-tests `eventsource/` vectors, rewritten as byte streams.
///
/// The WPT pages open `resources/message.py?message=…`, whose body is the message, then "\n\n" (or nothing
/// with `&newline=none`), then one more "\n". That suffix is reproduced here because it matters: with
/// `newline=none` the final "\n" is what completes (or fails to complete) the last event.
enum SSEWPTVectors {
    /// message.py's suffix without `newline=none`.
    private static let defaultEnd = "\n\n\n"
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    static let all: [SSEParserVector] = [
        // format-bom.htm: only the first BOM is stripped; the second makes the field name "\u{FEFF}data".
        SSEParserVector("WPT format-bom",
                        bom + SSETest.bytes("data:1\n\n") + bom + SSETest.bytes("data:2\n\ndata:3" + defaultEnd),
                        [message("1"), message("3")]),
        // format-bom-2.htm: two BOMs at the start; only one is stripped, so event 1 is lost.
        SSEParserVector("WPT format-bom-2",
                        bom + bom + SSETest.bytes("data:1\n\ndata:2\n\ndata:3" + defaultEnd),
                        [message("2"), message("3")]),
        // format-comments.htm (newline=none): comments with NUL, empty comments, 2 KiB comments, CR/LF/CRLF.
        SSEParserVector("WPT format-comments",
                        "data:1\r:\0\n:\r\ndata:2\n:" + longComment + "\rdata:3\n:data:fail\r:" + longComment + "\ndata:4\n" + "\n",
                        [.comment("\0"), .comment(""), .comment(longComment), .comment("data:fail"),
                         .comment(longComment), message("1\n2\n3\n4")]),
        // format-data-before-final-empty-line.htm (newline=none): the second block never gets its blank
        // line, so neither its data nor its id take effect.
        SSEParserVector("WPT format-data-before-final-empty-line",
                        "retry:1000\ndata:test1\n\nid:test\ndata:test2" + "\n",
                        [.retry(1000), message("test1")], reconnectionTime: 1000),
        // format-field-data.htm: "data:" gives "", two bare "data" lines give "\n".
        SSEParserVector("WPT format-field-data",
                        "data:\n\ndata\ndata\n\ndata:test" + defaultEnd,
                        [message(""), message("\n"), message("test")]),
        // format-field-event-empty.htm: "event: " (empty after the space) means "message".
        SSEParserVector("WPT format-field-event-empty",
                        "event: \ndata:data" + defaultEnd,
                        [message("data")]),
        // format-field-event.htm: the event type applies to one block only.
        SSEParserVector("WPT format-field-event",
                        "event:test\ndata:x\n\ndata:x" + defaultEnd,
                        [message("x", type: "test"), message("x")]),
        // format-field-id.htm / format-field-id-2.htm, first connection (resources/last-event-id.py):
        // a non-ASCII id (U+2026). The reconnections are in EventStreamParserTests.
        SSEParserVector("WPT format-field-id (last-event-id.py)",
                        "id: …\nretry: 200\ndata: hello\n\n",
                        [.retry(200), message("hello", id: "…")], lastEventId: "…", reconnectionTime: 200),
        // format-field-id-3.htm with resources/last-event-id2.py: the id persists across blocks...
        SSEParserVector("WPT format-field-id-3 persists",
                        "id: 1\ndata: 1\n\ndata: 2\n\nid: 2\ndata:3\n\ndata:4\n\n",
                        [message("1", id: "1"), message("2", id: "1"), message("3", id: "2"), message("4", id: "2")],
                        lastEventId: "2"),
        // ...and an empty id field resets it, written as "id:"...
        SSEParserVector("WPT format-field-id-3 resets (id:)",
                        "id: 1\ndata: 1\n\nid:\ndata:2\n\ndata:3\n\n",
                        [message("1", id: "1"), message("2"), message("3")]),
        // ...or as a bare "id" with no colon.
        SSEParserVector("WPT format-field-id-3 resets (id without colon)",
                        "id: 1\ndata: 1\n\nid\ndata:2\n\ndata:3\n\n",
                        [message("1", id: "1"), message("2"), message("3")]),
        // format-field-parsing.htm (newline=none): NUL in data is kept; "Data", "data\0", "\0data", "da-ta",
        // "data_5" and " data" are other fields; exactly one leading space is removed.
        SSEParserVector("WPT format-field-parsing",
                        "data:\0\ndata:  2\rData:1\ndata\0:2\ndata:1\r\0data:4\nda-ta:3\rdata_5\ndata:3\rdata:\r\n data:32\ndata:4\n" + "\n",
                        [message("\0\n 2\n1\n3\n\n4")]),
        // format-field-retry-bogus.htm: "1000x" is not all digits, so 3000 stays.
        SSEParserVector("WPT format-field-retry-bogus",
                        "retry:3000\nretry:1000x\ndata:x" + defaultEnd,
                        [.retry(3000), message("x")], reconnectionTime: 3000),
        // format-field-retry-empty.htm: a bare "retry" is ignored, the event still arrives.
        SSEParserVector("WPT format-field-retry-empty",
                        "retry\ndata:test" + defaultEnd,
                        [message("test")]),
        // format-field-retry.htm: "03000" is decimal 3000 (not octal).
        SSEParserVector("WPT format-field-retry",
                        "retry:03000\ndata:x" + defaultEnd,
                        [.retry(3000), message("x")], reconnectionTime: 3000),
        // format-field-unknown.htm: unknown fields, a space-prefixed name, a comment.
        SSEParserVector("WPT format-field-unknown",
                        "data:test\n data\ndata\nfoobar:xxx\njustsometext\n:thisisacommentyay\ndata:test" + defaultEnd,
                        [.comment("thisisacommentyay"), message("test\n\ntest")]),
        // format-leading-space.htm: a tab is not a space; a lone CR ends a line.
        SSEParserVector("WPT format-leading-space",
                        "data:\ttest\rdata: \ndata:test" + defaultEnd,
                        [message("\ttest\n\ntest")]),
        // format-newlines.htm (newline=none): CRLF, LF, then CRLF CR LF, where the final CR LF is one break.
        SSEParserVector("WPT format-newlines",
                        "data:test\r\ndata\ndata:test\r\n\r" + "\n",
                        [message("test\n\ntest")]),
        // format-null-character.html: a NUL in data is delivered as is.
        SSEParserVector("WPT format-null-character",
                        "data:\0\n\n" + defaultEnd,
                        [message("\0")]),
        // format-utf-8.htm: always UTF-8 (even if the Content-Type names windows-1252).
        SSEParserVector("WPT format-utf-8",
                        [0x64, 0x61, 0x74, 0x61, 0x3A, 0x6F, 0x6B, 0xE2, 0x80, 0xA6] + SSETest.bytes(defaultEnd),
                        [message("ok…")]),
        // event-data.html with resources/message2.py (one iteration of its endless loop): blocks with only
        // unknown fields dispatch nothing, a bare "data" dispatches "".
        SSEParserVector("WPT event-data (message2.py)",
                        "data:msg\ndata: msg\n\n:\nfalsefield:msg\n\nfalsefield:msg\nData:data\n\ndata\n\ndata:end\n\n",
                        [message("msg\nmsg"), .comment(""), message(""), message("end")]),
    ] + idNullVectors

    /// format-field-id-null.htm: last-event-id.py with `idvalue` containing NUL; the id field is ignored.
    private static let idNullVectors: [SSEParserVector] = ["\0\0", "x\0", "\0x", "x\0x", " \0"].map { value in
        SSEParserVector("WPT format-field-id-null \(String(reflecting: value))",
                        "id: " + value + "\nretry: 200\ndata: hello\n\n",
                        [.retry(200), message("hello")], reconnectionTime: 200)
    }

    /// format-comments.htm's `longstring`: 2 KiB of "x".
    static let longComment = String(repeating: "x", count: 2 * 1024)
}

/// The examples of WHATWG HTML §9.2.6 "Interpreting an event stream".
enum SSESpecVectors {

    static let all: [SSEParserVector] = [
        // "The following event stream, once followed by a blank line: … would cause an event message … The
        // event's data attribute would contain the string 'YHOO\n+2\n10'".
        SSEParserVector("spec stock example", "data: YHOO\ndata: +2\ndata: 10\n\n", [message("YHOO\n+2\n10")]),
        // "The following stream contains four blocks." As printed, the stream stops right after the last
        // data line, and "the end of the stream is not enough to trigger the dispatch of the last event".
        SSEParserVector("spec four blocks, as printed",
                        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n",
                        [.comment("test stream"), message("first event", id: "1"), message("second event")]),
        // The same, followed by the blank line: " third event" keeps one leading space.
        SSEParserVector("spec four blocks, with the final blank line",
                        ": test stream\n\ndata: first event\nid: 1\n\ndata:second event\nid\n\ndata:  third event\n\n",
                        [.comment("test stream"), message("first event", id: "1"), message("second event"),
                         message(" third event")]),
        // "The following stream fires two events": "" and "\n"; the final "data:" block is discarded.
        SSEParserVector("spec two events", "data\n\ndata\ndata\n\ndata:", [message(""), message("\n")]),
        // "The following stream fires two identical events" (the space after the colon is ignored).
        SSEParserVector("spec two identical events", "data:test\n\ndata: test\n\n", [message("test"), message("test")]),
    ]
}

/// Cases of our own, each aimed at one rule of §9.2.6.
enum SSEEdgeVectors {

    static let all: [SSEParserVector] = [
        SSEParserVector("empty stream", "", []),
        SSEParserVector("blank lines only", "\n\r\n\r\n\r", []),
        SSEParserVector("CR line endings", "data:a\rdata:b\r\r", [message("a\nb")]),
        SSEParserVector("CRLF line endings", "event:x\r\ndata:a\r\n\r\n", [message("a", type: "x")]),
        // LF then CR is two line breaks, so the CR is a blank line of its own.
        SSEParserVector("LF CR is two breaks", "data:a\n\rdata:b\n\n", [message("a"), message("b")]),
        // CR, then CR LF: a blank line, and no third break.
        SSEParserVector("CR CRLF is two breaks", "data:a\r\r\ndata:b\n\n", [message("a"), message("b")]),
        SSEParserVector("event type resets after dispatch", "event:x\ndata:1\n\ndata:2\n\n",
                        [message("1", type: "x"), message("2")]),
        SSEParserVector("event type resets after a block without data", "event:x\n\ndata:2\n\n", [message("2")]),
        SSEParserVector("last event type wins", "event:a\nevent:b\ndata:1\n\n", [message("1", type: "b")]),
        SSEParserVector("bare event line means message", "event:x\nevent\ndata:1\n\n", [message("1")]),
        SSEParserVector("id in a block without data still counts", "id:7\n\ndata:x\n\n", [message("x", id: "7")],
                        lastEventId: "7"),
        SSEParserVector("id with NUL keeps the previous id", "id: 7\n\nid: a\0b\ndata:x\n\n", [message("x", id: "7")],
                        lastEventId: "7"),
        SSEParserVector("id after data in the same block applies to it", "data:x\nid:9\n\n", [message("x", id: "9")],
                        lastEventId: "9"),
        SSEParserVector("id keeps spaces and colons", "id:  a: b \n\ndata:x\n\n", [message("x", id: " a: b ")],
                        lastEventId: " a: b "),
        SSEParserVector("field names are case-sensitive", "DATA:x\nEvent:y\nID:z\nRetry:1\n\n", []),
        SSEParserVector("first colon splits", "data::x\ndata: :y\ndata:a:b\n\n", [message(":x\n:y\na:b")]),
        SSEParserVector("only one leading space is removed", "data:   x\n\n", [message("  x")]),
        SSEParserVector("comment spacing", ":\n: a\n:  b\n:c\n", [.comment(""), .comment("a"), .comment(" b"), .comment("c")]),
        SSEParserVector("comments do not end an event", "data:1\n: keep-alive\ndata:2\n\n",
                        [.comment("keep-alive"), message("1\n2")]),
        SSEParserVector("retry with one leading space", "retry: 5000\n", [.retry(5000)], reconnectionTime: 5000),
        SSEParserVector("retry zero", "retry:0\n", [.retry(0)], reconnectionTime: 0),
        SSEParserVector("bogus retries are ignored",
                        "retry:  5\nretry:-1\nretry:+5\nretry:1.5\nretry:5 \nretry:1e3\nretry:\u{0663}\nretry:\nretry\n", []),
        SSEParserVector("last valid retry wins", "retry:10\nretry:x\nretry:20\n", [.retry(10), .retry(20)],
                        reconnectionTime: 20),
        SSEParserVector("retry past Int.max saturates", "retry:99999999999999999999999\n", [.retry(Int.max)],
                        reconnectionTime: Int.max),
        SSEParserVector("non-ASCII data", "data: héllo €😀\n\n", [message("héllo €😀")]),
        SSEParserVector("BOM only at the start", "\u{FEFF}data:a\n\nevent:\u{FEFF}t\ndata:\u{FEFF}b\n\n",
                        [message("a"), message("\u{FEFF}b", type: "\u{FEFF}t")]),
        SSEParserVector("BOM then comment", [0xEF, 0xBB, 0xBF, 0x3A, 0x63, 0x0A], [.comment("c")]),
        // A truncated BOM is content: it decodes to one U+FFFD and spoils the first field name.
        SSEParserVector("partial BOM is not stripped", [0xEF, 0xBB] + SSETest.bytes("data:1\n\ndata:2\n\n"), [message("2")]),
        SSEParserVector("partial BOM then a line break", [0xEF, 0x0A] + SSETest.bytes("data:1\n\n"), [message("1")]),
        // Invalid UTF-8 becomes U+FFFD per maximal subpart (WHATWG Encoding "UTF-8 decode").
        SSEParserVector("invalid UTF-8",
                        SSETest.bytes("data:") + [0xFF] + SSETest.bytes("\ndata:") + [0xC3] + SSETest.bytes("\ndata:")
                            + [0xC3, 0x28] + SSETest.bytes("\ndata:") + [0xED, 0xA0, 0x80] + SSETest.bytes("\nevent:")
                            + [0xF0, 0x9F, 0x98] + SSETest.bytes("\n\n"),
                        [message("\u{FFFD}\n\u{FFFD}\n\u{FFFD}(\n\u{FFFD}\u{FFFD}\u{FFFD}", type: "\u{FFFD}")]),
        SSEParserVector("unterminated final line", "data:x\n\ndata:y", [message("x")]),
        SSEParserVector("unterminated final event", "data:x\n\ndata:y\n", [message("x")]),
        SSEParserVector("unterminated retry and comment lines are discarded", "retry:100\n:a\n:b", [.retry(100), .comment("a")],
                        reconnectionTime: 100),
        SSEParserVector("unterminated id does not count", "id:1\ndata:x\n\nid:2\ndata:y\n", [message("x", id: "1")],
                        lastEventId: "1"),
    ]
}
