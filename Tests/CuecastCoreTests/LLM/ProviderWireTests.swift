import CuecastCore
import Foundation
import Testing

/// Each provider's stream, byte for byte, against the example its own documentation prints. The examples' JSON
/// is written compact here, as the live APIs send it (the docs pretty-print some of it); ids, timestamps and
/// fingerprints, which differ on every real request, are put back to the example's before comparing.
struct ProviderWireTests {
    /// "Hello" and "!": the reply of both documented examples.
    static let hello = ModelScenario(name: "m", tokens: ["Hello", "!"], timing: TokenTiming(firstToken: .milliseconds(100), gap: .milliseconds(10)), inputTokens: 25)

    static func text(_ script: WireScript) -> String {
        let messages = script.opening + script.steps.flatMap(\.messages) + script.closing
        return String(decoding: messages.flatMap { $0.bytes() }, as: UTF8.self)
    }

    static func replacing(_ text: String, _ pattern: String, with replacement: String) -> String {
        text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }

    /// Anthropic's streaming guide, "Basic streaming request": its `message_delta` says 15 output tokens for a
    /// reply it shortened to two; a scripted model counts the two it sent.
    @Test func anthropicMessagesMatchTheDocumentedStream() {
        let context = ReplyContext(model: "claude-opus-4-1-20250805", serial: 1, created: 0)
        var text = Self.text(MessagesWire().script(Self.hello, context: context))
        text = Self.replacing(text, #""id":"msg_[A-Za-z0-9]{24}""#, with: #""id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY""#)
        let documented = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY","type":"message","role":"assistant","content":[],"model":"claude-opus-4-1-20250805","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}

            event: message_stop
            data: {"type":"message_stop"}


            """
        #expect(text == documented)
    }

    /// OpenAI's API reference, "The chat completion chunk object" (streaming example), then `[DONE]`.
    @Test func openAIChatChunksMatchTheDocumentedStream() {
        let context = ReplyContext(model: "gpt-4o-mini", serial: 1, created: 1_694_268_190)
        var text = Self.text(ChatCompletionsWire().script(Self.hello, context: context))
        text = Self.replacing(text, #""id":"chatcmpl-[A-Za-z0-9]{24}""#, with: #""id":"chatcmpl-123""#)
        text = Self.replacing(text, "fp_cuecast0001", with: "fp_44709d6fcb")
        let head = #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":"#
        let documented = """
            data: \(head){"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

            data: \(head){"content":"Hello"},"logprobs":null,"finish_reason":null}]}

            data: \(head){"content":"!"},"logprobs":null,"finish_reason":null}]}

            data: \(head){},"logprobs":null,"finish_reason":"stop"}]}

            data: [DONE]


            """
        #expect(text == documented)
    }

    /// `stream_options: {"include_usage": true}`: `"usage":null` on every chunk, then one with no choices.
    @Test func openAIUsageChunk() {
        let context = ReplyContext(model: "m", serial: 1, created: 5, includeUsage: true)
        let script = ChatCompletionsWire().script(Self.hello, context: context)
        let all = script.opening + script.steps.flatMap(\.messages) + script.closing
        #expect(all.dropLast(2).allSatisfy { $0.data.hasSuffix(#","usage":null}"#) })
        let usage = all[all.count - 2].data
        #expect(usage.contains(#""choices":[],"usage":{"prompt_tokens":25,"completion_tokens":2,"total_tokens":27}}"#))
        #expect(all.last?.data == "[DONE]")
    }

    /// A tool call as OpenAI streams one: the header with `id`, `type` and `name` and empty arguments, then the
    /// arguments in pieces carrying only `index` and `function.arguments`.
    @Test func openAIToolCallDeltas() {
        let call = ModelScenario.ToolCall(id: "call_1", name: "get_weather", argumentPieces: [#"{"loc"#, #"ation":"#, #""Paris"}"#])
        let model = ModelScenario(name: "m", tokens: [], toolCalls: [call])
        let script = ChatCompletionsWire().script(model, context: ReplyContext(model: "m", serial: 1, created: 5))
        #expect(script.opening[0].data.contains(
            #""delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}"#
        ))
        #expect(script.steps.count == 3)
        #expect(script.steps[0].messages[0].data.contains(#""delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"loc"}}]}"#))
        #expect(script.closing[0].data.contains(#""finish_reason":"tool_calls""#))
    }

    /// Anthropic's tool use: a `tool_use` block opened with empty input, then `input_json_delta` pieces.
    @Test func anthropicToolUseBlocks() {
        let call = ModelScenario.ToolCall(id: "call_1", name: "get_weather", argumentPieces: [#"{"location":"#, #""Paris"}"#])
        let model = ModelScenario(name: "m", tokens: ["Checking."], toolCalls: [call])
        let script = MessagesWire().script(model, context: ReplyContext(model: "m", serial: 1, created: 5))
        let first = script.steps[1].messages.map(\.event)
        #expect(first == ["content_block_stop", "content_block_start", "content_block_delta"])
        #expect(script.steps[1].messages[1].data.contains(#""index":1,"content_block":{"type":"tool_use","id":"toolu_"#))
        #expect(script.steps[1].messages[2].data.hasSuffix(#""delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}"#))
        #expect(script.closing.map(\.event) == ["content_block_stop", "message_delta", "message_stop"])
        #expect(script.closing[1].data.contains(#""stop_reason":"tool_use""#))
    }

    /// The Responses API numbers every event from 0, in order.
    @Test func responsesSequenceNumbers() throws {
        let script = ResponsesWire().script(Self.hello, context: ReplyContext(model: "m", serial: 1, created: 5))
        let all = script.opening + script.steps.flatMap(\.messages) + script.closing
        #expect(all.map(\.event) == [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
            "response.output_item.done", "response.completed",
        ])
        for (index, message) in all.enumerated() {
            let value = try JSONParser.parse(message.data).value
            guard case .object(let members) = value else { Issue.record("not an object"); continue }
            #expect(members[0].0 == "type" && members[0].1 == .string(message.event ?? ""))
            #expect(members[1].0 == "sequence_number" && members[1].1 == .integer(Int64(index)))
        }
    }
}
