/// One Server-Sent Events block a provider sends: OpenAI's Chat Completions sends `data:` lines only; the
/// Responses and Messages APIs name each event.
public struct WireMessage: Sendable, Equatable {
    public var event: String?
    public var data: String

    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }

    public init(event: String? = nil, json: JSONValue) {
        self.init(event: event, data: json.compactText)
    }

    /// The block's bytes: `event:` (when named), `data:`, blank line; with `id` when the stream is resumable.
    public func bytes(id: Int? = nil) -> [UInt8] {
        var out: [UInt8] = []
        if let id { out += Array("id: \(id)\n".utf8) }
        if let event { out += Array("event: \(event)\n".utf8) }
        out += Array("data: \(data)\n\n".utf8)
        return out
    }
}

/// A reply as one provider streams it, before any fault: what opens the stream, then one step per token (the
/// time it is due and the blocks it sends, a content block's start or stop included), then what closes it.
/// Faults cut and extend this script (`LLMPlayback`); it never holds the provider's error shape itself.
public struct WireScript: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// Since the request arrived.
        public var at: Duration
        public var messages: [WireMessage]
    }

    public var opening: [WireMessage]
    public var steps: [Step]
    public var closing: [WireMessage]
}

/// A provider-neutral token of a reply: text, or a piece of a tool call's arguments (the first piece of each call
/// opens the call).
public enum ReplyToken: Sendable, Equatable {
    case text(String)
    case arguments(call: Int, piece: String)

    /// The reply's tokens in order, each with its offset from `timing`.
    public static func timed(_ model: ModelScenario, firstToken: Duration? = nil) -> [(at: Duration, token: ReplyToken)] {
        var tokens = model.tokens.map(ReplyToken.text)
        for (index, call) in model.toolCalls.enumerated() {
            tokens += call.argumentPieces.map { .arguments(call: index, piece: $0) }
        }
        let offsets = model.timing.offsets(count: tokens.count, firstToken: firstToken)
        return zip(offsets, tokens).map { (at: $0, token: $1) }
    }
}

/// What a provider's encoder knows about the request besides the model.
public struct ReplyContext: Sendable {
    /// The model name the request used (a fault suffix included), echoed back as the providers do.
    public var model: String
    /// A number that makes the reply's ids (`chatcmpl-…`, `msg_…`) distinct per request and stable per seed.
    public var serial: UInt64
    /// Unix seconds for `created`/`created_at`.
    public var created: Int64
    /// `stream_options.include_usage` (OpenAI Chat Completions): a last chunk with `usage` and no choices.
    public var includeUsage: Bool
    /// The first token's delay, when a fault says so.
    public var firstToken: Duration?

    public init(model: String, serial: UInt64, created: Int64, includeUsage: Bool = false, firstToken: Duration? = nil) {
        self.model = model
        self.serial = serial
        self.created = created
        self.includeUsage = includeUsage
        self.firstToken = firstToken
    }

    /// An id in the provider's style: `prefix` and 24 characters drawn from `serial`.
    public func id(_ prefix: String, salt: UInt64 = 0) -> String {
        var random = SeededRandom(seed: serial &+ salt &* 0x9E37_79B9)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        return prefix + String((0..<24).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
    }
}

/// One provider's wire format: the stream of a reply, its error shapes, and the whole reply as one JSON body.
public protocol ProviderWire: Sendable {
    /// The reply as this provider streams it.
    func script(_ model: ModelScenario, context: ReplyContext) -> WireScript
    /// The reply as one JSON body (`"stream": false`).
    func body(_ model: ModelScenario, context: ReplyContext) -> JSONValue
    /// The error block sent inside a 200 stream, in the provider's in-band shape.
    func inBandError(sequence: Int) -> WireMessage
    /// An error answer's body, in the provider's shape.
    func errorBody(_ error: LLMError) -> JSONValue
}
