import CuecastCore

/// Events and comments encoded one after another, with what a parser must read back from them: the round trip
/// every producer of wire bytes (the encoder, publishing, playback) is checked against.
public struct ExpectedWire {
    public private(set) var bytes: [UInt8] = []
    public private(set) var outputs: [SSEParserOutput] = []
    public private(set) var lastEventId = ""

    public init() {}

    /// Encodes `event`; it must read back with the same type (or "message"), data (line breaks as LF), id and
    /// retry.
    public mutating func append(_ event: SSEEvent) {
        EventEncoder.encode(event, into: &bytes)
        if let id = event.id { lastEventId = id }
        if let retry = event.retry { outputs.append(.retry(retry)) }
        if let data = event.data {
            let type = event.type.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
            outputs.append(.event(ParsedEvent(type: type, data: lines(of: data).joined(separator: "\n"), lastEventId: lastEventId)))
        }
    }

    /// Encodes a comment block; it must read back as one comment per line.
    public mutating func appendComment(_ text: String) {
        EventEncoder.encodeComment(text, into: &bytes)
        outputs += lines(of: text).map { .comment($0) }
    }

    /// Parses the bytes in random chunks and requires exactly the expected outputs and last event ID.
    public func verify(using random: inout SplitRandom, _ what: @autoclosure () -> String) {
        var parser = EventStreamParser()
        let parsed = random.chunks(of: bytes, longest: 16).flatMap { parser.feed($0) }
        expect(sameBytes(parsed, outputs), "\(what()): read back \(parsed), expected \(outputs), wire \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        expect(parser.lastEventId.utf8.elementsEqual(lastEventId.utf8),
               "\(what()): last event ID \(parser.lastEventId.debugDescription), expected \(lastEventId.debugDescription)")
    }
}

/// `text` split at CRLF, LF and CR, each one line break, as `EventEncoder` documents.
public func lines(of text: String) -> [String] {
    var lines: [String] = []
    var current: [UInt8] = []
    var afterCR = false
    for byte in text.utf8 {
        if afterCR, byte == 0x0A {
            afterCR = false
            continue
        }
        afterCR = byte == 0x0D
        if byte == 0x0A || byte == 0x0D {
            lines.append(String(decoding: current, as: UTF8.self))
            current = []
        } else {
            current.append(byte)
        }
    }
    lines.append(String(decoding: current, as: UTF8.self))
    return lines
}
