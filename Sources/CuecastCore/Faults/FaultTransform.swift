/// The byte-level faults of one stream, applied to the encoder's bytes on their way to the wire.
///
/// Input is what ``EventEncoder`` writes: LF line ends, every block (event or comment) closed by a blank line. The
/// transform cuts it into those blocks, counts events (blocks with a `data` line, the ones a client dispatches),
/// and per ``StreamFaults``: adds ignorable lines, stops at the N-th event (close or stall), rewrites line ends
/// and puts a byte order mark first. It is a pure value, so each fault is tested without a server; the server
/// applies it in one place (`FaultyWire`).
public struct FaultTransform: Sendable {
    /// What the stream does once the bytes returned with it are written.
    public enum After: Sendable, Equatable {
        case `continue`
        /// End the response and close the connection.
        case close
        /// Keep the connection open and send nothing more.
        case stall
    }

    public let faults: StreamFaults
    /// Events passed so far (blocks with a `data` line).
    public private(set) var events = 0
    /// Bytes of a block whose blank line has not arrived yet.
    private var partial: [UInt8] = []
    private var wroteFirstByte = false
    /// Closed or stalled: everything after is swallowed.
    private var stopped = false

    public init(_ faults: StreamFaults) {
        self.faults = faults
    }

    /// A data-less block then, inside each event, lines a correct client ignores (WHATWG §9.2.6):
    /// - `event: ghost` in a block with no data: a blank line with an empty data buffer dispatches nothing and
    ///   resets the event type, so no event is ever called `ghost`;
    /// - a field no client knows, a line with no colon (a field named by the whole line, also unknown), and
    ///   `Data` (field names are case-sensitive);
    /// - `retry` with a non-digit (ignored, the reconnection time stays);
    /// - `id` with a NUL in it (ignored: the event keeps the id it had).
    /// The lines inside the event go after its own fields, so a client that takes the NUL id shows the wrong id.
    public static let junkBlock = bytes("event: ghost\nx-cuecast-junk: a block with no data: nothing to dispatch\n\n")
    public static let junkLines = bytes(
        "x-cuecast-junk: an unknown field: ignore it\njunk line without a colon\nData: field names are case-sensitive\nretry: 12x\nid: nul\u{0}id\n"
    )

    /// The bytes to write for `input`, and what to do after writing them.
    public mutating func apply<Bytes: Sequence>(_ input: Bytes) -> (bytes: [UInt8], after: After) where Bytes.Element == UInt8 {
        guard !stopped else { return ([], .continue) }
        partial.append(contentsOf: input)
        var output: [UInt8] = []
        var after = After.continue
        var blockStart = 0
        var lineStart = 0
        var index = 0
        while index < partial.count, after == .continue {
            if partial[index] == 0x0A {
                if index == lineStart {
                    after = pass(block: partial[blockStart...index], into: &output)
                    blockStart = index + 1
                }
                lineStart = index + 1
            }
            index += 1
        }
        if after == .continue {
            partial.removeFirst(blockStart)
        } else {
            stopped = true
            partial = []
        }
        return (finish(output), after)
    }

    /// One whole block (ending in its blank line) into `output`.
    private mutating func pass(block: ArraySlice<UInt8>, into output: inout [UInt8]) -> After {
        guard Self.dispatches(block) else {
            output.append(contentsOf: block)
            return .continue
        }
        let number = events + 1
        if faults.closeMidEvent == number {
            // Every line complete, only the blank line that would dispatch it missing: the nastiest cut, since a
            // client that dispatches at the end of the stream shows an event the specification says is lost.
            output.append(contentsOf: block.dropLast())
            return .close
        }
        if faults.junk {
            output.append(contentsOf: Self.junkBlock)
            output.append(contentsOf: block.dropLast())
            output.append(contentsOf: Self.junkLines)
            output.append(0x0A)
        } else {
            output.append(contentsOf: block)
        }
        events = number
        if faults.closeAfter == number { return .close }
        if faults.stallAfter == number { return .stall }
        return .continue
    }

    /// Line ends and the byte order mark, on bytes that are final.
    private mutating func finish(_ output: [UInt8]) -> [UInt8] {
        guard !output.isEmpty else { return output }
        var result: [UInt8] = []
        if !wroteFirstByte {
            wroteFirstByte = true
            if faults.byteOrderMark { result = SSEBytes.bom }
        }
        switch faults.lineEnding {
        case .lf:
            result.append(contentsOf: output)
        case .crlf, .cr:
            result.reserveCapacity(result.count + output.count + output.count / 8)
            for byte in output {
                if byte == 0x0A {
                    result.append(0x0D)
                    if faults.lineEnding == .crlf { result.append(0x0A) }
                } else {
                    result.append(byte)
                }
            }
        }
        return result
    }

    /// Whether a block holds a `data` line (`data` or `data:…`), so a client dispatches it.
    static func dispatches(_ block: ArraySlice<UInt8>) -> Bool {
        var lineStart = block.startIndex
        for index in block.indices where block[index] == 0x0A {
            let line = block[lineStart..<index]
            if line.starts(with: dataField), line.count == 4 || line[line.startIndex + 4] == SSEBytes.colon { return true }
            lineStart = index + 1
        }
        return false
    }

    private static let dataField = bytes("data")

    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
