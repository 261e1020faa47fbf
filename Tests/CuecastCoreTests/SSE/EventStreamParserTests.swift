import Testing
@testable import CuecastCore

struct EventStreamParserTests {
    private let message = { (data: String, id: String) in SSETest.message(data, id: id) }

    // MARK: Resuming

    /// A parser made to resume from an id starts with it as its last event ID: an event without an `id` field
    /// carries it, a leading space survives, and an id no `id` field could carry is ignored.
    @Test func startingFromALastEventID() {
        var parser = EventStreamParser(lastEventId: " 41")
        #expect(parser.lastEventId == " 41")
        #expect(parser.feed(SSETest.bytes("data:a\n\n")) == [SSETest.message("a", id: " 41")])
        #expect(parser.feed(SSETest.bytes("id:42\ndata:b\n\n")) == [SSETest.message("b", id: "42")])

        let refused = EventStreamParser(lastEventId: "4\n2")
        #expect(refused.lastEventId == "")
    }

    // MARK: Line breaks and chunk boundaries

    /// A CR at the end of one chunk and an LF at the start of the next are ONE line break. Counted as two, the
    /// LF would be a blank line dispatching "a" on its own.
    @Test func crAndLFInSeparateChunksAreOneBreak() {
        var parser = EventStreamParser()
        #expect(parser.feed(SSETest.bytes("data:a\r")).isEmpty)
        #expect(parser.feed(SSETest.bytes("\n")).isEmpty)
        #expect(parser.feed(SSETest.bytes("data:b\r")).isEmpty)
        #expect(parser.feed(SSETest.bytes("\n\r")) == [SSETest.message("a\nb")])
    }

    /// A lone CR ends its line at once: the parser does not hold a line back waiting to see whether an LF
    /// follows, so an event ending in CR CR is dispatched without further input.
    @Test func lineEndingInCRIsProcessedImmediately() {
        var parser = EventStreamParser()
        #expect(parser.feed(SSETest.bytes("retry:7\r")) == [.retry(7)])
        #expect(parser.feed(SSETest.bytes("data:x\r\r")) == [SSETest.message("x")])
        #expect(parser.feed(SSETest.bytes("\n")).isEmpty)
    }

    @Test func multiByteCharacterSplitAtEveryByte() {
        let stream = SSETest.bytes("event:é\ndata:😀€\n\n")
        for offset in 0...stream.count {
            var parser = EventStreamParser()
            let outputs = parser.feed(stream[..<offset]) + parser.feed(stream[offset...])
            #expect(outputs == [SSETest.message("😀€", type: "é")], "split at \(offset)")
        }
    }

    @Test func bomSplitAcrossChunks() {
        var parser = EventStreamParser()
        #expect(parser.feed([0xEF]).isEmpty)
        #expect(parser.feed([0xBB]).isEmpty)
        #expect(parser.feed([0xBF]).isEmpty)
        #expect(parser.feed(SSETest.bytes("data:1\n\n")) == [SSETest.message("1")])
        // Past the start, a BOM is content: the field name becomes "\u{FEFF}data".
        #expect(parser.feed([0xEF, 0xBB, 0xBF] + SSETest.bytes("data:2\n\n")).isEmpty)
    }

    /// Empty chunks anywhere change nothing (a BOM check in progress must survive them too).
    @Test func emptyChunksAreHarmless() {
        var parser = EventStreamParser()
        var outputs: [SSEParserOutput] = []
        for chunk: [UInt8] in [[], [0xEF], [], [0xBB, 0xBF], [], SSETest.bytes("data:x\r"), [], [0x0A], [], [0x0A]] {
            outputs += parser.feed(chunk)
        }
        #expect(outputs == [SSETest.message("x")])
    }

    // MARK: Last event ID

    @Test func lastEventIdIsStickyAcrossEvents() {
        var parser = EventStreamParser()
        #expect(parser.lastEventId == "")
        #expect(parser.feed(SSETest.bytes("id: 1\ndata: a\n\n")) == [message("a", "1")])
        #expect(parser.lastEventId == "1")
        #expect(parser.feed(SSETest.bytes("data: b\n\n")) == [message("b", "1")])
        #expect(parser.feed(SSETest.bytes("event: e\ndata: c\n\n")) == [SSETest.message("c", type: "e", id: "1")])
        #expect(parser.lastEventId == "1")
    }

    @Test(arguments: ["id:\n", "id\n", "id: \n"])
    func emptyIDLineResetsLastEventId(line: String) {
        var parser = EventStreamParser()
        _ = parser.feed(SSETest.bytes("id: 1\ndata: a\n\n"))
        #expect(parser.feed(SSETest.bytes(line + "data: b\n\n")) == [message("b", "")])
        #expect(parser.lastEventId == "")
        #expect(parser.feed(SSETest.bytes("data: c\n\n")) == [message("c", "")])
    }

    /// The last event ID string is set at the blank line (dispatch step 1), even when no event is dispatched,
    /// and not before.
    @Test func lastEventIdChangesAtTheBlankLine() {
        var parser = EventStreamParser()
        #expect(parser.feed(SSETest.bytes("id: 5\n")).isEmpty)
        #expect(parser.lastEventId == "")
        #expect(parser.feed(SSETest.bytes("\n")).isEmpty)
        #expect(parser.lastEventId == "5")
    }

    // MARK: End of stream and reconnection

    @Test func unterminatedFinalEventIsNotDispatched() {
        var parser = EventStreamParser()
        #expect(parser.feed(SSETest.bytes("id: a\ndata: x\n\nid: b\nevent: t\ndata: y\n")) == [message("x", "a")])
        #expect(parser.finish().isEmpty)
        // The pending id never reached a blank line, so it does not count.
        #expect(parser.lastEventId == "a")
    }

    @Test func finishDiscardsAPartialLineAndStartsANewStream() {
        var parser = EventStreamParser()
        _ = parser.feed(SSETest.bytes("retry: 250\nid: 3\n\ndata: pending\nevent: t\ndata: half-a-li"))
        #expect(parser.finish().isEmpty)
        #expect(parser.lastEventId == "3")
        #expect(parser.reconnectionTime == 250)
        // The next stream starts clean: no leftover line ("ne" is a field of its own, not the end of
        // "data: half-a-li"), data or type; its events carry the kept last event ID.
        #expect(parser.feed(SSETest.bytes("ne\n\ndata: fresh\n\n")) == [message("fresh", "3")])
        #expect(parser.finish().isEmpty)
        #expect(parser.finish().isEmpty)
    }

    /// Each stream may open with its own BOM: after `finish()` one is stripped again (WPT format-bom, per
    /// connection).
    @Test func finishExpectsABOMAgain() {
        var parser = EventStreamParser()
        let stream: [UInt8] = [0xEF, 0xBB, 0xBF] + SSETest.bytes("data: x\n\n")
        #expect(parser.feed(stream) + parser.finish() == [SSETest.message("x")])
        #expect(parser.feed(stream[..<2]) + parser.feed(stream[2...]) == [SSETest.message("x")])
        #expect(parser.finish().isEmpty)
    }

    /// WPT format-data-before-final-empty-line.htm, both connections: after the stream ends without its final
    /// blank line the client reconnects and gets the same body again; the re-sent "test1" must still have an
    /// empty lastEventId, because "id:test" never reached a blank line.
    @Test func wptDataBeforeFinalEmptyLineAcrossReconnection() {
        let body = SSETest.bytes("retry:1000\ndata:test1\n\nid:test\ndata:test2\n")
        var parser = EventStreamParser()
        var outputs = parser.feed(body) + parser.finish()
        outputs += parser.feed(body) + parser.finish()
        #expect(outputs == [.retry(1000), message("test1", ""), .retry(1000), message("test1", "")])
        #expect(parser.lastEventId == "")
    }

    /// WPT format-field-id-2.htm: resources/last-event-id.py sends an id on the first connection and, on the
    /// next ones, echoes Last-Event-ID as data without an id field; the events still carry the id.
    @Test func wptLastEventIdSurvivesReconnections() {
        var parser = EventStreamParser()
        var outputs = parser.feed(SSETest.bytes("id: …\nretry: 200\ndata: hello\n\n")) + parser.finish()
        for _ in 0..<2 {
            let lastEventIDHeader = parser.lastEventId
            outputs += parser.feed(SSETest.bytes("data: \(lastEventIDHeader)\n\n")) + parser.finish()
        }
        #expect(outputs == [.retry(200), message("hello", "…"), message("…", "…"), message("…", "…")])
    }

    // MARK: Retry

    @Test func reconnectionTimeFollowsValidRetryFields() {
        var parser = EventStreamParser()
        #expect(parser.reconnectionTime == nil)
        #expect(parser.feed(SSETest.bytes("retry: 3000\n")) == [.retry(3000)])
        #expect(parser.feed(SSETest.bytes("retry: soon\nretry:\n")).isEmpty)
        #expect(parser.reconnectionTime == 3000)
        #expect(parser.feed(SSETest.bytes("retry:0042\n")) == [.retry(42)])
        #expect(parser.reconnectionTime == 42)
    }

    // MARK: Memory guard

    /// A data line longer than the limit is dropped, and with it the whole event; the stream carries on.
    @Test func overlongDataLineDropsItsEvent() {
        let stream = SSETest.bytes("data:short\n\ndata:" + String(repeating: "y", count: 40) + "\nid: 9\n\ndata:next\n\n")
        let expected = [SSETest.message("short"), message("next", "9")]
        #expect(SSETest.parse(stream, byteLimit: 16).outputs == expected)
        #expect(SSETest.parse(chunks: stream.map { [$0] }, byteLimit: 16).outputs == expected)
    }

    @Test func lineExactlyAtTheLimitIsKept() {
        let line = "data:" + String(repeating: "z", count: 11)  // 16 bytes
        #expect(SSETest.parse(SSETest.bytes(line + "\n\n"), byteLimit: 16).outputs == [SSETest.message(String(repeating: "z", count: 11))])
        #expect(SSETest.parse(SSETest.bytes(line + "z\n\n"), byteLimit: 16).outputs.isEmpty)
    }

    /// An overlong line after data that was already buffered still drops the event (whatever the field).
    @Test(arguments: ["data:", "event:", "id:", "unknown:"])
    func overlongLineLaterInTheEventDropsIt(field: String) {
        let stream = SSETest.bytes("data:a\n" + field + String(repeating: "y", count: 40) + "\ndata:b\n\ndata:c\n\n")
        #expect(SSETest.parse(stream, byteLimit: 16).outputs == [SSETest.message("c")])
        #expect(SSETest.parse(chunks: stream.map { [$0] }, byteLimit: 16).outputs == [SSETest.message("c")])
    }

    /// An overlong comment is dropped on its own; the event around it is not affected.
    @Test func overlongCommentIsDroppedAlone() {
        let stream = SSETest.bytes("data:a\n:" + String(repeating: "c", count: 40) + "\ndata:b\n\n")
        #expect(SSETest.parse(stream, byteLimit: 16).outputs == [SSETest.message("a\nb")])
        #expect(SSETest.parse(chunks: stream.map { [$0] }, byteLimit: 16).outputs == [SSETest.message("a\nb")])
    }

    /// Many short data lines cannot grow one event past the limit either.
    @Test func overlongEventDataIsDropped() {
        let stream = SSETest.bytes(String(repeating: "data:12345\n", count: 4) + "\ndata:ok\n\n")
        #expect(SSETest.parse(stream, byteLimit: 16).outputs == [SSETest.message("ok")])
        #expect(SSETest.parse(SSETest.bytes("data:1234\ndata:12345\n\n"), byteLimit: 16).outputs
            == [SSETest.message("1234\n12345")])
    }

    @Test func defaultLimitIsSixteenMebibytes() {
        #expect(EventStreamParser.defaultByteLimit == 16 * 1024 * 1024)
        let big = String(repeating: "b", count: 1 << 20)
        #expect(SSETest.parse(SSETest.bytes("data:" + big + "\n\n")).outputs == [SSETest.message(big)])
    }
}
