/// OpenAI's Responses API (`POST /v1/responses`), as its streaming reference documents the typed events: every
/// block is named and its data repeats the name in `type` with a `sequence_number` counting from 0;
/// `response.created` and `response.in_progress` open; each output item is added, streamed
/// (`response.output_text.delta`, or `response.function_call_arguments.delta` for a tool call) and done;
/// `response.completed` carries the whole response with its usage. An error inside a stream is an `error` event.
public struct ResponsesWire: ProviderWire {
    public init() {}

    public func script(_ model: ModelScenario, context: ReplyContext) -> WireScript {
        var sequence: Int64 = 0
        func event(_ type: String, _ members: [(String, JSONValue)]) -> WireMessage {
            defer { sequence += 1 }
            return WireMessage(event: type, json: .object([("type", .string(type)), ("sequence_number", .integer(sequence))] + members))
        }
        let items = Self.items(model, context: context)
        var opening = [
            event("response.created", [("response", response(model, context: context, status: "in_progress", output: []))]),
            event("response.in_progress", [("response", response(model, context: context, status: "in_progress", output: []))]),
        ]
        // The text item opens with the stream; a tool call's item opens with its first piece.
        if !model.tokens.isEmpty, let text = items.first {
            opening += Self.opening(text, index: 0, event: event)
        }
        var open: Int? = model.tokens.isEmpty ? nil : 0
        var steps: [WireScript.Step] = []
        for (at, token) in ReplyToken.timed(model, firstToken: context.firstToken) {
            var messages: [WireMessage] = []
            let (index, delta): (Int, String) =
                switch token {
                case .text(let text): (0, text)
                case .arguments(let call, let piece): ((model.tokens.isEmpty ? 0 : 1) + call, piece)
                }
            if open != index {
                if let open { messages += Self.closing(items[open], index: open, event: event) }
                open = index
                messages += Self.opening(items[index], index: index, event: event)
            }
            let item = items[index]
            if item.isText {
                messages.append(event("response.output_text.delta", [
                    ("item_id", .string(item.id)), ("output_index", .integer(Int64(index))), ("content_index", .integer(0)), ("delta", .string(delta)),
                    ("logprobs", .array([])),
                ]))
            } else {
                messages.append(event("response.function_call_arguments.delta", [
                    ("item_id", .string(item.id)), ("output_index", .integer(Int64(index))), ("delta", .string(delta)),
                ]))
            }
            steps.append(.init(at: at, messages: messages))
        }
        var closing: [WireMessage] = []
        if let open { closing += Self.closing(items[open], index: open, event: event) }
        closing.append(event("response.completed", [("response", response(model, context: context, status: "completed", output: items.map(\.done)))]))
        return WireScript(opening: opening, steps: steps, closing: closing)
    }

    public func body(_ model: ModelScenario, context: ReplyContext) -> JSONValue {
        response(model, context: context, status: "completed", output: Self.items(model, context: context).map(\.done))
    }

    public func inBandError(sequence: Int) -> WireMessage {
        WireMessage(event: "error", json: .object([
            ("type", .string("error")), ("code", .string("server_error")),
            ("message", .string("The server had an error while processing your request. (Cuecast fault error-after)")), ("param", .null),
            ("sequence_number", .integer(Int64(sequence))),
        ]))
    }

    public func errorBody(_ error: LLMError) -> JSONValue { ChatCompletionsWire().errorBody(error) }

    /// The response object: the fields the API reference lists, with the defaults a plain request gets.
    func response(_ model: ModelScenario, context: ReplyContext, status: String, output: [JSONValue]) -> JSONValue {
        let usage: JSONValue = status == "completed" ? .object([
            ("input_tokens", .integer(Int64(model.inputTokens))), ("input_tokens_details", .object([("cached_tokens", .integer(0))])),
            ("output_tokens", .integer(Int64(model.outputTokens))), ("output_tokens_details", .object([("reasoning_tokens", .integer(0))])),
            ("total_tokens", .integer(Int64(model.inputTokens + model.outputTokens))),
        ]) : .null
        return .object([
            ("id", .string(context.id("resp_"))), ("object", .string("response")), ("created_at", .integer(context.created)),
            ("status", .string(status)), ("error", .null), ("incomplete_details", .null), ("instructions", .null), ("max_output_tokens", .null),
            ("model", .string(context.model)), ("output", .array(output)), ("parallel_tool_calls", .bool(true)), ("previous_response_id", .null),
            ("reasoning", .object([("effort", .null), ("summary", .null)])), ("store", .bool(true)), ("temperature", .number(1.0)),
            ("text", .object([("format", .object([("type", .string("text"))]))])), ("tool_choice", .string("auto")), ("tools", .array([])),
            ("top_p", .number(1.0)), ("truncation", .string("disabled")), ("usage", usage), ("user", .null), ("metadata", .object([])),
        ])
    }

    /// An output item as it is added (empty, in progress) and as it is done.
    struct Item {
        let id: String
        let isText: Bool
        let added: JSONValue
        let done: JSONValue
        let fullText: String
    }

    static func items(_ model: ModelScenario, context: ReplyContext) -> [Item] {
        var items: [Item] = []
        if !model.tokens.isEmpty {
            let id = context.id("msg_")
            func message(_ status: String, _ content: [JSONValue]) -> JSONValue {
                .object([("id", .string(id)), ("type", .string("message")), ("status", .string(status)), ("content", .array(content)), ("role", .string("assistant"))])
            }
            items.append(Item(
                id: id, isText: true, added: message("in_progress", []), done: message("completed", [outputText(model.text)]), fullText: model.text
            ))
        }
        for (index, call) in model.toolCalls.enumerated() {
            let id = context.id("fc_", salt: UInt64(index) + 1)
            func item(_ status: String, _ arguments: String) -> JSONValue {
                .object([
                    ("id", .string(id)), ("type", .string("function_call")), ("status", .string(status)), ("arguments", .string(arguments)),
                    ("call_id", .string(call.id)), ("name", .string(call.name)),
                ])
            }
            items.append(Item(id: id, isText: false, added: item("in_progress", ""), done: item("completed", call.arguments), fullText: call.arguments))
        }
        return items
    }

    static func outputText(_ text: String) -> JSONValue {
        .object([("type", .string("output_text")), ("annotations", .array([])), ("logprobs", .array([])), ("text", .string(text))])
    }

    static func opening(_ item: Item, index: Int, event: (String, [(String, JSONValue)]) -> WireMessage) -> [WireMessage] {
        var messages = [event("response.output_item.added", [("output_index", .integer(Int64(index))), ("item", item.added)])]
        if item.isText {
            messages.append(event("response.content_part.added", [
                ("item_id", .string(item.id)), ("output_index", .integer(Int64(index))), ("content_index", .integer(0)), ("part", outputText("")),
            ]))
        }
        return messages
    }

    static func closing(_ item: Item, index: Int, event: (String, [(String, JSONValue)]) -> WireMessage) -> [WireMessage] {
        var messages: [WireMessage] = []
        let place: [(String, JSONValue)] = [("item_id", .string(item.id)), ("output_index", .integer(Int64(index)))]
        if item.isText {
            messages.append(event("response.output_text.done", place + [("content_index", .integer(0)), ("text", .string(item.fullText)), ("logprobs", .array([]))]))
            messages.append(event("response.content_part.done", place + [("content_index", .integer(0)), ("part", outputText(item.fullText))]))
        } else {
            messages.append(event("response.function_call_arguments.done", place + [("arguments", .string(item.fullText))]))
        }
        messages.append(event("response.output_item.done", [("output_index", .integer(Int64(index))), ("item", item.done)]))
        return messages
    }
}
