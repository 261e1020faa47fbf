/// A provider's recorded stream made into a scripted model that replays it: the tokens and tool-call pieces as they
/// came, each with the gap before it, and the input usage the provider reported. Reads OpenAI Chat Completions
/// chunks, OpenAI Responses events and Anthropic Messages events alike, so `cuecast record -X POST` of any of
/// them plays back through all three endpoints.
public struct ModelRecording: Sendable {
    private var tokens: [String] = []
    private var calls: [ModelScenario.ToolCall] = []
    /// Where each of the provider's call indices (Chat's `index`, the block or output index) is in `calls`.
    private var callSlots: [Int64: Int] = [:]
    private var gaps: [Duration] = []
    private var lastAt: Int = 0
    private var inputTokens: Int?

    public init() {}

    /// Whether anything was recognised: a stream that is no provider's gives no model.
    public var isEmpty: Bool { tokens.isEmpty && calls.isEmpty }

    /// Feeds one dispatched event (`type` as `event:` named it, "message" when unnamed), received `at` milliseconds
    /// into the stream.
    public mutating func event(type: String, data: String, at: Int) {
        guard let json = try? JSONParser.parse(data).value else { return }
        switch type {
        case "message": chatChunk(json, at: at)
        case "message_start": inputTokens = json["message"]?["usage"]?["input_tokens"]?.int ?? inputTokens
        case "content_block_start":
            if let block = json["content_block"], block["type"] == .string("tool_use") {
                openCall(json["index"]?.integerValue ?? 0, id: block["id"]?.stringValue, name: block["name"]?.stringValue)
            }
        case "content_block_delta":
            let delta = json["delta"]
            if let text = delta?["text"]?.stringValue { token(text, at: at) }
            if let piece = delta?["partial_json"]?.stringValue { self.piece(piece, call: json["index"]?.integerValue ?? 0, at: at) }
        case "response.output_text.delta":
            if let text = json["delta"]?.stringValue { token(text, at: at) }
        case "response.output_item.added":
            if let item = json["item"], item["type"] == .string("function_call") {
                openCall(json["output_index"]?.integerValue ?? 0, id: item["call_id"]?.stringValue, name: item["name"]?.stringValue)
            }
        case "response.function_call_arguments.delta":
            if let piece = json["delta"]?.stringValue { self.piece(piece, call: json["output_index"]?.integerValue ?? 0, at: at) }
        case "response.completed":
            inputTokens = json["response"]?["usage"]?["input_tokens"]?.int ?? inputTokens
        default: break
        }
    }

    private mutating func chatChunk(_ json: JSONValue, at: Int) {
        if let usage = json["usage"], let prompt = usage["prompt_tokens"]?.int { inputTokens = prompt }
        guard case .array(let choices)? = json["choices"], let delta = choices.first?["delta"] else { return }
        if let text = delta["content"]?.stringValue, !text.isEmpty { token(text, at: at) }
        guard case .array(let toolCalls)? = delta["tool_calls"] else { return }
        for call in toolCalls {
            let index = call["index"]?.integerValue ?? 0
            if call["id"] != nil || call["function"]?["name"] != nil {
                openCall(index, id: call["id"]?.stringValue, name: call["function"]?["name"]?.stringValue)
            }
            if let piece = call["function"]?["arguments"]?.stringValue { self.piece(piece, call: index, at: at) }
        }
    }

    private mutating func token(_ text: String, at: Int) {
        guard calls.isEmpty else { return }  // a scripted model's text comes before its calls
        tokens.append(text)
        gap(at)
    }

    private mutating func openCall(_ index: Int64, id: String?, name: String?) {
        guard callSlots[index] == nil else { return }
        callSlots[index] = calls.count
        calls.append(ModelScenario.ToolCall(id: id ?? "call_recorded\(calls.count + 1)", name: name ?? "tool", argumentPieces: []))
    }

    private mutating func piece(_ text: String, call index: Int64, at: Int) {
        guard !text.isEmpty, let slot = callSlots[index] else { return }
        calls[slot].argumentPieces.append(text)
        gap(at)
    }

    private mutating func gap(_ at: Int) {
        gaps.append(.milliseconds(max(0, at - lastAt)))
        lastAt = at
    }

    /// The model, named `name`.
    public func model(name: String, description: String) -> ModelScenario {
        var timing = TokenTiming()
        timing.recordedGaps = gaps
        return ModelScenario(name: name, description: description, tokens: tokens, toolCalls: calls, timing: timing, inputTokens: inputTokens ?? 10)
    }

    /// The model's file, one field a line (as `scenarios/llm/` files are written).
    public func fileText(name: String, description: String) -> String {
        let model = model(name: name, description: description)
        var lines = [
            #"  "model": \#(JSONValue.string(name).compactText)"#, #"  "description": \#(JSONValue.string(description).compactText)"#,
        ]
        if !tokens.isEmpty { lines.append(#"  "tokens": \#(JSONValue.array(tokens.map(JSONValue.string)).compactText)"#) }
        if !calls.isEmpty {
            let items = calls.map { call in
                JSONValue.object([
                    ("id", .string(call.id)), ("name", .string(call.name)), ("arguments", .array(call.argumentPieces.map(JSONValue.string))),
                ]).compactText
            }
            lines.append("  \"toolCalls\": [\n    " + items.joined(separator: ",\n    ") + "\n  ]")
        }
        let gapList = JSONValue.array((model.timing.recordedGaps ?? []).map { .integer($0.milliseconds) }).compactText
        lines.append(#"  "timing": {"gaps": \#(gapList)}"#)
        lines.append(#"  "usage": {"input": \#(model.inputTokens)}"#)
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }
}

extension JSONValue {
    /// A member of an object, or nil.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var integerValue: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    var int: Int? { integerValue.map { Int($0) } }
}
