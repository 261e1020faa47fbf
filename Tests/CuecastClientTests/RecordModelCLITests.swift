import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import Testing

/// `cuecast record -d BODY`: a provider's streamed answer, posted and recorded, becomes a scripted model whose
/// tokens, tool-call pieces and gaps replay through every LLM endpoint.
@Suite(
    .timeLimit(.minutes(2)),
    .enabled(if: CuecastExecutable.url != nil, "the cuecast executable is not built next to the tests: run `swift build --build-tests`")
)
struct RecordModelCLITests {
    static let call = ModelScenario.ToolCall(id: "call_9", name: "lookup", argumentPieces: [#"{"q":"#, #""sse"}"#])
    /// Tokens 150 ms apart, then the call's two pieces.
    static let source = ModelScenario(
        name: "source", tokens: ["Looking", " it", " up"], toolCalls: [call],
        timing: TokenTiming(firstToken: .milliseconds(150), gap: .milliseconds(150)), inputTokens: 42
    )

    @Test("record each provider's stream of the same answer: the same model", arguments: ["/v1/chat/completions", "/v1/messages", "/v1/responses"])
    func recordsAModel(path: String) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = folder.path("recorded.json")
        let body = #"{"model": "source", "stream": true, "stream_options": {"include_usage": true}, "max_tokens": 10, "messages": [], "input": "x"}"#
        let result = try await withServer([]) { configuration in
            configuration.models = [Self.source]
        } _: { port in
            try await CLIProcess.run(["record", "http://127.0.0.1:\(port)\(path)", "-d", body, "-o", file], timeout: .seconds(30))
        }
        #expect(result.status == 0, "stderr:\n\(result.stderr)")
        let model = try ModelScenarioLoader.load(contentsOf: file)
        #expect(model.name == "recorded")
        #expect(model.tokens == Self.source.tokens)
        #expect(model.toolCalls.map(\.argumentPieces) == [Self.call.argumentPieces])
        #expect(model.toolCalls.map(\.name) == ["lookup"])
        #expect(model.inputTokens == 42)
        // Each token's own gap, as it came. The server sends each token at its offset from the start, never before,
        // so the gaps added up reach each token's offset (a late token makes the next gap shorter, not the sum).
        let gaps = model.timing.recordedGaps ?? []
        let arrivals = gaps.indices.map { gaps[...$0].reduce(.zero, +) }
        let scheduled = Self.source.timing.offsets(count: 5)
        #expect(gaps.count == 5)
        #expect(zip(arrivals, scheduled).allSatisfy { $0 >= $1 - .milliseconds(20) }, "arrivals \(arrivals), scheduled \(scheduled)")

        // And it plays back through the endpoints: the Anthropic stream of the recording carries the same text.
        let replay = try await withServer([]) { configuration in
            configuration.models = [model]
        } _: { port in
            try await CLIProcess.run(["record", "http://127.0.0.1:\(port)/v1/messages", "-d", #"{"model": "recorded", "stream": true}"#,
                                      "-o", folder.path("again.json")], timeout: .seconds(30))
        }
        #expect(replay.status == 0, "stderr:\n\(replay.stderr)")
        let again = try ModelScenarioLoader.load(contentsOf: folder.path("again.json"))
        #expect(again.tokens == model.tokens)
        #expect(again.toolCalls.map(\.arguments) == [#"{"q":"sse"}"#])
    }
}
