import Testing
@testable import CuecastCore

/// Property: whatever `SSEEvent` we build, encode -> parse (cut into random chunks) gives back its type, data and
/// the sticky last event ID, as a browser would see them. Seeded, so a failure replays exactly.
struct RoundTripTests {
    /// Pieces that stress the format: every kind of line break, leading spaces, colons, field-like text,
    /// NUL, a mid-stream BOM, and multi-byte characters (2, 3 and 4 bytes, and a multi-scalar emoji).
    private static let dataPieces = [
        "a", "Z", "0", " ", "  ", ":", ": ", "data:", "id: 1", "event:x", "retry: 5", "\t", "\0",
        "\n", "\r", "\r\n", "\n\n", "\r\r", "\n\r",
        "é", "€", "😀", "👩‍👩‍👧", "\u{FEFF}", "\u{2028}", "\u{85}",
    ]
    /// The same without CR and LF, for event types and ids (ids also without NUL).
    private static let linePieces = dataPieces.filter { !$0.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) }
    private static let idPieces = linePieces.filter { !$0.utf8.contains(0) }

    private static func randomText(_ pieces: [String], maxPieces: UInt64, using random: inout SSESplitMix64) -> String {
        var text = ""
        for _ in 0..<random.next(below: maxPieces + 1) { text += random.pick(pieces) }
        return text
    }

    private static func randomEvent(using random: inout SSESplitMix64) throws -> SSEEvent {
        let type = random.chance(1, in: 2) ? randomText(linePieces, maxPieces: 4, using: &random) : nil
        let data = random.chance(4, in: 5) ? randomText(dataPieces, maxPieces: 12, using: &random) : nil
        let id = random.chance(1, in: 3) ? randomText(idPieces, maxPieces: 4, using: &random) : nil
        let retry = random.chance(1, in: 8) ? Int(random.next(below: 100_000)) : nil
        return try SSEEvent(type: type, data: data, id: id, retry: retry)
    }

    /// What a browser's `MessageEvent.data` holds: every CRLF and lone CR read as LF.
    private static func normalisedLineBreaks(_ text: String) -> String {
        var bytes: [UInt8] = []
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == 0x0A, previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = byte == 0x0D
            bytes.append(byte == 0x0D ? 0x0A : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The outputs the parser must produce for `events` in order: `.retry` at its line, then the event if it
    /// has data. Events without data are not dispatched, but their id still becomes the last event ID.
    private static func expectedOutputs(for events: [SSEEvent]) -> (outputs: [SSEParserOutput], lastEventId: String) {
        var outputs: [SSEParserOutput] = []
        var lastEventId = ""
        for event in events {
            if let retry = event.retry { outputs.append(.retry(retry)) }
            if let id = event.id { lastEventId = id }
            guard let data = event.data else { continue }
            let type = (event.type?.isEmpty ?? true) ? "message" : event.type!
            outputs.append(.event(ParsedEvent(type: type, data: normalisedLineBreaks(data), lastEventId: lastEventId)))
        }
        return (outputs, lastEventId)
    }

    @Test(arguments: 0..<8)
    func randomEventsSurviveEncodeThenParse(batch: Int) throws {
        var random = SSESplitMix64(seed: 0xC0FF_EE00 &+ UInt64(batch))
        let events = try (0..<500).map { _ in try Self.randomEvent(using: &random) }

        var stream: [UInt8] = []
        for event in events { EventEncoder.encode(event, into: &stream) }
        let expected = Self.expectedOutputs(for: events)
        #expect(expected.outputs.contains { if case .event = $0 { true } else { false } })

        for attempt in 0..<3 {
            var parser = EventStreamParser()
            var outputs: [SSEParserOutput] = []
            for chunk in SSETest.randomChunks(stream, using: &random) { outputs += parser.feed(chunk) }
            #expect(parser.finish().isEmpty)
            #expect(outputs == expected.outputs, "seed batch \(batch), attempt \(attempt)")
            #expect(parser.lastEventId == expected.lastEventId)
            let lastRetry = events.last { $0.retry != nil }?.retry
            #expect(parser.reconnectionTime == lastRetry)
        }

        // Finer cuts too: chunks of at most 7 bytes land inside CR LF pairs and characters many times over.
        var parser = EventStreamParser()
        var outputs: [SSEParserOutput] = []
        var offset = 0
        while offset < stream.count {
            let length = Int(random.next(below: 8))
            outputs += parser.feed(stream[offset..<min(offset + length, stream.count)])
            offset += length
        }
        #expect(outputs == expected.outputs, "small chunks, seed batch \(batch)")
    }

    /// Each event on its own: a dispatched event matches its input exactly, and an event without data
    /// dispatches nothing. Checked event by event so a failure names the event.
    @Test func eachEventAloneRoundTrips() throws {
        var random = SSESplitMix64(seed: 2024)
        for _ in 0..<1000 {
            let event = try Self.randomEvent(using: &random)
            let result = SSETest.parse(chunks: SSETest.randomChunks(EventEncoder.encode(event), using: &random))
            #expect(result.outputs == Self.expectedOutputs(for: [event]).outputs, "\(event)")
            #expect(result.lastEventId == (event.id ?? ""), "\(event)")
            if event.data == nil {
                #expect(!result.outputs.contains { if case .event = $0 { true } else { false } }, "\(event)")
            }
        }
    }

    /// The normaliser the property relies on must itself be right.
    @Test func lineBreakNormalisation() {
        #expect(Self.normalisedLineBreaks("a\r\nb\rc\nd\n\re\r\r\n") == "a\nb\nc\nd\n\ne\n\n")
    }
}
