/// A scripted language model: what `POST /v1/chat/completions`, `/v1/responses` and `/v1/messages` play when a
/// request names it in `model`. One file of `scenarios/llm/` each (docs/llm.md).
///
/// The reply is provider-neutral (text tokens, then tool calls whose JSON arguments arrive in pieces); each
/// provider's encoder turns it into that provider's exact events, so one file serves the OpenAI and Anthropic
/// SDKs alike.
public struct ModelScenario: Sendable, Equatable {
    /// The model id a request names, and `GET /v1/models` lists.
    public var name: String
    public var description: String
    /// The reply's text, one element per token as it goes on the wire (tokens carry their own leading spaces).
    public var tokens: [String]
    /// Tool calls after the text, if any: the reply then stops for tool use instead of at its end.
    public var toolCalls: [ToolCall]
    public var timing: TokenTiming
    /// Input tokens the usage figures report (a scripted model does not count the prompt).
    public var inputTokens: Int
    /// A fault this model always plays (the bundled fault models); a request's own fault replaces it.
    public var fault: LLMFault?
    /// The file it came from, for messages.
    public var sourcePath: String?

    public init(
        name: String, description: String = "", tokens: [String], toolCalls: [ToolCall] = [], timing: TokenTiming = TokenTiming(),
        inputTokens: Int = 10, fault: LLMFault? = nil
    ) {
        self.name = name
        self.description = description
        self.tokens = tokens
        self.toolCalls = toolCalls
        self.timing = timing
        self.inputTokens = inputTokens
        self.fault = fault
    }

    /// One function call of the reply.
    public struct ToolCall: Sendable, Equatable {
        /// The call's id, as the provider's would be (`call_…` for OpenAI; Anthropic's encoder writes `toolu_…`).
        public var id: String
        public var name: String
        /// The arguments as JSON text, cut in the pieces the stream sends: clients must join them before parsing,
        /// which is the bug this split exists to catch.
        public var argumentPieces: [String]

        public init(id: String, name: String, argumentPieces: [String]) {
            self.id = id
            self.name = name
            self.argumentPieces = argumentPieces
        }

        public var arguments: String { argumentPieces.joined() }
    }

    /// The whole text of the reply.
    public var text: String { tokens.joined() }

    /// Output tokens the usage figures report: one per text token and per piece of arguments.
    public var outputTokens: Int { tokens.count + toolCalls.reduce(0) { $0 + $1.argumentPieces.count } }

    /// Splits text into word-like tokens that keep their leading space (`"Hi there"` → `["Hi", " there"]`), the way
    /// a tokenizer's pieces look to a client; punctuation is a token of its own.
    public static func tokenize(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        for character in text {
            let onlySpaces = current.allSatisfy { $0 == " " }
            switch character {
            case "\n":
                flush()
                tokens.append("\n")
            case " ":
                if !onlySpaces { flush() }
                current.append(character)
            case _ where character.isPunctuation:
                if !onlySpaces { flush() }
                current.append(character)
                flush()
            default:
                current.append(character)
            }
        }
        flush()
        return tokens
    }

    /// Cuts text in pieces of at most `size` characters.
    public static func pieces(_ text: String, size: Int) -> [String] {
        guard size > 0, !text.isEmpty else { return [text] }
        var pieces: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            pieces.append(String(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return pieces
    }
}
