import Testing

@testable import CuecastClient

/// Which `Content-Type` values open a stream: essence `text/event-stream` (any case, parameters allowed, WPT
/// `format-mime-*`), and no charset other than UTF-8 (Chromium).
struct ContentTypeTests {
    @Test("accepted", arguments: [
        "text/event-stream",
        "TEXT/Event-Stream",
        "text/event-stream;",  // WPT format-mime-trailing-semicolon
        "text/event-stream; charset=utf-8",
        "text/event-stream;charset=UTF-8",
        "text/event-stream; charset=\"utf-8\"",
        " text/event-stream ; foo=bar",
        "text/event-stream; x=\"a;b,c\"; charset=utf-8",
    ])
    func accepted(value: String) {
        #expect(EventStreamContentType.isAcceptable([value]))
    }

    @Test("refused", arguments: [
        "text/plain",
        "text/x-bogus",  // WPT format-mime-valid-bogus
        "x bogus",  // WPT format-mime-bogus
        "text/event-stream-foobar",
        "text/event-streams",
        "text/event-stream; charset=windows-1251",  // Chromium: not UTF-8
        "text/event-stream; charset=iso-8859-1",
        "application/json",
        "",
        "event-stream",
    ])
    func refused(value: String) {
        #expect(!EventStreamContentType.isAcceptable([value]))
    }

    @Test("no Content-Type at all is refused; of several values the last valid one counts")
    func severalValues() {
        #expect(!EventStreamContentType.isAcceptable([]))
        #expect(EventStreamContentType.isAcceptable(["text/html", "text/event-stream"]))
        #expect(!EventStreamContentType.isAcceptable(["text/event-stream", "text/html"]))
        #expect(EventStreamContentType.isAcceptable(["text/html, text/event-stream"]))
    }
}
