import Foundation

/// Reads a scripted model's file (`scenarios/llm/*.json`) with the scenario loader's parser and checks, so a broken
/// file is reported as `file:line:column: message`, every problem at once.
///
/// ```json
/// {"model": "cuecast-hello", "text": "Hello! How can I help?", "timing": {"firstToken": 300, "gap": 40, "jitter": 10, "seed": 1}}
/// ```
public enum ModelScenarioLoader {
    static let fields = ["$schema", "model", "description", "text", "tokens", "toolCalls", "timing", "usage", "fault"]
    static let timingFields = ["firstToken", "gap", "jitter", "seed", "gaps"]
    static let toolFields = ["id", "name", "arguments", "pieceSize"]

    /// The subfolder of the scenarios folder that holds scripted models.
    public static let folder = "llm"

    public static func load(contentsOf path: String, displayPath: String? = nil) throws(ScenarioLoadError) -> ModelScenario {
        let shown = displayPath ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioLoadError(problems: [ScenarioProblem(file: shown, location: nil, message: "cannot read the file")])
        }
        var model = try load(bytes: [UInt8](data), file: shown, defaultName: ScenarioLoader.defaultName(forPath: path))
        model.sourcePath = path
        return model
    }

    public static func load(bytes: [UInt8], file: String, defaultName: String) throws(ScenarioLoadError) -> ModelScenario {
        try ScenarioLoader.parsed(bytes, file: file) { root, log in read(root, defaultName: defaultName, log: log) }
    }

    static func read(_ root: JSONNode, defaultName: String, log: ProblemLog) -> ModelScenario? {
        guard let object = ObjectReader(root, what: "the model", allowed: fields, log: log) else { return nil }
        let name = object.string("model") ?? defaultName
        if !ScenarioName.isValid(name) || name.contains("+") {
            log.report("model name '\(name)' must be 1-64 lowercase letters, digits, '-', '_' or '.'", at: object["model"]?.location ?? root.location)
        }
        var tokens: [String] = []
        if let text = object.string("text") { tokens = ModelScenario.tokenize(text) }
        if let node = object["tokens"] {
            if object.has("text") { log.report("give 'text' or 'tokens', not both", at: node.location) }
            tokens = strings(node, key: "tokens", log: log)
        }
        let toolCalls = readToolCalls(object, log: log)
        if tokens.isEmpty, toolCalls.isEmpty {
            object.log.report("the model says nothing: give it 'text', 'tokens' or 'toolCalls'", at: root.location)
        }
        var timing = TokenTiming()
        if let node = object["timing"], let reader = ObjectReader(node, what: "the timing object", allowed: timingFields, log: log) {
            timing.firstToken = reader.milliseconds("firstToken") ?? timing.firstToken
            timing.gap = reader.milliseconds("gap") ?? timing.gap
            timing.jitter = reader.milliseconds("jitter") ?? timing.jitter
            timing.seed = reader.integer("seed").map(UInt64.init) ?? 0
            if let gaps = reader["gaps"] {
                guard case .array(let items) = gaps.kind else {
                    reader.wrongType("gaps", gaps, expected: "an array of milliseconds")
                    return nil
                }
                timing.recordedGaps = items.compactMap { ObjectReader.integer($0, key: "gaps", in: 0...86_400_000, unit: "milliseconds", log: log) }
                    .map { .milliseconds($0) }
            }
        }
        var inputTokens = 10
        if let node = object["usage"], let reader = ObjectReader(node, what: "the usage object", allowed: ["input"], log: log) {
            inputTokens = reader.integer("input", in: 0...10_000_000).map(Int.init) ?? inputTokens
        }
        var fault: LLMFault?
        if let text = object.string("fault") {
            fault = LLMFault(text)
            if fault == nil {
                log.report("unknown fault '\(text)': use one of \(LLMFault.spellings.joined(separator: ", "))", at: object["fault"]?.location)
            }
        }
        var model = ModelScenario(
            name: name, description: object.string("description") ?? "", tokens: tokens, toolCalls: toolCalls, timing: timing,
            inputTokens: inputTokens, fault: fault
        )
        model.timing = timing
        return model
    }

    static func strings(_ node: JSONNode, key: String, log: ProblemLog) -> [String] {
        guard case .array(let items) = node.kind else {
            log.report("'\(key)' must be an array of strings, found \(node.typeName)", at: node.location)
            return []
        }
        return items.compactMap { item in
            guard case .string(let text) = item.kind else {
                log.report("each of '\(key)' must be a string, found \(item.typeName)", at: item.location)
                return nil
            }
            return text
        }
    }

    static func readToolCalls(_ object: ObjectReader, log: ProblemLog) -> [ModelScenario.ToolCall] {
        guard let node = object["toolCalls"] else { return [] }
        guard case .array(let items) = node.kind else {
            object.wrongType("toolCalls", node, expected: "an array of tool calls")
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard let call = ObjectReader(item, what: "tool call \(index + 1)", allowed: toolFields, log: log) else { return nil }
            let name = call.string("name", required: true) ?? ""
            let size = call.integer("pieceSize", in: 1...10_000).map(Int.init) ?? 8
            var pieces: [String] = []
            switch call["arguments"]?.kind {
            case .object?:
                pieces = ModelScenario.pieces(call["arguments"]?.value.compactText ?? "{}", size: size)
            case .array?:
                // Pieces as recorded: joined, they must be the arguments' JSON text.
                pieces = call["arguments"].map { strings($0, key: "arguments", log: log) } ?? []
                if (try? JSONParser.parse(pieces.joined())) == nil, let location = call["arguments"]?.location {
                    log.report("the pieces of 'arguments', joined, must be a JSON object", at: location)
                }
            case nil:
                call.missing("arguments")
            default:
                if let node = call["arguments"] { call.wrongType("arguments", node, expected: "an object, or an array of the JSON text's pieces") }
            }
            return ModelScenario.ToolCall(id: call.string("id") ?? "call_cuecast\(index + 1)", name: name, argumentPieces: pieces)
        }
    }

    /// Every model file in `folder` (`*.json`, sorted), loaded; two files may not claim the same model.
    public static func loadFolder(_ folder: String) -> (models: [ModelScenario], problems: [ScenarioProblem]) {
        guard let files = try? ScenarioDirectory.scenarioFiles(in: folder) else { return ([], []) }
        var models: [ModelScenario] = []
        var problems: [ScenarioProblem] = []
        for file in files {
            do {
                let model = try load(contentsOf: file)
                if let first = models.first(where: { $0.name == model.name }) {
                    problems.append(ScenarioProblem(file: file, location: nil, message: "model '\(model.name)' is already defined by \(first.sourcePath ?? "another file")"))
                } else {
                    models.append(model)
                }
            } catch {
                problems += error.problems
            }
        }
        return (models, problems)
    }
}
