import CuecastCore
import Testing

/// Faults applied to a reply, and the timing each block keeps.
struct LLMPlaybackTests {
    static let model = ModelScenario(
        name: "m", tokens: ["a", " b", " c", " d"], timing: TokenTiming(firstToken: .milliseconds(300), gap: .milliseconds(50)), inputTokens: 3
    )
    static let context = ReplyContext(model: "m", serial: 9, created: 0)

    static func playback(_ fault: LLMFault, ids: Bool = false, resumeAfter: Int? = nil) -> LLMPlayback {
        let wire = ChatCompletionsWire()
        var context = context
        if case .slowFirstToken(let ms) = fault { context.firstToken = .milliseconds(ms) }
        return LLMPlayback(script: wire.script(model, context: context), wire: wire, fault: fault, ids: ids, resumeAfter: resumeAfter)
    }

    static func text(_ chunk: LLMPlayback.Chunk) -> String { String(decoding: chunk.bytes, as: UTF8.self) }

    @Test func plainReplyKeepsItsTiming() {
        let playback = Self.playback(.none)
        // The last token, the finish chunk and [DONE] are due together: one write.
        #expect(playback.chunks.map(\.at) == [.zero, .milliseconds(300), .milliseconds(350), .milliseconds(400), .milliseconds(450)])
        #expect(playback.ending == .complete)
        #expect(Self.text(playback.chunks[4]).hasPrefix(#"data: {"id":"chatcmpl-"#))
        #expect(Self.text(playback.chunks[4]).hasSuffix("\n\ndata: [DONE]\n\n"))
    }

    @Test func inBandErrorAfterTwoTokensComesWhenTheThirdWould() {
        let playback = Self.playback(.inBandError(afterTokens: 2))
        #expect(playback.chunks.count == 4)
        #expect(playback.chunks[3].at == .milliseconds(400))
        #expect(Self.text(playback.chunks[3]).hasPrefix(#"data: {"error":{"message":"#))
        #expect(playback.ending == .complete)
    }

    @Test func truncationCutsWithoutTheFinalEvent() {
        let playback = Self.playback(.truncate(afterTokens: 3))
        #expect(playback.chunks.count == 4)
        #expect(!playback.chunks.contains { Self.text($0).contains("[DONE]") || Self.text($0).contains("finish_reason\":\"stop") })
        #expect(playback.ending == .cut(at: .milliseconds(450)))
    }

    @Test func stallKeepsTheStreamOpen() {
        let playback = Self.playback(.stall(afterTokens: 1))
        #expect(playback.chunks.count == 2)
        #expect(playback.ending == .stall)
    }

    @Test func slowFirstTokenMovesTheWholeReply() {
        let playback = Self.playback(.slowFirstToken(milliseconds: 5000))
        #expect(playback.chunks[1].at == .seconds(5))
        #expect(playback.chunks[2].at == .milliseconds(5050))
    }

    /// With ids, a client that lost the stream after block 3 gets block 4 on, keeping the gaps after block 3.
    @Test func resumeAfterAnIDSkipsWhatTheClientHas() {
        let whole = Self.playback(.none, ids: true)
        #expect(Self.text(whole.chunks[0]).hasPrefix("id: 1\ndata: {"))
        let resumed = Self.playback(.none, ids: true, resumeAfter: 3)
        #expect(resumed.chunks.map { Self.text($0) } == whole.chunks.dropFirst(3).map { Self.text($0) })
        #expect(resumed.chunks.map(\.at) == [.milliseconds(50), .milliseconds(100)])
        #expect(Self.text(resumed.chunks[0]).hasPrefix("id: 4\n"))
    }

    @Test func jitterIsSeeded() {
        let timing = TokenTiming(firstToken: .milliseconds(100), gap: .milliseconds(40), jitter: .milliseconds(20), seed: 7)
        let offsets = timing.offsets(count: 50)
        #expect(offsets == timing.offsets(count: 50))
        var other = timing
        other.seed = 8
        #expect(offsets != other.offsets(count: 50))
        let gaps = zip(offsets.dropFirst(), offsets).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(20) && $0 <= .milliseconds(60) })
        #expect(Set(gaps).count > 5)
    }

    @Test func faultSpellings() {
        #expect(LLMFault("error-after=3") == .inBandError(afterTokens: 3))
        #expect(LLMFault("429") == .rateLimited(retryAfterSeconds: 1))
        #expect(LLMFault("rate-limit=20") == .rateLimited(retryAfterSeconds: 20))
        #expect(LLMFault("overloaded") == .status(529))
        #expect(LLMFault("truncate-after") == nil)
        #expect(LLMFault("error-after=x") == nil)
        #expect(LLMFault("418") == nil)
        #expect(LLMFault.sequence("rate-limit=1, ok") == [.rateLimited(retryAfterSeconds: 1), LLMFault.none])
        #expect(LLMFault.sequence("ok,nope") == nil)
    }

    @Test func faultSequencesStepPerClientAndStayBounded() {
        let sequences = FaultSequences(capacity: 3)
        let steps: [LLMFault] = [.status(500), .rateLimited(retryAfterSeconds: 1), .none]
        let seen = (0..<4).map { _ in sequences.next(client: "a", sequence: "s", steps: steps) }
        #expect(seen == [.status(500), .rateLimited(retryAfterSeconds: 1), LLMFault.none, LLMFault.none])
        #expect(sequences.next(client: "b", sequence: "s", steps: steps) == .status(500))
        for key in 0..<100 { _ = sequences.next(client: "flood\(key)", sequence: "s", steps: steps) }
        #expect(sequences.count == 3)
    }
}
