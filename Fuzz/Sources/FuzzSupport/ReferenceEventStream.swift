import CuecastCore

/// A second, deliberately plain reading of WHATWG HTML §9.2.6 "Interpreting an event stream", written apart from
/// `EventStreamParser` so the fuzzer can compare the two on the same bytes.
///
/// Where the parser is incremental and works on bytes, this one reads a whole stream at once: it strips one
/// leading BOM, cuts the bytes into lines at CRLF, LF or CR (dropping the unterminated last line, as the spec
/// drops pending data at the end of the file), decodes each line with U+FFFD for invalid UTF-8, and applies
/// the field rules to Unicode scalars. Comments and applied `retry` values are reported too, as the parser
/// does. With a `limit`, it also applies the parser's documented memory guard: a line longer than `limit` bytes
/// is dropped (and, unless it is a comment, so is the event it belongs to), as is an event whose data would
/// pass `limit` bytes.
public struct ReferenceEventStream {
    public private(set) var outputs: [SSEParserOutput] = []
    public private(set) var lastEventId: String
    public private(set) var reconnectionTime: Int?

    private let limit: Int
    private var data = ""
    private var dataBytes = 0
    private var eventType = ""
    private var lastEventIdBuffer: String
    private var discarding = false

    public init(lastEventId: String = "", limit: Int = .max) {
        self.lastEventId = lastEventId
        self.lastEventIdBuffer = lastEventId
        self.limit = limit
    }

    /// Reads one whole stream, up to its end.
    public mutating func read(_ stream: [UInt8]) {
        var input = stream[...]
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input = input.dropFirst(3) }
        var lineStart = input.startIndex
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            if byte == 0x0A || byte == 0x0D {
                line(input[lineStart..<index])
                if byte == 0x0D, index + 1 < input.endIndex, input[index + 1] == 0x0A { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        // End of the file: the unterminated line and any pending event are discarded.
        data = ""
        dataBytes = 0
        eventType = ""
        discarding = false
        lastEventIdBuffer = lastEventId
    }

    private mutating func line(_ raw: ArraySlice<UInt8>) {
        if raw.count > limit {
            if raw.first != UInt8(ascii: ":") { discarding = true }
            return
        }
        let scalars = Substring(String(decoding: raw, as: UTF8.self)).unicodeScalars
        guard let first = scalars.first else {
            dispatch()
            return
        }
        if first == ":" {
            outputs.append(.comment(Self.withoutOneLeadingSpace(scalars.dropFirst())))
            return
        }
        var name = scalars
        var value = ""
        if let colon = scalars.firstIndex(of: ":") {
            name = scalars[..<colon]
            value = Self.withoutOneLeadingSpace(scalars[scalars.index(after: colon)...])
        }
        // Names are compared scalar by scalar: `String`'s `==` would also accept canonically equivalent text.
        if name.elementsEqual("data".unicodeScalars) {
            guard !discarding else { return }
            // The value's length in the stream's own bytes, for the memory guard (a U+FFFD may stand for fewer).
            let valueBytes = Self.valueByteCount(raw)
            if dataBytes + valueBytes + 1 > limit {
                discarding = true
                data = ""
                dataBytes = 0
                return
            }
            data += value + "\n"
            dataBytes += valueBytes + 1
        } else if name.elementsEqual("event".unicodeScalars) {
            eventType = value
        } else if name.elementsEqual("id".unicodeScalars) {
            if !value.unicodeScalars.contains("\0") { lastEventIdBuffer = value }
        } else if name.elementsEqual("retry".unicodeScalars) {
            guard !value.isEmpty, value.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return }
            var milliseconds = 0
            for digit in value.unicodeScalars {
                let (times10, overflow1) = milliseconds.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(digit.value - 0x30))
                milliseconds = overflow1 || overflow2 ? .max : sum
            }
            reconnectionTime = milliseconds
            outputs.append(.retry(milliseconds))
        }
        // Any other field name is ignored.
    }

    private mutating func dispatch() {
        lastEventId = lastEventIdBuffer
        defer {
            data = ""
            dataBytes = 0
            eventType = ""
            discarding = false
        }
        guard !data.isEmpty, !discarding else { return }
        var scalars = data.unicodeScalars
        if scalars.last == "\n" { scalars.removeLast() }
        let event = ParsedEvent(type: eventType.isEmpty ? "message" : eventType, data: String(scalars), lastEventId: lastEventId)
        outputs.append(.event(event))
    }

    private static func withoutOneLeadingSpace(_ scalars: Substring.UnicodeScalarView) -> String {
        String(scalars.first == " " ? scalars.dropFirst() : scalars)
    }

    private static func valueByteCount(_ raw: ArraySlice<UInt8>) -> Int {
        guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return 0 }
        let after = raw[(colon + 1)...]
        return after.first == UInt8(ascii: " ") ? after.count - 1 : after.count
    }
}

/// Parser outputs compared byte for byte: `String`'s `==` treats canonically equivalent text as equal, which
/// would hide a parser that rewrote the bytes it was given.
public func sameBytes(_ a: [SSEParserOutput], _ b: [SSEParserOutput]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { sameBytes($0, $1) }
}

public func sameBytes(_ a: SSEParserOutput, _ b: SSEParserOutput) -> Bool {
    switch (a, b) {
    case let (.event(x), .event(y)):
        x.type.utf8.elementsEqual(y.type.utf8) && x.data.utf8.elementsEqual(y.data.utf8)
            && x.lastEventId.utf8.elementsEqual(y.lastEventId.utf8)
    case let (.comment(x), .comment(y)): x.utf8.elementsEqual(y.utf8)
    case let (.retry(x), .retry(y)): x == y
    default: false
    }
}
