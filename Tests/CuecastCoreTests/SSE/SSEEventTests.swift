import Testing
@testable import CuecastCore

struct SSEEventTests {
    @Test(arguments: ["a\nb", "a\rb", "a\r\nb", "\n", "trailing\r"])
    func eventTypeWithLineBreakIsRefused(type: String) throws {
        let error = #expect(throws: SSEFieldError.self) { try SSEEvent(type: type, data: "x") }
        #expect(error?.field == .event)
        #expect(error?.reason == "an event name cannot contain a line break (CR or LF)")
        #expect(error?.description == "invalid event: an event name cannot contain a line break (CR or LF)")
    }

    @Test(arguments: ["a\nb", "a\rb", "1\r\n", "\n"])
    func idWithLineBreakIsRefused(id: String) throws {
        let error = #expect(throws: SSEFieldError.self) { try SSEEvent(data: "x", id: id) }
        #expect(error?.field == .id)
        #expect(error?.description.hasPrefix("invalid id: ") == true)
        #expect(error?.reason.contains("line break") == true)
    }

    @Test(arguments: ["\0", "a\0", "\0b", "a\0b"])
    func idWithNULIsRefused(id: String) throws {
        let error = #expect(throws: SSEFieldError.self) { try SSEEvent(data: "x", id: id) }
        #expect(error?.field == .id)
        #expect(error?.reason.contains("NUL") == true)
    }

    @Test(arguments: [-1, Int.min])
    func negativeRetryIsRefused(retry: Int) throws {
        let error = #expect(throws: SSEFieldError.self) { try SSEEvent(retry: retry) }
        #expect(error?.field == .retry)
        #expect(error?.description == "invalid retry: a reconnection time cannot be negative (got \(retry) ms)")
    }

    @Test func staticValidatorsMatchTheInitializer() {
        #expect(throws: SSEFieldError.eventLineBreak) { try SSEEvent.validateType("a\nb") }
        #expect(throws: SSEFieldError.idLineBreak) { try SSEEvent.validateID("a\rb") }
        #expect(throws: SSEFieldError.idNUL) { try SSEEvent.validateID("a\0b") }
        #expect(throws: SSEFieldError.negativeRetry(-5)) { try SSEEvent.validateRetry(-5) }
        #expect(throws: Never.self) {
            try SSEEvent.validateType("x")
            try SSEEvent.validateID("x")
            try SSEEvent.validateRetry(0)
        }
    }

    @Test func typeIsCheckedBeforeIDAndRetry() {
        let error = #expect(throws: SSEFieldError.self) { try SSEEvent(type: "\n", id: "\n", retry: -1) }
        #expect(error?.field == .event)
        let second = #expect(throws: SSEFieldError.self) { try SSEEvent(type: "ok", id: "\0", retry: -1) }
        #expect(second?.field == .id)
    }

    /// What the format can carry is accepted unchanged: NUL in a type or data, colons and spaces anywhere,
    /// any line breaks in data, empty strings, zero retry.
    @Test func acceptedValuesAreStoredUnchanged() throws {
        let event = try SSEEvent(type: " a:b\0", data: "x\r\ny\rz\n\0", id: ": 1 €", retry: 0)
        #expect(event.type == " a:b\0")
        #expect(event.data == "x\r\ny\rz\n\0")
        #expect(event.id == ": 1 €")
        #expect(event.retry == 0)

        let empty = try SSEEvent(type: "", data: "", id: "")
        #expect(empty.type == "" && empty.data == "" && empty.id == "" && empty.retry == nil)

        let none = try SSEEvent()
        #expect(none.type == nil && none.data == nil && none.id == nil && none.retry == nil)
    }

    @Test func equalFieldsMakeEqualEvents() throws {
        let a = try SSEEvent(type: "t", data: "d", id: "1", retry: 5)
        let b = try SSEEvent(type: "t", data: "d", id: "1", retry: 5)
        let c = try SSEEvent(type: "t", data: "d", id: "2", retry: 5)
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        // nil and "" are different events on the wire.
        #expect(try SSEEvent(data: "") != SSEEvent(data: nil))
    }
}
