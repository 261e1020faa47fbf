/// What goes wrong with one request to a scripted model, chosen by the test: by the `X-Cuecast-Fault` header, by a
/// suffix on the model's name (`cuecast-hello+rate-limit`), or by the model itself.
///
/// Each is a failure the providers' clients have shipped bugs for: an error event inside a 200 (Anthropic's SDKs
/// missed `overloaded_error` this way), a 429 whose `Retry-After` must be honoured, a stream cut before its final
/// event, a stall, a slow first token.
public enum LLMFault: Sendable, Equatable, CustomStringConvertible {
    /// No fault (a step of a sequence: `rate-limit,ok`).
    case none
    /// Status 200, then an error in the provider's in-band shape after `afterTokens` tokens.
    case inBandError(afterTokens: Int)
    /// `429` with `Retry-After` and the provider's rate-limit headers.
    case rateLimited(retryAfterSeconds: Int)
    /// `500`, `503`, or `529` (Anthropic's `overloaded_error`), before any byte of the stream.
    case status(Int)
    /// The connection closes after `afterTokens` tokens, without the final event (`[DONE]`, `message_stop`…).
    case truncate(afterTokens: Int)
    /// Nothing more after `afterTokens` tokens; the connection stays open until the client gives up.
    case stall(afterTokens: Int)
    /// The first token waits `milliseconds` (a model under load), then the reply plays as written.
    case slowFirstToken(milliseconds: Int)

    /// The spellings a test writes: `ok`, `error-after=N`, `rate-limit` (or `429`, `rate-limit=SECONDS`), `500`,
    /// `503`, `529` (or `overloaded`), `truncate-after=N`, `stall-after=N`, `slow-first=MS`.
    public static let spellings = [
        "ok", "error-after=N", "rate-limit[=SECONDS]", "429", "500", "503", "529", "overloaded", "truncate-after=N", "stall-after=N", "slow-first=MS",
    ]

    /// Parses one fault; `nil` for text that names none.
    public init?(_ text: String) {
        let parts = text.split(separator: "=", maxSplits: 1).map { String($0.filter { $0 != " " }) }
        guard let name = parts.first else { return nil }
        let number = parts.count == 2 ? Int(parts[1]).flatMap { (0...1_000_000).contains($0) ? $0 : nil } : nil
        if parts.count == 2, number == nil { return nil }
        switch (name, number) {
        case ("ok", nil), ("none", nil): self = .none
        case ("error-after", let n?): self = .inBandError(afterTokens: n)
        case ("rate-limit", let seconds), ("429", let seconds): self = .rateLimited(retryAfterSeconds: min(seconds ?? 1, 3600))
        case ("500", nil): self = .status(500)
        case ("503", nil): self = .status(503)
        case ("529", nil), ("overloaded", nil): self = .status(529)
        case ("truncate-after", let n?): self = .truncate(afterTokens: n)
        case ("stall-after", let n?): self = .stall(afterTokens: n)
        case ("slow-first", let ms?): self = .slowFirstToken(milliseconds: min(ms, 600_000))
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .none: "ok"
        case .inBandError(let n): "error-after=\(n)"
        case .rateLimited(let seconds): "rate-limit=\(seconds)"
        case .status(let code): String(code)
        case .truncate(let n): "truncate-after=\(n)"
        case .stall(let n): "stall-after=\(n)"
        case .slowFirstToken(let ms): "slow-first=\(ms)"
        }
    }

    /// A comma-separated sequence (`rate-limit,ok`): the first request of a client gets the first fault, the next
    /// the second, and the last repeats. At most 32 steps; `nil` when any step names no fault.
    public static func sequence(_ text: String) -> [LLMFault]? {
        let steps = text.split(separator: ",").map { LLMFault(String($0)) }
        guard !steps.isEmpty, steps.count <= 32, steps.allSatisfy({ $0 != nil }) else { return nil }
        return steps.compactMap { $0 }
    }
}
