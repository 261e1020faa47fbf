import CuecastCore
import Testing

/// Publish-request decoding, now in the core so the fuzzer reaches it without a server: each content type, the
/// refusals and their codes, and the wire event an accepted request becomes.
struct PublishFieldsTests {
    private func read(_ body: String, _ contentType: String?, query: [String: String] = [:]) throws(PublishFieldsError) -> PublishFields {
        try PublishFields(body: Array(body.utf8), contentType: contentType, query: query)
    }

    @Test func jsonBody() throws {
        let fields = try read(#"{"event": "greeting", "data": {"to": "you"}, "id": 7, "retry": 3000}"#, "application/json; charset=utf-8")
        #expect(fields.event == "greeting")
        #expect(fields.data == #"{"to":"you"}"#)
        #expect(fields.id == "7")
        #expect(fields.retry == 3000)
    }

    @Test func formBodyAndQuery() throws {
        let fields = try read("data=line+one%0Aline+two&id=9", " Application/X-WWW-Form-URLencoded ", query: ["event": "score", "id": "1"])
        #expect(fields == (try PublishFields(event: "score", data: "line one\nline two", id: "9")))
    }

    @Test func plainTextIsTheData() throws {
        let fields = try read("hello=world & more", "text/plain")
        #expect(fields.data == "hello=world & more")
        #expect(fields.event == nil && fields.id == nil && fields.retry == nil)
    }

    @Test(arguments: [
        (#"{"event": "a\nb"}"#, "application/json", "bad_event"),
        (#"{"event": "a\u0000b"}"#, "application/json", "bad_event"),
        (#"{"id": "a\rb"}"#, "application/json", "bad_id"),
        (#"{"retry": -1}"#, "application/json", "bad_retry"),
        (#"{"retry": 1.5}"#, "application/json", "bad_retry"),
        (#"{"dta": "x"}"#, "application/json", "unknown_field"),
        (#"["not", "an", "object"]"#, "application/json", "bad_json"),
        ("{\"data\": ", "application/json", "bad_json"),
        ("event=x&colour=red", "application/x-www-form-urlencoded", "unknown_field"),
        ("retry=soon", "application/x-www-form-urlencoded", "bad_retry"),
    ])
    func refusals(body: String, contentType: String, code: String) {
        #expect { try read(body, contentType) } throws: { ($0 as? PublishFieldsError)?.code == code }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: PublishFieldsError.self) { try PublishFields(body: [0x68, 0xFF], contentType: "text/plain", query: [:]) }
    }

    @Test func jsonErrorsSayWhere() {
        #expect { try read("{\n  \"data\": \"x\",\n  \"evnt\": \"y\"\n}", "application/json") } throws: { error in
            let error = error as? PublishFieldsError
            return error?.code == "unknown_field" && error?.field == "evnt" && error?.location == SourceLocation(line: 3, column: 3)
                && error?.message.contains("did you mean 'event'") == true
        }
    }

    /// The first bad field is the one reported, in the order event, id, retry.
    @Test func firstBadFieldWins() {
        #expect { try read(#"{"retry": -5, "id": "a\nb", "event": "c\nd"}"#, "application/json") } throws: {
            ($0 as? PublishFieldsError)?.code == "bad_event"
        }
    }

    /// An injection attempt in the data reads back as data: one event, the same fields, nothing added.
    @Test func dataCannotInjectFields() throws {
        let fields = try read("x\r\nid: 9\n\nevent: evil\ndata: injected", "text/plain")
        var parser = EventStreamParser()
        let outputs = parser.feed(EventEncoder.encode(fields.event(number: 5)))
        #expect(outputs == [.event(ParsedEvent(data: "x\nid: 9\n\nevent: evil\ndata: injected", lastEventId: "5"))])
    }
}
