import Testing
@testable import CuecastCore

/// Every vector (WPT, spec examples, our edge cases) must give exactly the same outputs and final state however
/// the stream is cut into chunks: whole, byte by byte, at every split point into two chunks (and three for
/// short streams), at random, and through a non-contiguous sequence.
struct ParserVectorTests {
    static let vectors = SSEWPTVectors.all + SSESpecVectors.all + SSEEdgeVectors.all

    @Test(arguments: vectors)
    func wholeStream(vector: SSEParserVector) {
        #expect(SSETest.parse(vector.stream) == vector.expected)
    }

    @Test(arguments: vectors)
    func byteByByte(vector: SSEParserVector) {
        let result = SSETest.parse(chunks: vector.stream.map { [$0] })
        #expect(result == vector.expected)
    }

    @Test(arguments: vectors)
    func everySplitIntoTwoChunks(vector: SSEParserVector) {
        for offset in 0...vector.stream.count {
            let result = SSETest.parse(chunks: SSETest.split(vector.stream, at: [offset]))
            #expect(result == vector.expected, "split at byte \(offset)")
            if result != vector.expected { return }
        }
    }

    @Test(arguments: vectors.filter { $0.stream.count <= 160 })
    func everySplitIntoThreeChunks(vector: SSEParserVector) {
        let count = vector.stream.count
        for first in 0...count {
            for second in first...count {
                let result = SSETest.parse(chunks: SSETest.split(vector.stream, at: [first, second]))
                #expect(result == vector.expected, "split at bytes \(first) and \(second)")
                if result != vector.expected { return }
            }
        }
    }

    @Test(arguments: vectors)
    func randomChunks(vector: SSEParserVector) {
        var random = SSESplitMix64(seed: 0x5EED_0F_C4EC_A57)
        for run in 0..<50 {
            let result = SSETest.parse(chunks: SSETest.randomChunks(vector.stream, using: &random))
            #expect(result == vector.expected, "random run \(run)")
            if result != vector.expected { return }
        }
    }

    /// A sequence without contiguous storage takes the parser's copying path.
    @Test(arguments: vectors)
    func nonContiguousSequence(vector: SSEParserVector) {
        let result = SSETest.parse(chunks: [vector.stream.lazy.map { $0 }])
        #expect(result == vector.expected)
    }
}
