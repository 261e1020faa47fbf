import CuecastCore
import CuecastServer
import CuecastTestSupport
import Foundation
import NIOHTTP1
import Testing

/// `/v1/chat/completions`, `/v1/responses`, `/v1/messages` and `/v1/models` over a live socket: the bytes, the
/// providers' error shapes and headers, the faults, the manual clock and the resume.
@Suite(.timeLimit(.minutes(1)))
struct LLMEndpointTests {
    /// "Hello" and "!" at once (no delays), as in the providers' documented examples.
    static let hello = ModelScenario(name: "hello", tokens: ["Hello", "!"], timing: TokenTiming(firstToken: .zero, gap: .zero), inputTokens: 25)
    /// Four tokens a second apart, for the manual clock.
    static let paced = ModelScenario(name: "paced", tokens: ["one", " two", " three", " four"], timing: TokenTiming(firstToken: .seconds(1), gap: .seconds(1)))

    static func withModels<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        try await withServer([]) { configuration in
            configuration.models = [hello, paced]
        } _: { port in
            try await body(port)
        }
    }

    static func chat(_ model: String, stream: Bool = true, extra: String = "") -> String {
        #"{"model":"\#(model)","messages":[{"role":"user","content":"Hi"}],"stream":\#(stream)\#(extra)}"#
    }

    static func normalized(_ text: String) -> String {
        var text = text.replacingOccurrences(of: #""id":"chatcmpl-[A-Za-z0-9]{24}""#, with: #""id":"chatcmpl-123""#, options: .regularExpression)
        text = text.replacingOccurrences(of: #""created":[0-9]+"#, with: #""created":1694268190"#, options: .regularExpression)
        return text.replacingOccurrences(of: "fp_cuecast0001", with: "fp_44709d6fcb")
    }

    /// OpenAI's documented chunk stream, as the socket carries it, after its `text/event-stream` head.
    @Test func chatCompletionsStreamOnTheWire() async throws {
        try await Self.withModels { port in
            let response = try await post(port: port, "/v1/chat/completions", body: Self.chat("hello"), contentType: "application/json")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "text/event-stream; charset=utf-8")
            let head = #"{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"hello","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":"#
            #expect(Self.normalized(response.body) == """
                data: \(head){"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

                data: \(head){"content":"Hello"},"logprobs":null,"finish_reason":null}]}

                data: \(head){"content":"!"},"logprobs":null,"finish_reason":null}]}

                data: \(head){},"logprobs":null,"finish_reason":"stop"}]}

                data: [DONE]


                """)
        }
    }

    @Test func chatCompletionWithoutStream() async throws {
        try await Self.withModels { port in
            let response = try await post(port: port, "/v1/chat/completions", body: Self.chat("hello", stream: false), contentType: "application/json")
            let json = try response.json()
            let choice = (json["choices"] as? [[String: Any]])?.first
            let message = choice?["message"] as? [String: Any]
            #expect(response.status == 200)
            #expect(json["object"] as? String == "chat.completion")
            #expect(message?["content"] as? String == "Hello!")
            #expect((json["usage"] as? [String: Any])?["total_tokens"] as? Int == 27)
        }
    }

    /// Each provider's error shape, for an unknown model, a broken body, and a body over the limit.
    @Test func errorsInEachProvidersShape() async throws {
        try await Self.withModels { port in
            let unknown = try await post(port: port, "/v1/chat/completions", body: Self.chat("nope"), contentType: "application/json")
            let openAI = try #require(try unknown.json()["error"] as? [String: Any])
            #expect(unknown.status == 404)
            #expect(openAI["type"] as? String == "invalid_request_error")
            #expect(openAI["code"] as? String == "model_not_found")
            #expect(openAI["param"] as? String == "model")
            #expect(openAI.keys.sorted() == ["code", "message", "param", "type"])

            let broken = try await post(port: port, "/v1/messages", body: #"{"model": "hello", "#, contentType: "application/json")
            let anthropic = try broken.json()
            let inner = anthropic["error"] as? [String: Any]
            #expect(broken.status == 400)
            #expect(anthropic["type"] as? String == "error")
            #expect(inner?["type"] as? String == "invalid_request_error")
            #expect((inner?["message"] as? String)?.contains("line 1, column 19") == true)

            let huge = String(repeating: "x", count: (1 << 20) + 1)
            let tooLarge = try await post(port: port, "/v1/responses", body: #"{"model":"hello","input":"\#(huge)"}"#, contentType: "application/json")
            #expect(tooLarge.status == 413)
            #expect((try tooLarge.json()["error"] as? [String: Any])?["code"] as? String == "request_too_large")

            let array = try await post(port: port, "/v1/messages", body: "[1]", contentType: "application/json")
            #expect(array.status == 400)
        }
    }

    /// A 429 carries `Retry-After` and the provider's own rate-limit headers; a sequence keyed by the client
    /// gets the 429 first and the reply after.
    @Test func rateLimitThenSuccessPerClient() async throws {
        try await Self.withModels { port in
            let headers = [("X-Cuecast-Fault", "rate-limit=3,ok"), ("X-Cuecast-Client", "retry-test")]
            let first = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json", headers: headers)
            let second = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json", headers: headers)
            let other = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json",
                                       headers: [("X-Cuecast-Fault", "rate-limit=3,ok"), ("X-Cuecast-Client", "someone-else")])
            #expect(first.status == 429)
            #expect(first.header("Retry-After") == "3")
            #expect(first.header("anthropic-ratelimit-requests-remaining") == "0")
            #expect((try first.json()["error"] as? [String: Any])?["type"] as? String == "rate_limit_error")
            #expect(second.status == 200)
            #expect(second.body.hasSuffix("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"))
            #expect(other.status == 429)

            let openAI = try await post(port: port, "/v1/chat/completions", body: Self.chat("hello+rate-limit"), contentType: "application/json")
            #expect(openAI.status == 429)
            #expect(openAI.header("x-ratelimit-remaining-requests") == "0")
            #expect(openAI.header("Retry-After") == "1")
        }
    }

    /// 529 and 503 before any byte; an in-band error inside the 200; a truncation the client sees as a broken body.
    @Test func faultsOnTheWire() async throws {
        try await Self.withModels { port in
            let overloaded = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json",
                                            headers: [("X-Cuecast-Fault", "529")])
            #expect(overloaded.status == 529)
            #expect(overloaded.body == #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#)

            let inBand = try await post(port: port, "/v1/messages", body: Self.chat("hello+error-after=1"), contentType: "application/json")
            #expect(inBand.status == 200)
            #expect(inBand.body.hasSuffix("""
                event: error
                data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


                """))
            #expect(!inBand.body.contains("message_stop"))

            let cut = try await SSEClient.connect(
                port: port, path: "/v1/chat/completions", headers: [("Content-Type", "application/json"), ("X-Cuecast-Fault", "truncate-after=1")],
                method: .POST, body: Self.chat("hello")
            )
            _ = try? await cut.readToEnd()
            let end = cut.end
            #expect(cut.status == 200)
            #expect(cut.rawText.contains(#""content":"Hello""#))
            #expect(!cut.rawText.contains("[DONE]"))
            #expect(end != .closed, "a truncated stream must not end like a whole one")
        }
    }

    /// A UI test steps the reply token by token over `/api/playbacks/{client}/next`.
    @Test func manualClockStepsTokens() async throws {
        try await Self.withModels { port in
            let client = try await SSEClient.connect(
                port: port, path: "/v1/chat/completions?clock=manual",
                headers: [("Content-Type", "application/json"), ("X-Cuecast-Client", "ui")], method: .POST, body: Self.chat("paced")
            )
            #expect(client.header("X-Cuecast-Playback") != nil)
            let opening = try await client.nextEvent()
            #expect(opening?.data.contains(#""role":"assistant""#) == true)
            let early = try? await client.next(timeout: .milliseconds(1500))
            #expect(early == nil, "a manual clock sends nothing until told")
            let step = try await post(port: port, "/api/playbacks/ui/next")
            let one = try await client.nextEvent()
            #expect(step.status == 200)
            #expect(one?.data.contains(#""content":"one""#) == true)
            _ = try await post(port: port, "/api/playbacks/ui/next")
            let two = try await client.nextEvent()
            #expect(two?.data.contains(#""content":" two""#) == true)
            await client.close()
        }
    }

    /// With `X-Cuecast-Ids: on` every block has an id, and `Last-Event-ID` resumes after it.
    @Test func resumeWithLastEventID() async throws {
        try await Self.withModels { port in
            let whole = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json",
                                       headers: [("X-Cuecast-Ids", "on")])
            let resumed = try await post(port: port, "/v1/messages", body: Self.chat("hello"), contentType: "application/json",
                                         headers: [("X-Cuecast-Ids", "on"), ("Last-Event-ID", "4")])
            #expect(whole.body.hasPrefix("id: 1\nevent: message_start\n"))
            #expect(resumed.body.hasPrefix("id: 5\nevent: content_block_delta\n"))
            let tail = whole.body.range(of: "id: 5\n").map { String(whole.body[$0.lowerBound...]) }
            #expect(resumed.body == tail)
        }
    }

    @Test func modelsListInEachShape() async throws {
        try await Self.withModels { port in
            let openAI = try await fetch(port: port, "/v1/models").json()
            let ids = (openAI["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
            #expect(openAI["object"] as? String == "list")
            #expect(ids == ["hello", "paced"])
            let anthropic = try await fetch(port: port, "/v1/models", headers: [("anthropic-version", "2023-06-01")]).json()
            #expect(anthropic["has_more"] as? Bool == false)
            #expect((anthropic["data"] as? [[String: Any]])?.first?["type"] as? String == "model")
        }
    }
}
