@testable import CuecastCore

/// Shared helpers for the SSE tests. Names carry an `SSE` prefix because every test file of the target
/// shares one module.
enum SSETest {
    /// The UTF-8 bytes of a string (Swift's `"\0"` is a NUL byte, `"\r\n"` is CR LF).
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A dispatched event as the parser reports it.
    static func message(_ data: String, type: String = "message", id: String = "") -> SSEParserOutput {
        .event(ParsedEvent(type: type, data: data, lastEventId: id))
    }

    /// Everything observable after parsing a whole stream and calling `finish()`.
    struct Result: Equatable, CustomStringConvertible {
        var outputs: [SSEParserOutput]
        var lastEventId: String
        var reconnectionTime: Int?

        var description: String {
            "outputs: \(outputs), lastEventId: \(String(reflecting: lastEventId)), reconnectionTime: \(String(describing: reconnectionTime))"
        }
    }

    /// Feeds `chunks` in order to a fresh parser (limit `byteLimit` if given), then finishes the stream.
    static func parse<Chunks: Sequence>(chunks: Chunks, byteLimit: Int? = nil) -> Result
    where Chunks.Element: Sequence, Chunks.Element.Element == UInt8 {
        var parser = byteLimit.map { EventStreamParser(byteLimit: $0) } ?? EventStreamParser()
        var outputs: [SSEParserOutput] = []
        for chunk in chunks { outputs += parser.feed(chunk) }
        outputs += parser.finish()
        return Result(outputs: outputs, lastEventId: parser.lastEventId, reconnectionTime: parser.reconnectionTime)
    }

    static func parse(_ stream: [UInt8], byteLimit: Int? = nil) -> Result {
        parse(chunks: [stream], byteLimit: byteLimit)
    }

    /// `stream` cut at the given ascending offsets.
    static func split(_ stream: [UInt8], at offsets: [Int]) -> [ArraySlice<UInt8>] {
        var chunks: [ArraySlice<UInt8>] = []
        var start = 0
        for offset in offsets + [stream.count] {
            chunks.append(stream[start..<offset])
            start = offset
        }
        return chunks
    }

    /// `stream` cut into random pieces (including empty ones) drawn from `random`.
    static func randomChunks(_ stream: [UInt8], using random: inout SSESplitMix64) -> [ArraySlice<UInt8>] {
        let cuts = Int(random.next(below: 8))
        let offsets = (0..<cuts).map { _ in Int(random.next(below: UInt64(stream.count + 1))) }.sorted()
        return split(stream, at: offsets)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, identical on every platform, so a failing
/// property-test case can be replayed from its seed.
struct SSESplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform enough in `0..<bound` for tests (modulo bias is irrelevant here).
    mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        return next() % bound
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: UInt64, in denominator: UInt64) -> Bool {
        next(below: denominator) < numerator
    }

    mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int(next(below: UInt64(choices.count)))]
    }
}
