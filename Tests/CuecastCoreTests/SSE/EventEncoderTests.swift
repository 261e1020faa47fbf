import Testing
@testable import CuecastCore

struct EventEncoderTests {
    /// Encodes and returns the bytes as a string, for readable exact comparisons (the encoder only ever
    /// writes valid UTF-8, checked separately below).
    private func wire(_ event: SSEEvent) -> String {
        String(decoding: EventEncoder.encode(event), as: UTF8.self)
    }

    private func wireComment(_ text: String) -> String {
        String(decoding: EventEncoder.encodeComment(text), as: UTF8.self)
    }

    @Test func dataOnly() throws {
        #expect(wire(try SSEEvent(data: "hello")) == "data: hello\n\n")
    }

    @Test func fieldOrderIsIDEventRetryData() throws {
        let event = try SSEEvent(type: "tick", data: "1\n2", id: "42", retry: 1500)
        #expect(wire(event) == "id: 42\nevent: tick\nretry: 1500\ndata: 1\ndata: 2\n\n")
    }

    /// The classic end sentinel, byte for byte.
    @Test func endSentinel() throws {
        let bytes = EventEncoder.encode(try SSEEvent(data: "", id: "-1"))
        #expect(bytes == SSETest.bytes("id: -1\ndata:\n\n"))
    }

    @Test func emptyValuesHaveNoTrailingSpace() throws {
        #expect(wire(try SSEEvent(data: "")) == "data:\n\n")
        #expect(wire(try SSEEvent(id: "")) == "id:\n\n")
        #expect(wire(try SSEEvent(type: "", data: "x")) == "event:\ndata: x\n\n")
    }

    @Test(arguments: [
        ("a\r\nb", "data: a\ndata: b\n"),
        ("a\nb", "data: a\ndata: b\n"),
        ("a\rb", "data: a\ndata: b\n"),
        ("a\n", "data: a\ndata:\n"),
        ("\n", "data:\ndata:\n"),
        ("\r\n", "data:\ndata:\n"),
        ("\r", "data:\ndata:\n"),
        // LF then CR is two breaks; CR then CRLF is two breaks.
        ("a\n\rb", "data: a\ndata:\ndata: b\n"),
        ("a\r\r\nb", "data: a\ndata:\ndata: b\n"),
        ("a\n\nb", "data: a\ndata:\ndata: b\n"),
        ("\r\n\r\n", "data:\ndata:\ndata:\n"),
    ])
    func dataIsSplitOnCRLFAndLFAndCR(data: String, expectedLines: String) throws {
        #expect(wire(try SSEEvent(data: data)) == expectedLines + "\n")
    }

    /// One space follows every colon, so a parser that removes one leading space gives the value back.
    @Test func leadingSpacesAndColonsSurvive() throws {
        #expect(wire(try SSEEvent(type: " t", data: " x\n  y", id: " 1")) == "id:  1\nevent:  t\ndata:  x\ndata:   y\n\n")
        #expect(wire(try SSEEvent(data: ":x: y")) == "data: :x: y\n\n")
    }

    @Test func retryValues() throws {
        #expect(wire(try SSEEvent(retry: 0)) == "retry: 0\n\n")
        #expect(wire(try SSEEvent(retry: 7)) == "retry: 7\n\n")
        #expect(wire(try SSEEvent(retry: Int.max)) == "retry: 9223372036854775807\n\n")
    }

    /// The chosen encoding of an event with no fields: a lone blank line, which a client reads as
    /// "nothing to dispatch" (and which ends any block a previous writer left open).
    @Test func eventWithNoFieldsIsABlankLine() throws {
        #expect(EventEncoder.encode(try SSEEvent()) == [0x0A])
    }

    @Test func nonASCIIIsWrittenAsUTF8() throws {
        let bytes = EventEncoder.encode(try SSEEvent(type: "é", data: "€😀", id: "ü"))
        #expect(bytes == [0x69, 0x64, 0x3A, 0x20, 0xC3, 0xBC, 0x0A]
            + SSETest.bytes("event: ") + [0xC3, 0xA9, 0x0A]
            + SSETest.bytes("data: ") + [0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x0A, 0x0A])
    }

    @Test func neverStartsWithABOM() throws {
        let events = [try SSEEvent(data: "\u{FEFF}x"), try SSEEvent(type: "\u{FEFF}", data: "x", id: "\u{FEFF}"), try SSEEvent()]
        for event in events {
            #expect(!EventEncoder.encode(event).starts(with: [0xEF, 0xBB, 0xBF]))
        }
        #expect(!EventEncoder.encodeComment("\u{FEFF}hi").starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(EventEncoder.encode(try SSEEvent(data: "\u{FEFF}x")) == SSETest.bytes("data: \u{FEFF}x\n\n"))
    }

    @Test func encodeIntoAppendsAndMatchesEncode() throws {
        let first = try SSEEvent(type: "a", data: "1\r\n2", id: "9", retry: 10)
        let second = try SSEEvent(data: "")
        var buffer: [UInt8] = [0x3A, 0x0A, 0x0A]
        EventEncoder.encode(first, into: &buffer)
        EventEncoder.encode(second, into: &buffer)
        EventEncoder.encodeComment("c", into: &buffer)
        #expect(buffer == [0x3A, 0x0A, 0x0A] + EventEncoder.encode(first) + EventEncoder.encode(second)
            + EventEncoder.encodeComment("c"))
    }

    @Test func sameInputGivesSameBytes() throws {
        let event = try SSEEvent(type: "t", data: "x\ny\r\nz", id: "1", retry: 3)
        let copy = try SSEEvent(type: "t", data: "x\ny\r\nz", id: "1", retry: 3)
        #expect(EventEncoder.encode(event) == EventEncoder.encode(copy))
        #expect(EventEncoder.encode(event) == EventEncoder.encode(event))
    }

    // MARK: Comments

    @Test(arguments: [
        ("hello", ": hello\n\n"),
        ("", ":\n\n"),
        (" padded", ":  padded\n\n"),
        ("a\nb", ": a\n: b\n\n"),
        ("a\r\nb\rc", ": a\n: b\n: c\n\n"),
        ("a\n", ": a\n:\n\n"),
        ("a\n\r\nb", ": a\n:\n: b\n\n"),
        ("data: not an event", ": data: not an event\n\n"),
    ])
    func commentBlocks(text: String, expected: String) {
        #expect(wireComment(text) == expected)
    }

    /// A comment block read back gives one comment per line and dispatches nothing.
    @Test func commentsReadBackLineByLine() {
        let result = SSETest.parse(EventEncoder.encodeComment(" a\r\n\rb: c"))
        #expect(result.outputs == [.comment(" a"), .comment(""), .comment("b: c")])
    }
}
