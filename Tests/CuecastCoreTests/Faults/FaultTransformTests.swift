import Testing
@testable import CuecastCore

/// The byte faults against the spec-exact parser: each leaves what a correct client dispatches as it was, except
/// where the specification says a cut loses an event.
struct FaultTransformTests {
    /// A stream with every kind of block: a welcome comment, retry, events with and without ids, a multi-line data,
    /// an event type, an empty data and the sentinel.
    static let stream: [UInt8] = {
        var bytes = Frame.preamble(welcome: "welcome", retry: 1500)
        let events = [
            try! SSEEvent(type: "tick", data: "one", id: "1"),
            try! SSEEvent(data: "two\nlines"),
            try! SSEEvent(type: "tock", data: "", id: "3"),
        ]
        for (index, event) in events.enumerated() {
            if index == 1 { EventEncoder.encodeComment("between", into: &bytes) }
            EventEncoder.encode(event, into: &bytes)
        }
        EventEncoder.encode(try! SSEEvent(data: "", id: "-1"), into: &bytes)
        return bytes
    }()

    static func faults(_ change: (inout StreamFaults) -> Void) -> StreamFaults {
        var faults = StreamFaults()
        change(&faults)
        return faults
    }

    /// Runs the stream through a transform in chunks of `chunk` bytes; the output and what the transform said last.
    static func run(_ faults: StreamFaults, chunk: Int = 7) -> (bytes: [UInt8], after: FaultTransform.After, events: Int) {
        var transform = FaultTransform(faults)
        var output: [UInt8] = []
        var last = FaultTransform.After.continue
        var start = 0
        while start < stream.count {
            let (bytes, after) = transform.apply(stream[start..<min(start + chunk, stream.count)])
            output += bytes
            if after != .continue { last = after }
            start += chunk
        }
        return (output, last, transform.events)
    }

    static var clean: SSETest.Result { SSETest.parse(stream) }

    @Test("no fault: the bytes are untouched")
    func identity() {
        #expect(Self.run(StreamFaults()).bytes == Self.stream)
    }

    @Test("CRLF and CR line ends, and a byte order mark, dispatch the same events", arguments: StreamFaults.LineEnding.allCases)
    func lineEnds(ending: StreamFaults.LineEnding) {
        for bom in [false, true] {
            let faults = Self.faults {
                $0.lineEnding = ending
                $0.byteOrderMark = bom
            }
            let output = Self.run(faults).bytes
            #expect(output.starts(with: [0xEF, 0xBB, 0xBF]) == bom)
            #expect(output.contains(0x0A) == (ending != .cr))
            #expect(output.contains(0x0D) == (ending != .lf))
            // Byte by byte too: a CR at the end of one read and its LF in the next is one line break.
            #expect(SSETest.parse(output) == Self.clean)
            #expect(SSETest.parse(chunks: output.map { [$0] }) == Self.clean)
        }
    }

    @Test("junk lines: unknown fields, a colon-less line, Data, retry with a letter, an id with NUL, a data-less event type")
    func junk() {
        let output = Self.run(Self.faults { $0.junk = true }).bytes
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains("junk line without a colon\n"))
        #expect(text.contains("id: nul\u{0}id\n"))
        #expect(text.contains("event: ghost\n"))
        #expect(SSETest.parse(output) == Self.clean)
    }

    @Test("closeAfter: everything up to the N-th event, then close")
    func closeAfter() {
        let (bytes, after, events) = Self.run(Self.faults { $0.closeAfter = 2 })
        #expect(after == .close)
        #expect(events == 2)
        let dispatched = SSETest.parse(bytes).outputs.filter(Self.isEvent)
        #expect(dispatched == Array(Self.clean.outputs.filter(Self.isEvent).prefix(2)))
    }

    @Test("closeMidEvent: the N-th event without its blank line is lost, and so is its id")
    func closeMidEvent() {
        let (bytes, after, _) = Self.run(Self.faults { $0.closeMidEvent = 3 })
        #expect(after == .close)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("id: 3\nevent: tock\ndata:\n"))
        let result = SSETest.parse(bytes)
        #expect(result.outputs.filter(Self.isEvent) == Array(Self.clean.outputs.filter(Self.isEvent).prefix(2)))
        // The reconnection sends the id of the last event dispatched, not the cut one's.
        #expect(result.lastEventId == "1")
    }

    @Test("stallAfter: everything up to the N-th event, then nothing, even the sentinel")
    func stallAfter() {
        let (bytes, after, _) = Self.run(Self.faults { $0.stallAfter = 1 })
        #expect(after == .stall)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasSuffix("data: one\n\n"))
        #expect(!text.contains("between"))
    }

    @Test("faults together: junk, CR, BOM and a cut in the middle of the 2nd event, fed a byte at a time")
    func together() {
        let faults = Self.faults {
            $0.junk = true
            $0.lineEnding = .cr
            $0.byteOrderMark = true
            $0.closeMidEvent = 2
        }
        let (bytes, after, _) = Self.run(faults, chunk: 1)
        #expect(after == .close)
        let result = SSETest.parse(chunks: bytes.map { [$0] })
        #expect(result.outputs.filter(Self.isEvent) == Array(Self.clean.outputs.filter(Self.isEvent).prefix(1)))
        #expect(result.lastEventId == "1")
    }

    @Test("blocks with a data line are events; comments, retry and id-only blocks are not")
    func counting() {
        #expect(FaultTransform.dispatches(ArraySlice(SSETest.bytes("data\n\n"))))
        #expect(FaultTransform.dispatches(ArraySlice(SSETest.bytes("id: 1\ndata: x\n\n"))))
        #expect(!FaultTransform.dispatches(ArraySlice(SSETest.bytes(": data: no\n\n"))))
        #expect(!FaultTransform.dispatches(ArraySlice(SSETest.bytes("retry: 5\n\n"))))
        #expect(!FaultTransform.dispatches(ArraySlice(SSETest.bytes("dataset: 5\n\n"))))
    }

    static func isEvent(_ output: SSEParserOutput) -> Bool {
        if case .event = output { return true }
        return false
    }
}
