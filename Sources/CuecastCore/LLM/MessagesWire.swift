/// Anthropic's Messages API (`POST /v1/messages`), as its streaming guide documents it: every block is named
/// (`event: message_start`) and its data repeats the name in `type`; `message_start` carries the message with
/// empty `content`, each content block has `content_block_start`, deltas (`text_delta`, or `input_json_delta`
/// for a tool call's input) and `content_block_stop`; a `ping` follows the opening; `message_delta` brings
/// `stop_reason` and the output usage; `message_stop` ends the stream. Errors inside a stream are an `error` event.
public struct MessagesWire: ProviderWire {
    public init() {}

    public func script(_ model: ModelScenario, context: ReplyContext) -> WireScript {
        func event(_ type: String, _ members: [(String, JSONValue)]) -> WireMessage {
            WireMessage(event: type, json: .object([("type", .string(type))] + members))
        }
        let message: JSONValue = .object([
            ("id", .string(context.id("msg_"))), ("type", .string("message")), ("role", .string("assistant")), ("content", .array([])),
            ("model", .string(context.model)), ("stop_reason", .null), ("stop_sequence", .null),
            ("usage", .object([("input_tokens", .integer(Int64(model.inputTokens))), ("output_tokens", .integer(1))])),
        ])
        var opening = [event("message_start", [("message", message)])]
        // Block indices: the text block is 0 when there is text; each tool call's block follows.
        let textBlocks = model.tokens.isEmpty ? 0 : 1
        if textBlocks == 1 {
            opening.append(event("content_block_start", [("index", .integer(0)), ("content_block", .object([("type", .string("text")), ("text", .string(""))]))]))
        }
        // Anthropic writes its ping with spaces, unlike every other block: `{"type": "ping"}`.
        opening.append(WireMessage(event: "ping", data: #"{"type": "ping"}"#))
        var openBlock: Int? = textBlocks == 1 ? 0 : nil
        let steps = ReplyToken.timed(model, firstToken: context.firstToken).map { at, token -> WireScript.Step in
            switch token {
            case .text(let text):
                return .init(at: at, messages: [event("content_block_delta", [
                    ("index", .integer(0)), ("delta", .object([("type", .string("text_delta")), ("text", .string(text))])),
                ])])
            case .arguments(let call, let piece):
                let block = textBlocks + call
                var messages: [WireMessage] = []
                if openBlock != block {
                    if let openBlock { messages.append(event("content_block_stop", [("index", .integer(Int64(openBlock)))])) }
                    openBlock = block
                    let tool = model.toolCalls[call]
                    messages.append(event("content_block_start", [
                        ("index", .integer(Int64(block))),
                        ("content_block", .object([
                            ("type", .string("tool_use")), ("id", .string(Self.toolID(context, call))), ("name", .string(tool.name)), ("input", .object([])),
                        ])),
                    ]))
                }
                messages.append(event("content_block_delta", [
                    ("index", .integer(Int64(block))), ("delta", .object([("type", .string("input_json_delta")), ("partial_json", .string(piece))])),
                ]))
                return .init(at: at, messages: messages)
            }
        }
        var closing: [WireMessage] = []
        if let openBlock { closing.append(event("content_block_stop", [("index", .integer(Int64(openBlock)))])) }
        closing.append(event("message_delta", [
            ("delta", .object([("stop_reason", .string(Self.stopReason(model))), ("stop_sequence", .null)])),
            ("usage", .object([("output_tokens", .integer(Int64(model.outputTokens)))])),
        ]))
        closing.append(event("message_stop", []))
        return WireScript(opening: opening, steps: steps, closing: closing)
    }

    public func body(_ model: ModelScenario, context: ReplyContext) -> JSONValue {
        var content: [JSONValue] = []
        if !model.tokens.isEmpty { content.append(.object([("type", .string("text")), ("text", .string(model.text))])) }
        for (index, call) in model.toolCalls.enumerated() {
            let input = (try? JSONParser.parse(call.arguments).value) ?? .object([])
            content.append(.object([("type", .string("tool_use")), ("id", .string(Self.toolID(context, index))), ("name", .string(call.name)), ("input", input)]))
        }
        return .object([
            ("id", .string(context.id("msg_"))), ("type", .string("message")), ("role", .string("assistant")), ("content", .array(content)),
            ("model", .string(context.model)), ("stop_reason", .string(Self.stopReason(model))), ("stop_sequence", .null),
            ("usage", .object([("input_tokens", .integer(Int64(model.inputTokens))), ("output_tokens", .integer(Int64(model.outputTokens)))])),
        ])
    }

    /// The documented in-band error: what Anthropic sends when it is overloaded after the 200 has gone out.
    public func inBandError(sequence: Int) -> WireMessage {
        WireMessage(event: "error", json: errorBody(LLMError(status: 529, message: "Overloaded")))
    }

    public func errorBody(_ error: LLMError) -> JSONValue {
        .object([("type", .string("error")), ("error", .object([("type", .string(error.anthropicType)), ("message", .string(error.message))]))])
    }

    static func stopReason(_ model: ModelScenario) -> String { model.toolCalls.isEmpty ? "end_turn" : "tool_use" }

    static func toolID(_ context: ReplyContext, _ call: Int) -> String { context.id("toolu_", salt: UInt64(call) + 1) }
}
