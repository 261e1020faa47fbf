/// Spec-exact, incremental parser of `text/event-stream` bytes: WHATWG HTML, "Server-sent events",
/// §9.2.6 "Interpreting an event stream", with the dispatch steps a web browser uses.
///
/// Line splitting works on bytes; each line is decoded as UTF-8 with U+FFFD for invalid sequences. This gives
/// exactly the spec's "decode the stream, then split into lines": CR and LF are ASCII and never part of a
/// multi-byte sequence, so an invalid sequence cannot straddle a line break.
///
/// Memory guard (not in the spec): a line longer than 16 MiB is dropped without being buffered, and so is an
/// event whose data grows past 16 MiB. Dropping a line part-way could silently change an event, so unless the
/// dropped line is a comment, the whole event it belongs to is discarded at its blank line (an `id` or `retry`
/// on a line that was kept still takes effect, as they would for a browser).
public struct EventStreamParser: Sendable {
    /// The longest line, and the largest event data, kept in memory (16 MiB).
    static let defaultByteLimit = 16 * 1024 * 1024

    /// The spec's "last event ID string" of the event source: set from the last-event-ID buffer at every blank
    /// line (even one that dispatches nothing), never reset by dispatch, so it stays at the latest `id` until an
    /// `id` field changes it (`id:` or a bare `id` line resets it to ""). This is the value to send as
    /// `Last-Event-ID` when reconnecting. An `id` in a block whose blank line never arrived does not count.
    public private(set) var lastEventId: String = ""
    /// The last valid `retry` value in milliseconds, nil if none yet. Digits beyond `Int.max` saturate.
    public private(set) var reconnectionTime: Int?
    /// Events the memory guard dropped so far (each at its blank line), so a tool that must keep every event
    /// (`cuecast import`) can say so instead of losing one without a word.
    public private(set) var discardedEvents = 0

    private let byteLimit: Int
    /// The current, unterminated line.
    private var line: [UInt8] = []
    /// The current line passed `byteLimit`; its bytes are being skipped up to its line break.
    private var skippingLongLine = false
    private var skippedLineIsComment = false
    /// The last line ended with CR; an LF arriving next (maybe in the next chunk) belongs to the same break.
    private var lineEndedWithCR = false
    /// Bytes of a leading BOM matched so far (0...2), or nil once the start of the stream has been handled.
    private var bomBytesMatched: Int? = 0
    private var dataBuffer: [UInt8] = []
    private var eventTypeBuffer: [UInt8] = []
    private var lastEventIDBuffer: String = ""
    /// A line of the current block was dropped by the memory guard: do not dispatch the block.
    private var discardingEvent = false

    /// A parser at the start of a stream.
    public init() {
        self.init(byteLimit: Self.defaultByteLimit)
    }

    /// A parser whose last event ID starts at `id`, as if an earlier stream had ended with it: an event source
    /// created to resume from an id it already has. An id no `id` field could carry (CR, LF, NUL) is ignored.
    public init(lastEventId id: String) {
        self.init()
        guard (try? SSEEvent.validateID(id)) != nil else { return }
        lastEventId = id
        lastEventIDBuffer = id
    }

    /// A parser with a smaller memory guard, so tests can exercise it cheaply.
    init(byteLimit: Int) {
        precondition(byteLimit > 0, "the byte limit must be positive")
        self.byteLimit = byteLimit
    }

    /// Feed the next chunk of bytes exactly as read from the network (chunks may split anywhere, including
    /// between CR and LF and inside a UTF-8 sequence or the BOM). Returns what the complete lines produced.
    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) -> [SSEParserOutput] where Bytes.Element == UInt8 {
        var outputs: [SSEParserOutput] = []
        let handled: Void? = bytes.withContiguousStorageIfAvailable { consume($0, into: &outputs) }
        if handled == nil {
            Array(bytes).withUnsafeBufferPointer { consume($0, into: &outputs) }
        }
        return outputs
    }

    /// The stream ended. Per the spec ("once the end of the file is reached, any pending data must be
    /// discarded") an unterminated final event is discarded, and so is an unterminated final line, even a
    /// `retry` or comment: nothing is dispatched, so the result is always empty.
    ///
    /// The parser is then ready for the next connection, as an `EventSource` is when it reconnects: a BOM is
    /// expected again and all buffers are empty, but `lastEventId` and `reconnectionTime` are kept, and
    /// events on the new stream carry that `lastEventId` until an `id` field changes it (WPT
    /// `format-field-id-2`).
    public mutating func finish() -> [SSEParserOutput] {
        line.removeAll()
        skippingLongLine = false
        skippedLineIsComment = false
        lineEndedWithCR = false
        bomBytesMatched = 0
        dataBuffer.removeAll()
        eventTypeBuffer.removeAll()
        discardingEvent = false
        lastEventIDBuffer = lastEventId
        return []
    }

    // MARK: - Bytes to lines

    private mutating func consume(_ input: UnsafeBufferPointer<UInt8>, into outputs: inout [SSEParserOutput]) {
        var index = 0
        // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
        while let matched = bomBytesMatched, index < input.count {
            if input[index] == SSEBytes.bom[matched] {
                index += 1
                bomBytesMatched = matched == 2 ? nil : matched + 1
            } else {
                // Not a BOM after all: the bytes matched so far are ordinary content (neither is CR or LF).
                bomBytesMatched = nil
                SSEBytes.bom.withUnsafeBufferPointer { appendToLine(UnsafeBufferPointer(rebasing: $0[0..<matched])) }
            }
        }
        while index < input.count {
            if lineEndedWithCR {
                lineEndedWithCR = false
                if input[index] == SSEBytes.lf {
                    index += 1
                    continue
                }
            }
            var end = index
            while end < input.count, !SSEBytes.isLineBreak(input[end]) { end += 1 }
            appendToLine(UnsafeBufferPointer(rebasing: input[index..<end]))
            guard end < input.count else { return }
            lineEndedWithCR = input[end] == SSEBytes.cr
            index = end + 1
            endLine(into: &outputs)
        }
    }

    private mutating func appendToLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty, !skippingLongLine else { return }
        if line.count + bytes.count > byteLimit {
            skippingLongLine = true
            skippedLineIsComment = (line.first ?? bytes[0]) == SSEBytes.colon
            line = []
        } else {
            line.append(contentsOf: bytes)
        }
    }

    private mutating func endLine(into outputs: inout [SSEParserOutput]) {
        if skippingLongLine {
            skippingLongLine = false
            if !skippedLineIsComment { discardingEvent = true }
            return
        }
        processLine(line[...], into: &outputs)
        // Keep an ordinary line's storage for the next one, but give back what a huge line took.
        line.removeAll(keepingCapacity: line.capacity <= 64 * 1024)
    }

    // MARK: - Lines to events (§9.2.6)

    private mutating func processLine(_ line: ArraySlice<UInt8>, into outputs: inout [SSEParserOutput]) {
        guard let first = line.first else {
            dispatch(into: &outputs)
            return
        }
        if first == SSEBytes.colon {
            outputs.append(.comment(Self.decode(Self.removingOneLeadingSpace(line.dropFirst()))))
            return
        }
        if let colon = line.firstIndex(of: SSEBytes.colon) {
            let value = Self.removingOneLeadingSpace(line[(colon + 1)...])
            processField(name: line[..<colon], value: value, into: &outputs)
        } else {
            processField(name: line, value: [], into: &outputs)
        }
    }

    /// Field names are compared literally, with no case folding.
    private mutating func processField(name: ArraySlice<UInt8>, value: ArraySlice<UInt8>,
                                       into outputs: inout [SSEParserOutput]) {
        if name.elementsEqual("data".utf8) {
            guard !discardingEvent else { return }
            if dataBuffer.count + value.count + 1 > byteLimit {
                discardingEvent = true
                dataBuffer = []
                return
            }
            dataBuffer.append(contentsOf: value)
            dataBuffer.append(SSEBytes.lf)
        } else if name.elementsEqual("event".utf8) {
            eventTypeBuffer = Array(value)
        } else if name.elementsEqual("id".utf8) {
            if !value.contains(SSEBytes.nul) {
                lastEventIDBuffer = Self.decode(value)
            }
        } else if name.elementsEqual("retry".utf8) {
            if let milliseconds = Self.parseDigits(value) {
                reconnectionTime = milliseconds
                outputs.append(.retry(milliseconds))
            }
        }
    }

    /// The browser dispatch steps.
    private mutating func dispatch(into outputs: inout [SSEParserOutput]) {
        // 1. The last event ID string takes the buffer's value; the buffer itself is not reset.
        lastEventId = lastEventIDBuffer
        defer {
            // 2. and 7. Reset the data and event type buffers (whether or not anything was dispatched).
            dataBuffer.removeAll(keepingCapacity: dataBuffer.capacity <= 64 * 1024)
            eventTypeBuffer.removeAll(keepingCapacity: true)
            discardingEvent = false
        }
        if discardingEvent { discardedEvents += 1 }
        // 2. Nothing to dispatch when the data buffer is empty.
        guard !dataBuffer.isEmpty, !discardingEvent else { return }
        // 3. Remove the one LF that the last data line appended.
        if dataBuffer.last == SSEBytes.lf { dataBuffer.removeLast() }
        // 5. and 6. Type "message" unless the event type buffer is non-empty.
        let type = eventTypeBuffer.isEmpty ? "message" : Self.decode(eventTypeBuffer[...])
        outputs.append(.event(ParsedEvent(type: type, data: Self.decode(dataBuffer[...]), lastEventId: lastEventId)))
    }

    // MARK: - Helpers

    private static func removingOneLeadingSpace(_ value: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        value.first == SSEBytes.space ? value.dropFirst() : value
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// "If the field value consists of only ASCII digits, then interpret the field value as an integer in base
    /// ten": non-empty, `0`-`9` only (no sign, no spaces, no other scripts' digits). Saturates at `Int.max`.
    private static func parseDigits(_ value: ArraySlice<UInt8>) -> Int? {
        guard !value.isEmpty else { return nil }
        var result = 0
        for byte in value {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (shifted, overflowA) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - 0x30))
            result = overflowA || overflowB ? Int.max : sum
        }
        return result
    }
}
