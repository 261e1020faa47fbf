/// OpenAI's Chat Completions (`POST /v1/chat/completions`), as its API reference documents the
/// `chat.completion.chunk` object: `data:` lines only, the first delta sets the role, each tool call's header
/// (`id`, `type`, `name`, empty `arguments`) comes before its argument pieces, the last choice carries
/// `finish_reason`, `stream_options.include_usage` adds `"usage":null` to every chunk and one last chunk with no
/// choices and the usage, and `data: [DONE]` ends the stream.
public struct ChatCompletionsWire: ProviderWire {
    public init() {}

    /// A fixed fingerprint in OpenAI's `fp_` form: clients that log it see a stable value.
    static let fingerprint = "fp_cuecast0001"

    public func script(_ model: ModelScenario, context: ReplyContext) -> WireScript {
        let id = context.id("chatcmpl-")
        // Every chunk shares its head and tail: written once per request, so a token costs the encoding of its
        // delta alone (a long reply's chunks, each encoded whole, made 200 concurrent requests hold the CPU for seconds).
        let head = #"{"id":"# + JSONValue.string(id).compactText + #","object":"chat.completion.chunk","created":\#(context.created),"model":"#
            + JSONValue.string(context.model).compactText + #","system_fingerprint":"\#(Self.fingerprint)","choices":[{"index":0,"delta":"#
        let usage = context.includeUsage ? #","usage":null"# : ""
        func chunk(_ delta: [(String, JSONValue)], finish: String? = nil) -> WireMessage {
            let reason = finish.map { JSONValue.string($0).compactText } ?? "null"
            return WireMessage(data: head + JSONValue.object(delta).compactText + #","logprobs":null,"finish_reason":\#(reason)}]\#(usage)}"#)
        }
        let timed = ReplyToken.timed(model, firstToken: context.firstToken)
        // A reply that is only tool calls opens with the first call's header, as OpenAI's do.
        let opening: WireMessage
        if model.tokens.isEmpty, let first = model.toolCalls.first {
            opening = chunk([("role", .string("assistant")), ("content", .null), ("tool_calls", .array([Self.callHeader(first, index: 0)]))])
        } else {
            opening = chunk([("role", .string("assistant")), ("content", .string(""))])
        }
        var opened: Set<Int> = model.tokens.isEmpty && !model.toolCalls.isEmpty ? [0] : []
        let steps = timed.map { at, token -> WireScript.Step in
            switch token {
            case .text(let text):
                return .init(at: at, messages: [chunk([("content", .string(text))])])
            case .arguments(let index, let piece):
                var messages: [WireMessage] = []
                if !opened.contains(index) {
                    opened.insert(index)
                    messages.append(chunk([("tool_calls", .array([Self.callHeader(model.toolCalls[index], index: index)]))]))
                }
                let argument: JSONValue = .object([("index", .integer(Int64(index))), ("function", .object([("arguments", .string(piece))]))])
                messages.append(chunk([("tool_calls", .array([argument]))]))
                return .init(at: at, messages: messages)
            }
        }
        var closing = [chunk([], finish: model.toolCalls.isEmpty ? "stop" : "tool_calls")]
        if context.includeUsage {
            closing.append(WireMessage(json: .object([
                ("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .integer(context.created)),
                ("model", .string(context.model)), ("system_fingerprint", .string(Self.fingerprint)), ("choices", .array([])),
                ("usage", Self.usage(model)),
            ])))
        }
        closing.append(WireMessage(data: "[DONE]"))
        return WireScript(opening: [opening], steps: steps, closing: closing)
    }

    public func body(_ model: ModelScenario, context: ReplyContext) -> JSONValue {
        var message: [(String, JSONValue)] = [("role", .string("assistant")), ("content", model.tokens.isEmpty && !model.toolCalls.isEmpty ? .null : .string(model.text))]
        if !model.toolCalls.isEmpty {
            message.append(("tool_calls", .array(model.toolCalls.map { call in
                .object([("id", .string(call.id)), ("type", .string("function")), ("function", .object([("name", .string(call.name)), ("arguments", .string(call.arguments))]))])
            })))
        }
        message.append(("refusal", .null))
        return .object([
            ("id", .string(context.id("chatcmpl-"))), ("object", .string("chat.completion")), ("created", .integer(context.created)),
            ("model", .string(context.model)), ("system_fingerprint", .string(Self.fingerprint)),
            ("choices", .array([.object([
                ("index", .integer(0)), ("message", .object(message)), ("logprobs", .null),
                ("finish_reason", .string(model.toolCalls.isEmpty ? "stop" : "tool_calls")),
            ])])),
            ("usage", Self.usage(model)),
        ])
    }

    /// OpenAI's SDKs raise `APIError` for any chunk holding `error`; the stream then ends without `[DONE]`.
    public func inBandError(sequence: Int) -> WireMessage {
        WireMessage(json: errorBody(LLMError(status: 500, message: "The server had an error while processing your request. (Cuecast fault error-after)")))
    }

    public func errorBody(_ error: LLMError) -> JSONValue {
        .object([("error", .object([
            ("message", .string(error.message)), ("type", .string(error.openAIType)), ("param", error.param.map(JSONValue.string) ?? .null),
            ("code", error.code.map(JSONValue.string) ?? .null),
        ]))])
    }

    static func callHeader(_ call: ModelScenario.ToolCall, index: Int) -> JSONValue {
        .object([
            ("index", .integer(Int64(index))), ("id", .string(call.id)), ("type", .string("function")),
            ("function", .object([("name", .string(call.name)), ("arguments", .string(""))])),
        ])
    }

    static func usage(_ model: ModelScenario) -> JSONValue {
        .object([
            ("prompt_tokens", .integer(Int64(model.inputTokens))), ("completion_tokens", .integer(Int64(model.outputTokens))),
            ("total_tokens", .integer(Int64(model.inputTokens + model.outputTokens))),
        ])
    }
}
