import CuecastCore
import Foundation
import Testing

/// Scripted model files: read as scenarios are, every problem at its `file:line:column`.
struct ModelScenarioLoaderTests {
    static func problems(_ json: String) -> [String] {
        do {
            _ = try ModelScenarioLoader.load(bytes: Array(json.utf8), file: "m.json", defaultName: "m")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func readsTextToolsTimingAndFault() throws {
        let json = """
            {"model": "x", "text": "Hi there, you.", "toolCalls": [{"name": "f", "arguments": {"a": 1}, "pieceSize": 3}],
             "timing": {"firstToken": 10, "gap": 5, "jitter": 1, "seed": 4}, "usage": {"input": 7}, "fault": "error-after=2"}
            """
        let model = try ModelScenarioLoader.load(bytes: Array(json.utf8), file: "x.json", defaultName: "x")
        #expect(model.tokens == ["Hi", " there", ",", " you", "."])
        #expect(model.toolCalls[0].argumentPieces == [#"{"a"#, #"":1"#, "}"])
        #expect(model.timing == TokenTiming(firstToken: .milliseconds(10), gap: .milliseconds(5), jitter: .milliseconds(1), seed: 4))
        #expect(model.inputTokens == 7 && model.fault == .inBandError(afterTokens: 2))
        #expect(model.outputTokens == 8)
    }

    @Test func reportsEachProblemWhereItIs() {
        let json = """
            {"model": "x",
             "txt": "typo",
             "timing": {"gap": -1},
             "fault": "explode"}
            """
        #expect(Self.problems(json) == [
            "m.json:1:1: the model says nothing: give it 'text', 'tokens' or 'toolCalls'",
            "m.json:2:2: unknown field 'txt' in the model (did you mean 'text'?)",
            "m.json:3:20: 'gap' must be at least 0 (milliseconds), found -1",
            "m.json:4:11: unknown fault 'explode': use one of \(LLMFault.spellings.joined(separator: ", "))",
        ])
    }

    @Test func syntaxErrorsComeFromTheParserWithTheirPosition() {
        #expect(Self.problems("{\"model\": \"x\",\n \"text\": }") == ["m.json:2:10: unexpected token near '}'"])
    }

    /// Every bundled model loads.
    @Test func bundledModelsLoad() {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../scenarios/llm").standardized.path
        let loaded = ModelScenarioLoader.loadFolder(folder)
        #expect(loaded.problems.map(\.description) == [])
        #expect(loaded.models.count >= 10)
    }
}
